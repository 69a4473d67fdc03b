"""Resets and the replies to bad segments, with exact seq/ack values: RFC 9293 §3.10.7.1 to
§3.10.7.4 and the RFC 5961 challenge ACKs (§3.2 RST, §4.2 SYN, §5.2 ACK)."""

from __future__ import annotations

import pytest

from engine.tcp.events import (
    ChallengeAckSent,
    ConnectionRefused,
    ConnectionReset,
    DataReceived,
    DroppedWithAck,
    ResetSent,
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
    reach,
    server_endpoint,
    snapshot,
)

RST, ACK, SYN, FIN, PSH = Flag.RST, Flag.ACK, Flag.SYN, Flag.FIN, Flag.PSH
WINDOW = 64240


def _reply(segments: list[Segment]) -> list[tuple[int, int, Flag]]:
    return [(s.seq, s.ack, s.flags) for s in segments]


# --- RFC 9293 §3.10.7.1: CLOSED -----------------------------------------------------------


def test_closed_answers_an_ack_with_rst_at_seg_ack() -> None:
    closed = client_endpoint()
    out = closed.receive(from_peer(closed, PSH | ACK, 300, 777, payload=b"abc"), 0.0)
    assert out.segments == [Segment(src_port=40000, dst_port=443, seq=777, ack=0, flags=RST,
                                    window=0)]
    assert [type(e) for e in out.events] == [ResetSent]
    assert out.events[0].section == "RFC 9293 §3.10.7.1"  # type: ignore[union-attr]
    assert closed.state is State.CLOSED


@pytest.mark.parametrize(("flags", "payload", "expected_ack"), [
    (SYN, b"", 301),
    (FIN, b"", 301),
    (PSH, b"abcde", 305),
    (SYN | FIN, b"xy", 304),
])
def test_closed_answers_a_segment_without_ack_with_rst_ack(flags: Flag, payload: bytes,
                                                          expected_ack: int) -> None:
    closed = client_endpoint()
    out = closed.receive(from_peer(closed, flags, 300, payload=payload), 0.0)
    assert _reply(out.segments) == [(0, expected_ack, RST | ACK)]


def test_closed_answers_across_the_wrap() -> None:
    closed = client_endpoint()
    out = closed.receive(from_peer(closed, SYN, 2**32 - 1), 0.0)
    assert _reply(out.segments) == [(0, 0, RST | ACK)]


def test_closed_drops_a_rst() -> None:
    closed = client_endpoint()
    out = closed.receive(from_peer(closed, RST | ACK, 300, 777), 0.0)
    assert out.segments == []
    assert [type(e) for e in out.events] == [SegmentDropped]


# --- RFC 9293 §3.10.7.2: LISTEN -----------------------------------------------------------


def test_listen_ignores_a_rst() -> None:
    server = reach(State.LISTEN)
    out = server.receive(from_peer(server, RST, 300), 0.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert server.state is State.LISTEN


def test_listen_answers_an_ack_with_rst_at_seg_ack() -> None:
    server = reach(State.LISTEN)
    out = server.receive(from_peer(server, ACK, 300, 9999), 0.0)
    assert _reply(out.segments) == [(9999, 0, RST)]
    assert server.state is State.LISTEN


def test_listen_answers_a_syn_ack_with_rst_at_seg_ack() -> None:
    server = reach(State.LISTEN)
    out = server.receive(from_peer(server, SYN | ACK, 300, 4242), 0.0)
    assert _reply(out.segments) == [(4242, 0, RST)]
    assert server.state is State.LISTEN


def test_listen_drops_a_segment_without_syn_ack_or_rst() -> None:
    server = reach(State.LISTEN)
    out = server.receive(from_peer(server, FIN, 300), 0.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]


# --- RFC 9293 §3.10.7.3: SYN-SENT (ISS=1000, SND.NXT=1001) --------------------------------


@pytest.mark.parametrize("bad_ack", [1000, 995, 1002, 2**32 - 1])
def test_syn_sent_answers_an_unacceptable_ack_with_rst(bad_ack: int) -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, SYN | ACK, 7000, bad_ack), 0.0)
    assert _reply(out.segments) == [(bad_ack, 0, RST)]
    assert client.state is State.SYN_SENT and client.snd_una == 1000


