"""Closing connections: active, passive and simultaneous close, FIN + ACK of FIN, TIME-WAIT
for exactly 2*MSL on the injected clock, FIN retransmission, ABORT."""

from __future__ import annotations

from engine.tcp.events import (
    ConnectionReset,
    ConnectionTimedOut,
    PeerClosed,
    ResetSent,
    Retransmitted,
    SegmentDropped,
    StateChanged,
)
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import TRANSITIONS, State, TcpEvent
from tests.engine.tcp.tcp_helpers import (
    ConnectionPair,
    client_endpoint,
    established_pair,
    events_of,
    from_peer,
    server_endpoint,
)

C, S = "client", "server"


def _states(pair: ConnectionPair) -> tuple[State, State]:
    return pair.client.state, pair.server.state


def test_active_and_passive_close_exact_ladder() -> None:
    pair = established_pair()
    pair.trace.clear()
    pair.pump(pair.client, pair.client.close(1.0))
    assert _states(pair) == (State.FIN_WAIT_2, State.CLOSE_WAIT)
    pair.pump(pair.server, pair.server.close(2.0))
    assert _states(pair) == (State.TIME_WAIT, State.CLOSED)
    assert pair.ladder() == [
        (C, SegmentKind.FIN, 1001, 5001),
        (S, SegmentKind.ACK, 5001, 1002),
        (S, SegmentKind.FIN, 5001, 1002),
        (C, SegmentKind.ACK, 1002, 5002),
    ]
    assert pair.trace[0].segment.flags == Flag.FIN | Flag.ACK
    assert PeerClosed() in pair.events["server"] and PeerClosed() in pair.events["client"]
    assert [(e.old, e.new) for e in pair.events["client"] if isinstance(e, StateChanged)][2:] == [
        (State.ESTABLISHED, State.FIN_WAIT_1), (State.FIN_WAIT_1, State.FIN_WAIT_2),
        (State.FIN_WAIT_2, State.TIME_WAIT)]


def test_passive_closer_is_closed_on_the_ack_of_its_fin() -> None:
    pair = established_pair()
    pair.pump(pair.client, pair.client.close(1.0))
    fin = pair.server.close(2.0)
    assert pair.server.state is State.LAST_ACK
    ack = pair.deliver(pair.client, fin.segments)
    out = pair.server.receive(ack[0], 2.1)
    assert out.segments == [] and pair.server.state is State.CLOSED
    assert out.events == [StateChanged(State.LAST_ACK, State.CLOSED,
                                       TRANSITIONS[State.LAST_ACK][TcpEvent.RCV_ACK_OF_FIN].rule,
                                       "RFC 9293 §3.10.7.4")]
    assert pair.server.next_deadline() is None


def test_time_wait_lasts_exactly_two_msl() -> None:
    pair = ConnectionPair(client=client_endpoint(msl=30.0)).handshake()
    pair.pump(pair.client, pair.client.close(1.0))
    pair.now = 5.0
    pair.pump(pair.server, pair.server.close(pair.now))
    assert pair.client.state is State.TIME_WAIT
    assert pair.client.next_deadline() == 65.0

    assert pair.client.poll(64.999).events == []
    assert pair.client.state is State.TIME_WAIT
    out = pair.client.poll(65.0)
    assert out.segments == []
    assert out.events == [StateChanged(State.TIME_WAIT, State.CLOSED,
                                       TRANSITIONS[State.TIME_WAIT][TcpEvent.TIMEOUT_2MSL].rule,
                                       "RFC 9293 §3.10.8")]
    assert pair.client.next_deadline() is None


def test_default_msl_gives_four_minutes() -> None:
    pair = established_pair()
    pair.pump(pair.client, pair.client.close(0.0))
    pair.pump(pair.server, pair.server.close(0.0))
    assert pair.client.next_deadline() == 240.0


def test_retransmitted_fin_in_time_wait_is_acked_and_restarts_the_timer() -> None:
    pair = ConnectionPair(client=client_endpoint(msl=30.0)).handshake()
    pair.pump(pair.client, pair.client.close(0.0))
    server_fin = pair.server.close(0.0).segments
    pair.deliver(pair.client, server_fin)  # the client's ACK is lost
    assert pair.client.next_deadline() == 60.0

    out = pair.client.receive(server_fin[0], 40.0)  # the server retransmits its FIN
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(1002, 5002, Flag.ACK)]
    assert events_of(out, StateChanged) == []
    assert pair.client.next_deadline() == 100.0
    assert pair.client.poll(60.0).events == [] and pair.client.state is State.TIME_WAIT
    pair.client.poll(100.0)
    assert pair.client.state is State.CLOSED


def test_simultaneous_close() -> None:
    pair = established_pair()
    pair.trace.clear()
    client_fin = pair.client.close(1.0).segments
    server_fin = pair.server.close(1.0).segments
    pair.now = 1.0
    client_ack = pair.deliver(pair.client, server_fin)
    server_ack = pair.deliver(pair.server, client_fin)
    assert _states(pair) == (State.CLOSING, State.CLOSING)
    assert [(s.seq, s.ack, s.flags) for s in client_ack] == [(1002, 5002, Flag.ACK)]
    assert [(s.seq, s.ack, s.flags) for s in server_ack] == [(5002, 1002, Flag.ACK)]
    pair.deliver(pair.client, server_ack)
    pair.deliver(pair.server, client_ack)
    assert _states(pair) == (State.TIME_WAIT, State.TIME_WAIT)
    assert pair.client.next_deadline() == 241.0


