"""Segments the Linux kernel wrote (tests/fixtures/captures/, taken with tcpdump on
loopback): every one decodes, re-encodes byte for byte, and reads the same in scapy.

About the checksums. Linux leaves the TCP checksum to the NIC (CHECKSUM_PARTIAL): the
stack writes only the folded pseudo-header sum into the field and the hardware finishes the
job. Loopback has no hardware and skips verification, so tcpdump captured the unfinished
value: every segment here except one carries the pseudo-header sum, not a valid checksum.
The exception is the kernel's RST for a closed port, which `tcp_v4_send_reset` checksums in
software. The tests below prove that, segment by segment, instead of switching checks off:
a segment either has a valid checksum or holds exactly the partial sum, in which case it is
decoded with verify_checksum=False and our computed checksum must equal scapy's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from engine.tcp.checksum import checksum_ok, partial_checksum
from engine.tcp.segment import Flag, Segment, SegmentKind
from tests.engine.tcp.test_segment import assert_byte_map_is_sound, assert_scapy_agrees
from tests.pcap_reader import TcpPacket, read_tcp_packets

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"
FILES = [
    "tcp-linux-lifecycle.pcap",
    "tcp-linux-half-close.pcap",
    "tcp-linux-rst-closed-port.pcap",
    "tls12-ecdhe-rsa.pcap",
    "tls13-ecdsa-x25519.pcap",
]


def _packets(name: str) -> list[TcpPacket]:
    packets = read_tcp_packets(CAPTURES / name)
    assert packets, f"no TCP segments in {name}"
    return packets


def _checksum_is_offloaded(packet: TcpPacket) -> bool:
    """True if the segment carries Linux's unfinished (pseudo-header only) checksum."""
    found = int.from_bytes(packet.tcp[16:18], "big")
    return found == partial_checksum(packet.src_ip, packet.dst_ip, len(packet.tcp))


def _decode(packet: TcpPacket) -> Segment:
    offloaded = _checksum_is_offloaded(packet)
    assert checksum_ok(packet.tcp, packet.src_ip, packet.dst_ip) != offloaded
    return Segment.decode(packet.tcp, packet.src_ip, packet.dst_ip,
                          verify_checksum=not offloaded)


@pytest.mark.parametrize("name", FILES)
def test_every_kernel_segment_round_trips(name: str) -> None:
    for packet in _packets(name):
        segment = _decode(packet)
        assert segment.encode(packet.src_ip, packet.dst_ip) == packet.tcp


@pytest.mark.parametrize("name", FILES)
def test_scapy_reads_every_kernel_segment_alike(name: str) -> None:
    for packet in _packets(name):
        assert_scapy_agrees(_decode(packet), packet.tcp, packet.src_ip, packet.dst_ip)


@pytest.mark.parametrize("name", FILES)
def test_our_checksum_finishes_what_the_kernel_left_to_the_nic(name: str) -> None:
    for packet in _packets(name):
        recomputed = dataclasses.replace(_decode(packet), checksum=None).encode(
            packet.src_ip, packet.dst_ip)
        assert checksum_ok(recomputed, packet.src_ip, packet.dst_ip)
        assert Segment.decode(recomputed, packet.src_ip, packet.dst_ip).checksum is not None


@pytest.mark.parametrize("name", FILES)
def test_byte_map_of_kernel_segments(name: str) -> None:
    for packet in _packets(name):
        assert_byte_map_is_sound(_decode(packet), packet.tcp)


def test_which_checksums_are_offloaded() -> None:
    """Pins the finding above: only the kernel's RST was checksummed in software."""
    valid = [
        (name, _decode(packet).kind)
        for name in FILES
        for packet in _packets(name)
        if not _checksum_is_offloaded(packet)
    ]
    assert valid == [("tcp-linux-rst-closed-port.pcap", SegmentKind.RST_ACK)]


def test_lifecycle_ladder() -> None:
    ladder = [_decode(packet).summary() for packet in _packets("tcp-linux-lifecycle.pcap")]
    assert [label.split()[0] for label in ladder] == [
        "SYN", "SYN-ACK", "ACK", "DATA", "ACK", "DATA", "ACK", "FIN", "FIN", "ACK"]
    assert ladder[0].endswith("<mss 65495,sackOK,ts,ws 10>")


def test_linux_syn_options() -> None:
    syn = _decode(_packets("tcp-linux-lifecycle.pcap")[0])
    assert syn.flags == Flag.SYN and syn.ack == 0 and syn.seg_len == 1
    assert [type(option).__name__ for option in syn.options] == [
        "MaxSegmentSize", "SackPermitted", "Timestamps", "NoOperation", "WindowScale"]