def test_syn_sent_drops_a_rst_with_unacceptable_ack() -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, RST | ACK, 0, 1000), 0.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert client.state is State.SYN_SENT


def test_syn_sent_drops_a_rst_without_ack() -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, RST, 0), 0.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert client.state is State.SYN_SENT


def test_syn_sent_is_reset_by_a_rst_acking_its_syn() -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, RST | ACK, 0, 1001), 0.0)
    assert out.segments == []
    assert [type(e) for e in out.events] == [ConnectionRefused, StateChanged]
    assert isinstance(out.events[0], ConnectionReset)  # a refusal is a reset while opening
    assert client.state is State.CLOSED and client.next_deadline() is None


def test_syn_sent_drops_an_acceptable_ack_without_syn() -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, ACK, 7000, 1001), 0.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert client.state is State.SYN_SENT


def test_syn_sent_syn_ack_establishes_and_acks() -> None:
    client = reach(State.SYN_SENT)
    out = client.receive(from_peer(client, SYN | ACK, 7000, 1001), 0.0)
    assert _reply(out.segments) == [(1001, 7001, ACK)]
    assert (client.state, client.irs, client.rcv_nxt, client.snd_una) == (
        State.ESTABLISHED, 7000, 7001, 1001)


def test_recovery_from_an_old_duplicate_syn() -> None:
    """RFC 9293 §3.5: an old SYN reaches the server first; the client's RST undoes it."""
    pair = ConnectionPair()
    pair.pump(pair.server, pair.server.open_passive(0.0))
    pair.client.open_active(0.0)
    old_syn = from_peer(pair.server, SYN, 90)
    old_syn_ack = pair.deliver(pair.server, [old_syn])
    assert _reply(old_syn_ack) == [(5000, 91, SYN | ACK)]
    reset = pair.deliver(pair.client, old_syn_ack)
    assert _reply(reset) == [(91, 0, RST)]  # <SEQ=SEG.ACK><CTL=RST>
    assert pair.deliver(pair.server, reset) == []
    assert pair.server.state is State.LISTEN and pair.server.next_deadline() is None
    assert pair.client.state is State.SYN_SENT
    pair.pump(pair.client, pair.client.poll(1.0))  # the real SYN, retransmitted
    assert pair.client.state is State.ESTABLISHED and pair.server.state is State.ESTABLISHED
    assert pair.server.irs == 1000 and pair.server.iss == 105000  # a fresh ISS


# --- RFC 9293 §3.10.7.4: sequence acceptability ---------------------------------------------


@pytest.mark.parametrize(("seq", "length", "acceptable"), [
    (5001, 0, True),                    # at RCV.NXT
    (5001 + WINDOW - 1, 0, True),       # last sequence number in the window
    (5001 + WINDOW, 0, False),          # one past the window
    (5000, 0, False),                   # one before RCV.NXT
    (4999, 3, True),                    # straddles the left edge: 5001 is new
    (4996, 5, False),                   # ends at 5000: all old
    (5001 + WINDOW, 4, False),          # starts past the window
])
def test_established_acceptability(seq: int, length: int, acceptable: bool) -> None:
    pair = established_pair()
    client = pair.client
    flags = PSH | ACK if length else ACK
    out = client.receive(from_peer(client, flags, seq, 1001, payload=b"z" * length), 1.0)
    if acceptable:
        assert not events_of(out, DroppedWithAck)
    else:
        assert _reply(out.segments) == [(1001, 5001, ACK)]  # <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
        assert [type(e) for e in out.events] == [DroppedWithAck]
        assert client.rcv_nxt == 5001


def test_only_the_new_part_of_a_straddling_segment_is_delivered() -> None:
    pair = established_pair()
    out = pair.client.receive(from_peer(pair.client, PSH | ACK, 4998, 1001, payload=b"oldNEW"),
                              1.0)
    assert events_of(out, DataReceived) == [DataReceived(b"NEW")]
    assert _reply(out.segments) == [(1001, 5004, ACK)]


