"""IPv4 framing (RFC 791) for a captured TCP segment: the 20-byte header and its checksum."""

from __future__ import annotations

import ipaddress
import struct

from engine.tcp.checksum import PROTOCOL_TCP, ones_complement_sum

__all__ = ["DEFAULT_TTL", "ipv4_packet"]

DEFAULT_TTL = 64
_DONT_FRAGMENT = 0x4000
_HEADER = struct.Struct("!BBHHHBBH4s4s")


def ipv4_packet(src: ipaddress.IPv4Address, dst: ipaddress.IPv4Address, payload: bytes,
                identification: int, protocol: int = PROTOCOL_TCP, ttl: int = DEFAULT_TTL) -> bytes:
    """`payload` behind an IPv4 header without options, Don't Fragment set."""
    total = _HEADER.size + len(payload)
    if total > 0xFFFF:
        raise ValueError(f"a {total}-byte IPv4 packet exceeds the 65535 bytes its length field can say")
    fields = [0x45, 0, total, identification & 0xFFFF, _DONT_FRAGMENT, ttl, protocol, 0, src.packed, dst.packed]
    header = _HEADER.pack(*fields)
    fields[7] = ~ones_complement_sum(header) & 0xFFFF
    return _HEADER.pack(*fields) + payload
