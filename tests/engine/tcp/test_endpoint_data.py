"""Data transfer: sequence and acknowledgement accounting, segmentation by MSS, the peer's
window, out-of-order arrival, data retransmission on the injected clock."""

from __future__ import annotations

from engine.tcp.events import (
    ConnectionTimedOut,
    DataReceived,
    DroppedWithAck,
    Retransmitted,
    SegmentDropped,
    StateChanged,
)
from engine.tcp.segment import Flag, SegmentKind
from engine.tcp.states import State
from tests.engine.tcp.tcp_helpers import (
    ConnectionPair,
    client_endpoint,
    established_pair,
    events_of,
    from_peer,
    reach,
    server_endpoint,
)

C, S = "client", "server"
PSH, ACK, URG = Flag.PSH, Flag.ACK, Flag.URG


def test_data_both_ways_exact_accounting() -> None:
    pair = established_pair()
    pair.trace.clear()
    pair.pump(pair.client, pair.client.send(b"GET /", 1.0))
    pair.pump(pair.server, pair.server.send(b"200 OK\r\n", 1.5))
    assert pair.ladder() == [
        (C, SegmentKind.DATA, 1001, 5001),
        (S, SegmentKind.ACK, 5001, 1006),
        (S, SegmentKind.DATA, 5001, 1006),
        (C, SegmentKind.ACK, 1006, 5009),
    ]
    assert pair.trace[0].segment.flags == PSH | ACK
    assert pair.server.read() == b"GET /" and pair.server.read() == b""
    assert pair.client.read() == b"200 OK\r\n"
    assert (pair.client.snd_una, pair.client.snd_nxt, pair.client.rcv_nxt) == (1006, 1006, 5009)
    assert (pair.server.snd_una, pair.server.snd_nxt, pair.server.rcv_nxt) == (5009, 5009, 1006)
    assert [e for e in pair.events[S] if isinstance(e, DataReceived)] == [DataReceived(b"GET /")]


def test_data_is_cut_to_the_peers_mss() -> None:
    pair = ConnectionPair(server=server_endpoint(mss=536)).handshake()
    out = pair.client.send(b"x" * 1200, 1.0)
    assert [(s.seq, len(s.payload)) for s in out.segments] == [(1001, 536), (1537, 536),
                                                             (2073, 128)]
    assert pair.client.snd_nxt == 2201


def test_without_an_mss_option_the_default_536_applies() -> None:
    client = reach(State.SYN_SENT)
    client.receive(from_peer(client, Flag.SYN | ACK, 7000, 1001), 0.0)  # no options
    out = client.send(b"y" * 600, 1.0)
    assert [len(s.payload) for s in out.segments] == [536, 64]


def test_sending_stops_at_the_peers_window_and_resumes_on_ack() -> None:
    # 1024 is a whole number of 128-byte units, so scale 7 carries it exactly after the SYN
    pair = ConnectionPair(server=server_endpoint(window=1024)).handshake()
    out = pair.client.send(b"z" * 2500, 1.0)
    assert [(s.seq, len(s.payload)) for s in out.segments] == [(1001, 1024)]
    ack = pair.deliver(pair.server, out.segments)
    more = pair.deliver(pair.client, ack)
    assert [(s.seq, len(s.payload)) for s in more] == [(2025, 1024)]


def test_out_of_order_data_is_not_delivered_and_the_ack_repeats_rcv_nxt() -> None:
    pair = established_pair()
    client = pair.client
    ahead = client.receive(from_peer(client, PSH | ACK, 5006, 1001, payload=b"world"), 1.0)
    assert [(s.seq, s.ack, s.flags) for s in ahead.segments] == [(1001, 5001, ACK)]
    assert [type(e) for e in ahead.events] == [DroppedWithAck]
    assert client.read() == b"" and client.rcv_nxt == 5001
    first = client.receive(from_peer(client, PSH | ACK, 5001, 1001, payload=b"hello"), 1.1)
    assert [(s.seq, s.ack) for s in first.segments] == [(1001, 5006)]
    assert client.read() == b"hello"