def test_zero_window_accepts_only_empty_segments_at_rcv_nxt() -> None:
    pair = ConnectionPair(client=client_endpoint(window=0)).handshake()
    client = pair.client
    out = client.receive(from_peer(client, PSH | ACK, 5001, 1001, payload=b"x"), 1.0)
    assert _reply(out.segments) == [(1001, 5001, ACK)] and client.read() == b""
    out = client.receive(from_peer(client, ACK, 5002, 1001), 1.0)
    assert _reply(out.segments) == [(1001, 5001, ACK)]
    out = client.receive(from_peer(client, ACK, 5001, 1001), 1.0)
    assert out.segments == [] and out.events == []


def test_unacceptable_segment_in_syn_received_gets_an_ack() -> None:
    server = reach(State.SYN_RECEIVED)
    out = server.receive(from_peer(server, ACK, 7000 + 1 + WINDOW, 5001), 0.0)
    assert _reply(out.segments) == [(5001, 7001, ACK)]
    assert server.state is State.SYN_RECEIVED


# --- RFC 5961 §3.2: RST must land exactly on RCV.NXT ----------------------------------------


@pytest.mark.parametrize("state", [State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2,
                                   State.CLOSE_WAIT])
def test_rst_exactly_at_rcv_nxt_resets_and_tells_the_user(state: State) -> None:
    endpoint = reach(state)
    out = endpoint.receive(from_peer(endpoint, RST, endpoint.rcv_nxt), 1.0)
    assert out.segments == []
    assert [type(e) for e in out.events] == [ConnectionReset, StateChanged]
    assert endpoint.state is State.CLOSED and endpoint.next_deadline() is None


@pytest.mark.parametrize("state", [State.CLOSING, State.LAST_ACK, State.TIME_WAIT])
def test_rst_exactly_at_rcv_nxt_closes_a_closing_connection(state: State) -> None:
    endpoint = reach(state)
    out = endpoint.receive(from_peer(endpoint, RST, endpoint.rcv_nxt), 1.0)
    assert out.segments == [] and [type(e) for e in out.events] == [StateChanged]
    assert endpoint.state is State.CLOSED and endpoint.next_deadline() is None


@pytest.mark.parametrize("offset", [1, 1000, WINDOW - 1])
def test_rst_in_window_but_not_exact_gets_a_challenge_ack(offset: int) -> None:
    pair = established_pair()
    client = pair.client
    before = snapshot(client)
    out = client.receive(from_peer(client, RST, 5001 + offset), 1.0)
    assert _reply(out.segments) == [(1001, 5001, ACK)]
    assert [type(e) for e in out.events] == [ChallengeAckSent]
    assert out.events[0].section == "RFC 5961 §3.2"  # type: ignore[union-attr]
    assert snapshot(client) == before


