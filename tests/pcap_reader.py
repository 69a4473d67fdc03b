"""A small classic-pcap reader for the test fixtures: Ethernet, IPv4, TCP; nothing else.

The captures under tests/fixtures/captures/ were taken with tcpdump on loopback (link type
Ethernet with zero MACs). This reads them without scapy, so the capture tests do not trust
the library they cross-check against.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass
from pathlib import Path

_MAGICS = {  # magic number as read little-endian -> (byte order, fraction-of-second unit)
    0xA1B2C3D4: ("<", 1e-6),
    0xD4C3B2A1: (">", 1e-6),
    0xA1B23C4D: ("<", 1e-9),
    0x4D3CB2A1: (">", 1e-9),
}
_LINKTYPE_ETHERNET = 1
_ETHERTYPE_IPV4 = 0x0800
_ETHERNET_HEADER = 14
_PROTOCOL_TCP = 6


@dataclass(frozen=True, slots=True)
class TcpPacket:
    """One captured TCP segment and the IPv4 addresses it travelled between."""

    timestamp: float
    src_ip: ipaddress.IPv4Address
    dst_ip: ipaddress.IPv4Address
    tcp: bytes


def _records(data: bytes) -> list[tuple[float, bytes]]:
    """(timestamp, frame) for every record of a classic pcap file."""
    (magic,) = struct.unpack_from("<I", data)
    if magic not in _MAGICS:
        raise ValueError(f"not a classic pcap file (magic 0x{magic:08x})")
    order, unit = _MAGICS[magic]
    linktype = struct.unpack_from(f"{order}I", data, 20)[0]
    if linktype != _LINKTYPE_ETHERNET:
        raise ValueError(f"link type {linktype} is not Ethernet")
    records = []
    at = 24
    while at < len(data):
        seconds, fraction, captured, _original = struct.unpack_from(f"{order}IIII", data, at)
        at += 16
        records.append((seconds + fraction * unit, data[at : at + captured]))
        at += captured
    return records


def _tcp_of_frame(timestamp: float, frame: bytes) -> TcpPacket | None:
    """The TCP segment in an Ethernet frame, or None if it holds no IPv4 TCP."""
    (ethertype,) = struct.unpack_from("!H", frame, 12)
    if ethertype != _ETHERTYPE_IPV4:
        return None
    ip = frame[_ETHERNET_HEADER:]
    header_length = (ip[0] & 0x0F) * 4
    (total_length,) = struct.unpack_from("!H", ip, 2)
    if ip[9] != _PROTOCOL_TCP:
        return None
    return TcpPacket(
        timestamp=timestamp,
        src_ip=ipaddress.IPv4Address(ip[12:16]),
        dst_ip=ipaddress.IPv4Address(ip[16:20]),
        tcp=ip[header_length:total_length],  # total_length drops any Ethernet padding
    )


def read_tcp_packets(path: Path) -> list[TcpPacket]:
    """Every IPv4 TCP segment in the classic pcap file at `path`, in capture order."""
    packets = (_tcp_of_frame(ts, frame) for ts, frame in _records(path.read_bytes()))
    return [packet for packet in packets if packet is not None]
