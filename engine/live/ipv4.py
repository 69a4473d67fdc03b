"""IPv4 framing for the TUN link: our own header encoder, decoder and header checksum.

A TUN device opened with IFF_NO_PI hands over bare IP packets. The engine speaks TCP
segments; this module wraps them in the 20-byte IPv4 header of RFC 791 §3.1 (no options)
and unwraps what the kernel sends. The header checksum is RFC 1071's Internet checksum
over the header alone (the TCP checksum, over its pseudo-header, is the segment's own).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from engine.errors import DecodeError
from engine.tcp.checksum import PROTOCOL_TCP, ones_complement_sum

__all__ = ["IPV4_HEADER", "Ipv4DecodeError", "Ipv4Packet", "header_checksum"]

IPV4_HEADER = 20
_HEADER = struct.Struct("!BBHHHBBH4s4s")
_DONT_FRAGMENT = 0x4000
_MORE_FRAGMENTS = 0x2000
_OFFSET_MASK = 0x1FFF
DEFAULT_TTL = 64


class Ipv4DecodeError(DecodeError):
    """A packet from the TUN device that is not a whole, well-formed IPv4 packet."""


def header_checksum(header: bytes) -> int:
    """RFC 791's header checksum: the one's complement of the one's complement sum of the
    header's 16-bit words, with the checksum field taken as zero."""
    zeroed = header[:10] + b"\x00\x00" + header[12:]
    return ~ones_complement_sum(zeroed) & 0xFFFF


@dataclass(frozen=True, slots=True)
class Ipv4Packet:
    """One IPv4 packet without options. `payload` is the TCP segment (or other protocol)."""

    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    payload: bytes
    protocol: int = PROTOCOL_TCP
    identification: int = 0
    ttl: int = DEFAULT_TTL
    dont_fragment: bool = True
    tos: int = 0

    def encode(self) -> bytes:
        total = IPV4_HEADER + len(self.payload)
        if total > 0xFFFF:
            raise ValueError(f"a {total}-byte packet does not fit IPv4's 16-bit total length")
        flags = _DONT_FRAGMENT if self.dont_fragment else 0
        header = _HEADER.pack(0x45, self.tos, total, self.identification & 0xFFFF, flags,
                              self.ttl, self.protocol, 0, self.src.packed, self.dst.packed)
        checksum = header_checksum(header)
        return header[:10] + struct.pack("!H", checksum) + header[12:] + self.payload

    @classmethod
    def decode(cls, data: bytes) -> Ipv4Packet:
        """Read one packet; raises Ipv4DecodeError naming the field and offset for a
        packet that is not IPv4, is cut short, has a bad header checksum or is a fragment
        (the kernel never fragments on this link: its MTU is far above any segment here)."""
        if len(data) < IPV4_HEADER:
            raise Ipv4DecodeError("ip.header", 0, f"{len(data)} bytes: an IPv4 header is at least 20")
        (version_ihl, tos, total, ident, flags_offset, ttl, protocol, _checksum, src,
         dst) = _HEADER.unpack_from(data)
        if version_ihl >> 4 != 4:
            raise Ipv4DecodeError("ip.version", 0, f"version {version_ihl >> 4}, not 4")
        header_length = (version_ihl & 0x0F) * 4
        if header_length < IPV4_HEADER or header_length > len(data):
            raise Ipv4DecodeError("ip.ihl", 0, f"a {header_length}-byte header in a {len(data)}-byte packet")
        if total < header_length or total > len(data):
            raise Ipv4DecodeError("ip.total_length", 2, f"{total}, but {len(data)} bytes arrived")
        if ones_complement_sum(data[:header_length]) != 0xFFFF:  # RFC 1071: all ones when intact
            raise Ipv4DecodeError("ip.checksum", 10, f"0x{_checksum:04x} does not match the header")
        if flags_offset & (_MORE_FRAGMENTS | _OFFSET_MASK):
            raise Ipv4DecodeError("ip.flags", 6, "a fragment: this link does not reassemble")
        return cls(
            src=ipaddress.IPv4Address(src),
            dst=ipaddress.IPv4Address(dst),
            payload=bytes(data[header_length:total]),
            protocol=protocol,
            identification=ident,
            ttl=ttl,
            dont_fragment=bool(flags_offset & _DONT_FRAGMENT),
            tos=tos,
        )