def test_fin_that_acks_our_fin_goes_straight_to_time_wait() -> None:
    pair = established_pair()
    client_fin = pair.client.close(1.0).segments
    pair.deliver(pair.server, client_fin)  # the server's ACK of it is lost...
    server_fin = pair.server.close(1.0).segments  # ...but its FIN acknowledges ours too
    assert [(s.seq, s.ack) for s in server_fin] == [(5001, 1002)]
    out = pair.client.receive(server_fin[0], 1.1)
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(1002, 5002, Flag.ACK)]
    row = TRANSITIONS[State.FIN_WAIT_1][TcpEvent.RCV_FIN_ACK_OF_FIN]
    assert events_of(out, StateChanged) == [
        StateChanged(State.FIN_WAIT_1, State.TIME_WAIT, row.rule, row.section)]
    assert pair.client.next_deadline() == 241.1


def test_fin_retransmitted_then_given_up() -> None:
    pair = ConnectionPair(client=client_endpoint(max_retransmits=2)).handshake()
    pair.client.close(10.0)
    assert pair.client.next_deadline() == 11.0
    first = pair.client.poll(11.0)
    assert [(s.seq, s.ack, s.flags) for s in first.segments] == [(1001, 5001, Flag.FIN | Flag.ACK)]
    assert first.events == [Retransmitted(SegmentKind.FIN, 1)]
    assert pair.client.poll(13.0).events == [Retransmitted(SegmentKind.FIN, 2)]
    last = pair.client.poll(17.0)
    assert [type(e) for e in last.events] == [ConnectionTimedOut, StateChanged]
    assert pair.client.state is State.CLOSED


def test_last_ack_retransmits_its_fin() -> None:
    pair = established_pair()
    pair.pump(pair.server, pair.server.close(0.0))
    pair.client.close(2.0)
    out = pair.client.poll(3.0)
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(1001, 5002, Flag.FIN | Flag.ACK)]
    assert pair.client.state is State.LAST_ACK


def test_fin_waits_for_queued_data() -> None:
    pair = ConnectionPair(server=server_endpoint(window=3000)).handshake()
    out = pair.client.send(b"a" * 5000, 1.0)
    assert [(s.seq, len(s.payload)) for s in out.segments] == [(1001, 1460), (2461, 1460),
                                                             (3921, 80)]
    close = pair.client.close(1.0)
    assert close.segments == [] and pair.client.state is State.FIN_WAIT_1
    pair.trace.clear()
    pair.pump(pair.client, out)
    sent = [(s.segment.seq, len(s.segment.payload), s.segment.flags)
            for s in pair.trace if s.sender == C]
    assert sent[-1] == (6001, 0, Flag.FIN | Flag.ACK)
    assert pair.server.read() == b"a" * 5000
    assert _states(pair) == (State.FIN_WAIT_2, State.CLOSE_WAIT)


def test_half_close_the_passive_side_may_still_send() -> None:
    pair = established_pair()
    pair.pump(pair.client, pair.client.close(1.0))
    pair.trace.clear()
    pair.pump(pair.server, pair.server.send(b"late reply", 2.0))
    assert pair.ladder() == [(S, SegmentKind.DATA, 5001, 1002), (C, SegmentKind.ACK, 1002, 5011)]
    assert pair.client.read() == b"late reply"
    assert pair.client.state is State.FIN_WAIT_2


def test_data_after_the_peers_fin_is_ignored() -> None:
    pair = established_pair()
    pair.pump(pair.server, pair.server.close(0.0))
    assert pair.client.state is State.CLOSE_WAIT
    bogus = from_peer(pair.client, Flag.PSH | Flag.ACK, 5002, 1001, payload=b"zzz")
    out = pair.client.receive(bogus, 1.0)
    assert pair.client.read() == b"" and pair.client.rcv_nxt == 5002
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]


def test_close_in_syn_received_waits_for_queued_data() -> None:
    pair = ConnectionPair()
    pair.server.open_passive(0.0)
    syn = pair.client.open_active(0.0).segments
    syn_ack = pair.deliver(pair.server, syn)
    pair.server.send(b"hi", 0.0)
    assert pair.server.close(0.0).segments == [] and pair.server.state is State.SYN_RECEIVED
    ack = pair.deliver(pair.client, syn_ack)
    out = pair.server.receive(ack[0], 0.1)
    assert [(s.seq, s.payload, s.flags) for s in out.segments] == [
        (5001, b"hi", Flag.PSH | Flag.ACK), (5003, b"", Flag.FIN | Flag.ACK)]
    assert pair.server.state is State.FIN_WAIT_1


def test_close_in_syn_sent_forgets_the_connection() -> None:
    client = client_endpoint()
    client.open_active(0.0)
    out = client.close(0.5)
    assert out.segments == [] and client.state is State.CLOSED
    assert client.next_deadline() is None and client.poll(5.0).segments == []


def test_abort_sends_rst_at_snd_nxt_and_the_peer_is_reset() -> None:
    pair = established_pair()
    pair.client.send(b"12345", 1.0)
    out = pair.client.abort(1.0)
    assert out.segments == [Segment(src_port=40000, dst_port=443, seq=1006, ack=0,
                                    flags=Flag.RST, window=0)]
    assert [type(e) for e in out.events] == [ResetSent, StateChanged]
    assert pair.client.state is State.CLOSED and pair.client.next_deadline() is None
    peer = pair.server.receive(from_peer(pair.server, Flag.RST, 1001), 1.1)
    assert [type(e) for e in peer.events] == [ConnectionReset, StateChanged]
    assert peer.segments == [] and pair.server.state is State.CLOSED


def test_abort_in_time_wait_sends_nothing() -> None:
    pair = established_pair()
    pair.pump(pair.client, pair.client.close(0.0))
    pair.pump(pair.server, pair.server.close(0.0))
    out = pair.client.abort(1.0)
    assert out.segments == [] and pair.client.state is State.CLOSED
    assert pair.client.next_deadline() is None