def test_data_is_retransmitted_until_acked() -> None:
    pair = established_pair()
    pair.client.send(b"lost", 10.0)
    assert pair.client.next_deadline() == 11.0
    out = pair.client.poll(11.0)
    assert [(s.seq, s.ack, s.payload, s.flags) for s in out.segments] == [
        (1001, 5001, b"lost", PSH | ACK)]
    assert out.events == [Retransmitted(SegmentKind.DATA, 1)]
    assert pair.client.next_deadline() == 13.0
    pair.deliver(pair.client, pair.deliver(pair.server, out.segments))
    assert pair.client.next_deadline() is None and pair.client.snd_una == 1005
    assert pair.server.read() == b"lost"


def test_only_the_oldest_unacked_segment_is_retransmitted() -> None:
    pair = ConnectionPair(server=server_endpoint(mss=4)).handshake()
    pair.client.send(b"abcdefgh", 0.0)
    out = pair.client.poll(1.0)
    assert [(s.seq, s.payload) for s in out.segments] == [(1001, b"abcd")]


def test_a_partial_ack_restarts_the_timer() -> None:
    pair = ConnectionPair(server=server_endpoint(mss=4)).handshake()
    sent = pair.client.send(b"abcdefgh", 0.0).segments
    pair.client.poll(1.0)  # RTO backs off to 2
    pair.now = 1.5
    pair.deliver(pair.client, pair.deliver(pair.server, sent[:1]))
    assert pair.client.snd_una == 1005 and pair.client.next_deadline() == 2.5
    out = pair.client.poll(2.5)
    assert [(s.seq, s.payload) for s in out.segments] == [(1005, b"efgh")]


def test_data_retransmission_gives_up() -> None:
    pair = ConnectionPair(client=client_endpoint(max_retransmits=1)).handshake()
    pair.client.send(b"void", 0.0)
    assert pair.client.poll(1.0).events == [Retransmitted(SegmentKind.DATA, 1)]
    out = pair.client.poll(3.0)
    assert [type(e) for e in out.events] == [ConnectionTimedOut, StateChanged]
    assert pair.client.state is State.CLOSED


def test_duplicate_ack_changes_nothing_and_window_updates() -> None:
    pair = established_pair()
    client = pair.client
    out = client.receive(from_peer(client, ACK, 5001, 1001, window=100), 1.0)
    assert out.segments == [] and out.events == []
    # both sides scale by 7: the field 100 means 12800 bytes (RFC 7323 §2.3)
    assert client.snd_wnd == 100 << 7 and client.max_snd_wnd == 64240
    client.receive(from_peer(client, ACK, 5001, 1001, window=1000), 1.0)
    assert client.snd_wnd == 1000 << 7 and client.max_snd_wnd == 1000 << 7


def test_urgent_pointer_moves_rcv_up() -> None:
    pair = established_pair()
    client = pair.client
    client.receive(from_peer(client, URG | PSH | ACK, 5001, 1001, payload=b"!!", urgent=2), 1.0)
    assert client.rcv_up == 5003 and client.read() == b"!!"


def test_data_on_a_syn_is_not_kept() -> None:
    server = reach(State.LISTEN)
    out = server.receive(from_peer(server, Flag.SYN, 100, payload=b"fast open"), 0.0)
    assert server.state is State.SYN_RECEIVED and server.rcv_nxt == 101
    assert events_of(out, SegmentDropped) != []
    assert [(s.seq, s.ack) for s in out.segments] == [(5000, 101)]


def test_data_with_the_ack_of_syn_is_delivered() -> None:
    server = reach(State.SYN_RECEIVED)
    out = server.receive(from_peer(server, PSH | ACK, 7001, 5001, payload=b"req"), 0.1)
    assert server.state is State.ESTABLISHED and server.read() == b"req"
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(5001, 7004, ACK)]


def test_send_of_nothing_sends_nothing() -> None:
    pair = established_pair()
    out = pair.client.send(b"", 1.0)
    assert out.segments == [] and out.events == []
