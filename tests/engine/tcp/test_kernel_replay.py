"""Our endpoint against the Linux kernel's own segments, replayed from real captures.

For each capture the engine plays one side: the kernel's segments from the other side are
fed to our endpoint in order, and what our endpoint sends must match, in seq, ack, kind and
payload, what the kernel sent in its place. The application calls (send, close) are taken
from the capture too: a segment our endpoint has not produced yet must be the effect of one.

One difference is Linux's, not ours: Linux delays a pure ACK and lets it ride on the next
segment when the application answers at once (RFC 9293 §3.8.6.3 allows both). Our endpoint
ACKs at once, so a pure ACK of ours that the kernel folded into its next segment is let
through when that next segment carries the same acknowledgement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.tcp.endpoint import Address, Endpoint, EndpointConfig, Output
from engine.tcp.events import ConnectionRefused, DroppedWithAck, ResetSent, SegmentDropped
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import State
from tests.pcap_reader import TcpPacket, read_tcp_packets

CAPTURES = Path(__file__).resolve().parents[2] / "fixtures" / "captures"


def decode(packet: TcpPacket) -> Segment:
    # Loopback captures hold the kernel's partial (offloaded) checksum: see test_captures.py.
    return Segment.decode(packet.tcp, packet.src_ip, packet.dst_ip, verify_checksum=False)


def essentials(segment: Segment) -> tuple[SegmentKind, int, int, bytes]:
    return (segment.kind, segment.seq, segment.ack if Flag.ACK in segment.flags else 0, segment.payload)


def replay(capture: str, our_port_is_client: bool) -> tuple[Endpoint, list[Output]]:
    segments = [decode(packet) for packet in read_tcp_packets(CAPTURES / capture)]
    client_port = segments[0].src_port
    ours = [s for s in segments if (s.src_port == client_port) == our_port_is_client]
    first = ours[0]
    local = Address(read_tcp_packets(CAPTURES / capture)[0].src_ip, first.src_port)
    remote = Address(local.ip, first.dst_port)
    endpoint = Endpoint("ours", EndpointConfig(local=local, remote=remote), isn_source=lambda: first.seq)
    outputs: list[Output] = []
    pending: list[Segment] = []
    now = 0.0
    if not our_port_is_client and first.kind is not SegmentKind.RST_ACK:
        outputs.append(endpoint.open_passive(now))
    for segment in segments:
        now += 0.001
        if segment.src_port == first.src_port:
            if not pending:
                pending.extend(_app_call(endpoint, segment, now, outputs))
            sent = pending.pop(0)
            if sent.kind is SegmentKind.ACK and not sent.payload and essentials(sent) != essentials(segment):
                assert sent.ack == segment.ack, "an ACK the kernel folded into its next segment"
                sent = pending.pop(0) if pending else _app_call(endpoint, segment, now, outputs)[0]
            assert essentials(sent) == essentials(segment)
        else:
            output = endpoint.receive(segment, now)
            outputs.append(output)
            pending.extend(output.segments)
    assert pending == []
    return endpoint, outputs


def _app_call(endpoint: Endpoint, kernel: Segment, now: float, outputs: list[Output]) -> list[Segment]:
    if kernel.kind is SegmentKind.SYN:
        output = endpoint.open_active(now)
    elif kernel.kind is SegmentKind.DATA:
        output = endpoint.send(kernel.payload, now)
    elif kernel.kind is SegmentKind.FIN:
        output = endpoint.close(now)
    else:
        raise AssertionError(f"the kernel sent {kernel.summary()} and no app call explains it")
    outputs.append(output)
    return list(output.segments)


def complaints(outputs: list[Output]) -> list[object]:
    return [
        event
        for output in outputs
        for event in output.events
        if isinstance(event, (SegmentDropped, DroppedWithAck, ResetSent))
    ]


@pytest.mark.parametrize("capture", ["tcp-linux-lifecycle.pcap", "tcp-linux-half-close.pcap"])
@pytest.mark.parametrize("as_client", [True, False], ids=["engine-as-client", "engine-as-server"])
def test_the_engine_plays_either_side_of_a_kernel_connection(capture: str, as_client: bool) -> None:
    endpoint, outputs = replay(capture, as_client)
    assert complaints(outputs) == []
    # The client closed first in both captures: it waits in TIME-WAIT, the server is gone.
    assert endpoint.state is (State.TIME_WAIT if as_client else State.CLOSED)


def test_the_engine_answers_a_closed_port_as_the_kernel_did() -> None:
    endpoint, outputs = replay("tcp-linux-rst-closed-port.pcap", our_port_is_client=False)
    assert endpoint.state is State.CLOSED


def test_the_engine_takes_the_kernels_rst_as_connection_refused() -> None:
    endpoint, outputs = replay("tcp-linux-rst-closed-port.pcap", our_port_is_client=True)
    assert endpoint.state is State.CLOSED
    assert any(isinstance(event, ConnectionRefused) for output in outputs for event in output.events)
