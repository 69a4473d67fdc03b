"""The TCP checksum: RFC 1071's Internet checksum over a pseudo-header and the segment.

The pseudo-header ties a segment to its IP addresses, so a segment delivered to the wrong
host fails the check. IPv4's is 12 bytes (RFC 9293 §3.1), IPv6's 40 (RFC 8200 §8.1).
"""

from __future__ import annotations

import ipaddress
import struct

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PROTOCOL_TCP = 6
CHECKSUM_OFFSET = 16  # the checksum's byte offset inside the TCP header

__all__ = [
    "CHECKSUM_OFFSET",
    "IPAddress",
    "PROTOCOL_TCP",
    "checksum_ok",
    "ones_complement_sum",
    "partial_checksum",
    "pseudo_header",
    "tcp_checksum",
]


def ones_complement_sum(data: bytes) -> int:
    """The 16-bit one's complement sum of `data` (padded with a zero byte if odd), folded."""
    if len(data) % 2:
        data += b"\x00"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def pseudo_header(
    src_ip: IPAddress, dst_ip: IPAddress, length: int, protocol: int = PROTOCOL_TCP
) -> bytes:
    """The pseudo-header the checksum covers for a `length`-byte segment between the IPs.

    Raises ValueError if the two addresses are not of the same IP version.
    """
    if src_ip.version != dst_ip.version:
        raise ValueError(
            f"source {src_ip} and destination {dst_ip} are not the same IP version"
        )
    if src_ip.version == 4:
        return src_ip.packed + dst_ip.packed + struct.pack("!BBH", 0, protocol, length)
    return src_ip.packed + dst_ip.packed + struct.pack("!I3xB", length, protocol)


def _sum_without_checksum(segment: bytes, src_ip: IPAddress, dst_ip: IPAddress) -> int:
    zeroed = segment[:CHECKSUM_OFFSET] + b"\x00\x00" + segment[CHECKSUM_OFFSET + 2 :]
    return ones_complement_sum(pseudo_header(src_ip, dst_ip, len(segment)) + zeroed)


def tcp_checksum(segment: bytes, src_ip: IPAddress, dst_ip: IPAddress) -> int:
    """The checksum a sender writes for `segment`; its own checksum bytes count as zero."""
    return ~_sum_without_checksum(segment, src_ip, dst_ip) & 0xFFFF


def checksum_ok(segment: bytes, src_ip: IPAddress, dst_ip: IPAddress) -> bool:
    """Whether a receiver accepts `segment`'s checksum.

    Like a real stack, this sums everything including the checksum field and wants all
    ones, so 0x0000 and 0xFFFF (one's complement's two zeros) are both accepted where the
    sender's arithmetic would produce the other.
    """
    found = int.from_bytes(segment[CHECKSUM_OFFSET : CHECKSUM_OFFSET + 2], "big")
    total = _sum_without_checksum(segment, src_ip, dst_ip) + found
    return (total & 0xFFFF) + (total >> 16) == 0xFFFF


def partial_checksum(src_ip: IPAddress, dst_ip: IPAddress, length: int) -> int:
    """What a checksum-offloading sender leaves in the field: the folded pseudo-header sum.

    Linux hands such segments to the NIC (CHECKSUM_PARTIAL) to finish; on loopback nobody
    does, so captures taken there show this value instead of the real checksum.
    """
    return ones_complement_sum(pseudo_header(src_ip, dst_ip, length))