@pytest.mark.parametrize("seq", [5001 + WINDOW, 5000, 5001 - 70000])
def test_rst_outside_the_window_is_dropped_silently(seq: int) -> None:
    pair = established_pair()
    out = pair.client.receive(from_peer(pair.client, RST, seq), 1.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert pair.client.state is State.ESTABLISHED


def test_the_challenge_ack_draws_the_real_rst() -> None:
    """A peer that lost the connection answers the challenge ACK with a RST at RCV.NXT."""
    pair = established_pair()
    client = pair.client
    challenge = client.receive(from_peer(client, RST, 5010), 1.0).segments
    rebooted = server_endpoint()  # the peer after a reboot: CLOSED, no connection at all
    reset = rebooted.receive(challenge[0], 1.0).segments
    assert _reply(reset) == [(5001, 0, RST)]  # <SEQ=SEG.ACK><CTL=RST>
    out = client.receive(reset[0], 1.1)
    assert [type(e) for e in out.events] == [ConnectionReset, StateChanged]
    assert client.state is State.CLOSED


def test_rst_in_syn_received_from_listen_returns_to_listen() -> None:
    server = reach(State.SYN_RECEIVED)
    out = server.receive(from_peer(server, RST, 7001), 0.5)
    row = TRANSITIONS[State.SYN_RECEIVED][TcpEvent.RCV_RST]
    assert out.segments == []
    assert out.events == [StateChanged(State.SYN_RECEIVED, State.LISTEN, row.rule, row.section)]
    assert server.next_deadline() is None and server.poll(10.0).segments == []
    again = server.receive(from_peer(server, SYN, 8000), 1.0)
    assert _reply(again.segments) == [(105000, 8001, SYN | ACK)]


def test_rst_in_syn_received_after_simultaneous_open_is_refused() -> None:
    client = reach(State.SYN_RECEIVED, passive=False)
    out = client.receive(from_peer(client, RST, 7001), 0.5)
    assert out.segments == []
    assert [type(e) for e in out.events] == [ConnectionRefused, StateChanged]
    assert client.state is State.CLOSED


def test_rst_in_syn_received_off_by_one_gets_a_challenge_ack() -> None:
    server = reach(State.SYN_RECEIVED)
    out = server.receive(from_peer(server, RST, 7002), 0.5)
    assert _reply(out.segments) == [(5001, 7001, ACK)]
    assert server.state is State.SYN_RECEIVED


# --- RFC 5961 §4.2: SYN on a synchronized connection ----------------------------------------


@pytest.mark.parametrize("seq", [5001, 5001 + 100, 5001 + WINDOW, 123])
def test_syn_in_established_gets_a_challenge_ack(seq: int) -> None:
    pair = established_pair()
    client = pair.client
    before = snapshot(client)
    out = client.receive(from_peer(client, SYN, seq), 1.0)
    assert _reply(out.segments) == [(1001, 5001, ACK)]
    assert [type(e) for e in out.events] == [ChallengeAckSent]
    assert out.events[0].section == "RFC 5961 §4.2"  # type: ignore[union-attr]
    assert snapshot(client) == before


def test_syn_in_time_wait_is_challenged_and_the_new_client_resets_it() -> None:
    pair = established_pair()
    pair.pump(pair.client, pair.client.close(0.0))
    pair.pump(pair.server, pair.server.close(0.0))
    old = pair.client  # in TIME-WAIT, RCV.NXT=5002, SND.NXT=1002
    new_client = server_endpoint(isn=9000)  # same ports as the old server
    new_client.open_active(1.0)
    syn = from_peer(old, SYN, 9000)
    challenge = old.receive(syn, 1.0)
    assert _reply(challenge.segments) == [(1002, 5002, ACK)]
    reset = new_client.receive(challenge.segments[0], 1.0)
    assert _reply(reset.segments) == [(5002, 0, RST)]  # the ACK does not ack its SYN
    old.receive(reset.segments[0], 1.0)
    assert old.state is State.CLOSED


def test_in_window_syn_in_syn_received_from_listen_returns_to_listen() -> None:
    server = reach(State.SYN_RECEIVED)
    out = server.receive(from_peer(server, SYN, 7005), 0.5)
    assert out.segments == [] and server.state is State.LISTEN
    assert [type(e) for e in out.events] == [StateChanged]
    assert server.next_deadline() is None and server.remote == server.config.remote


def test_syn_in_syn_received_after_simultaneous_open_gets_a_challenge_ack() -> None:
    client = reach(State.SYN_RECEIVED, passive=False)
    out = client.receive(from_peer(client, SYN, 7005), 0.5)
    assert _reply(out.segments) == [(1001, 7001, ACK)]
    assert [type(e) for e in out.events] == [ChallengeAckSent]
    assert client.state is State.SYN_RECEIVED


# --- RFC 9293 §3.10.7.4 fifth step and RFC 5961 §5.2: the ACK field -------------------------


@pytest.mark.parametrize("bad_ack", [5000, 5002, 4000])
def test_syn_received_answers_an_unacceptable_ack_with_rst(bad_ack: int) -> None:
    server = reach(State.SYN_RECEIVED)  # SND.UNA=5000, SND.NXT=5001
    out = server.receive(from_peer(server, ACK, 7001, bad_ack), 0.5)
    assert _reply(out.segments) == [(bad_ack, 0, RST)]
    assert [type(e) for e in out.events] == [ResetSent]
    assert server.state is State.SYN_RECEIVED


def test_segment_without_ack_is_dropped_silently() -> None:
    pair = established_pair()
    out = pair.client.receive(from_peer(pair.client, PSH, 5001, payload=b"data"), 1.0)
    assert out.segments == [] and [type(e) for e in out.events] == [SegmentDropped]
    assert pair.client.read() == b""


def test_ack_of_unsent_data_gets_a_challenge_ack_and_the_data_is_dropped() -> None:
    pair = established_pair()
    client = pair.client
    out = client.receive(from_peer(client, PSH | ACK, 5001, 1002, payload=b"data"), 1.0)
    assert _reply(out.segments) == [(1001, 5001, ACK)]
    assert [type(e) for e in out.events] == [ChallengeAckSent]
    assert out.events[0].section == "RFC 5961 §5.2"  # type: ignore[union-attr]
    assert client.read() == b"" and client.rcv_nxt == 5001


def test_ack_below_snd_una_minus_max_snd_wnd_is_challenged() -> None:
    pair = established_pair()
    client = pair.client  # SND.UNA=1001, MAX.SND.WND=64240
    oldest = (1001 - WINDOW) % 2**32
    out = client.receive(from_peer(client, PSH | ACK, 5001, oldest - 1, payload=b"a"), 1.0)
    assert [type(e) for e in out.events] == [ChallengeAckSent]
    out = client.receive(from_peer(client, PSH | ACK, 5001, oldest, payload=b"a"), 1.0)
    assert events_of(out, DataReceived) == [DataReceived(b"a")]
    assert client.snd_una == 1001  # an old ACK is accepted but moves nothing


def test_half_open_connection_is_discovered_and_reset() -> None:
    """RFC 9293 §3.5.1: the server forgot the connection; the client's data draws a RST."""
    pair = established_pair()
    rebooted = server_endpoint()
    rebooted.open_passive(1.0)
    data = pair.client.send(b"hello?", 2.0).segments
    reset = rebooted.receive(data[0], 2.0)
    assert _reply(reset.segments) == [(5001, 0, RST)]
    out = pair.client.receive(reset.segments[0], 2.1)
    assert [type(e) for e in out.events] == [ConnectionReset, StateChanged]
    assert pair.client.state is State.CLOSED


# --- wraparound ------------------------------------------------------------------------------


def test_handshake_data_and_resets_across_the_wrap() -> None:
    pair = ConnectionPair(client=client_endpoint(isn=2**32 - 3),
                          server=server_endpoint(isn=2**32 - 1)).handshake()
    client, server = pair.client, pair.server
    assert pair.ladder() == [("client", SegmentKind.SYN, 2**32 - 3, 0),
                             ("server", SegmentKind.SYN_ACK, 2**32 - 1, 2**32 - 2),
                             ("client", SegmentKind.ACK, 2**32 - 2, 0)]
    assert (server.snd_nxt, client.rcv_nxt) == (0, 0)

    pair.trace.clear()
    pair.pump(client, client.send(b"across", 1.0))
    assert pair.ladder()[1][2:] == (0, 4)  # the server ACKs 2**32-2 + 6 = 4
    assert (client.snd_una, client.snd_nxt, server.rcv_nxt) == (4, 4, 4)
    assert server.read() == b"across"

    assert _reply(server.receive(from_peer(server, RST, 2), 1.0).segments) == []  # too old
    challenge = server.receive(from_peer(server, RST, 10), 1.0).segments
    assert _reply(challenge) == [(0, 4, ACK)]
    out = server.receive(from_peer(server, RST, 4), 1.0)
    assert [type(e) for e in out.events] == [ConnectionReset, StateChanged]


def test_fin_across_the_wrap() -> None:
    pair = ConnectionPair(client=client_endpoint(isn=2**32 - 2)).handshake()
    pair.trace.clear()
    pair.pump(pair.client, pair.client.close(1.0))
    assert pair.ladder()[0][2] == 2**32 - 1 and pair.ladder()[1][3] == 0
    assert pair.client.state is State.FIN_WAIT_2 and pair.client.snd_una == 0
