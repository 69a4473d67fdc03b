"""Opening connections: the three-way handshake, options, ISN choice, simultaneous open,
SYN and SYN,ACK retransmission on the injected clock, and user calls that do not apply."""

from __future__ import annotations

import dataclasses

import pytest

from engine.rng import SeededRandom
from engine.tcp.endpoint import Endpoint, EndpointConfig
from engine.tcp.events import (
    ConnectionTimedOut,
    Retransmitted,
    SegmentDropped,
    StateChanged,
    UserCallRejected,
)
from engine.tcp.segment import (
    Flag,
    MaxSegmentSize,
    NoOperation,
    SackPermitted,
    Segment,
    SegmentKind,
    Timestamps,
    WindowScale,
)
from engine.tcp.states import TRANSITIONS, State, TcpEvent
from tests.engine.tcp.tcp_helpers import (
    CLIENT,
    SERVER,
    ConnectionPair,
    client_endpoint,
    events_of,
    from_peer,
    kinds,
    reach,
    server_endpoint,
    snapshot,
)

DEFAULT_SYN_OPTIONS = (MaxSegmentSize(1460), NoOperation(), NoOperation(), SackPermitted(),
                       NoOperation(), WindowScale(7))


def test_three_way_handshake_exact_segments() -> None:
    pair = ConnectionPair().handshake()

    assert pair.ladder() == [
        ("client", SegmentKind.SYN, 1000, 0),
        ("server", SegmentKind.SYN_ACK, 5000, 1001),
        ("client", SegmentKind.ACK, 1001, 5001),
    ]
    syn, syn_ack, ack = (sent.segment for sent in pair.trace)
    assert syn == Segment(src_port=40000, dst_port=443, seq=1000, ack=0, flags=Flag.SYN,
                          window=64240, options=DEFAULT_SYN_OPTIONS, checksum=None)
    assert syn_ack == Segment(src_port=443, dst_port=40000, seq=5000, ack=1001,
                              flags=Flag.SYN | Flag.ACK, window=64240,
                              options=DEFAULT_SYN_OPTIONS)
    # Both SYNs carried window scale 7: from here on the field is RCV.WND >> 7 (RFC 7323 §2.3)
    assert ack == Segment(src_port=40000, dst_port=443, seq=1001, ack=5001, flags=Flag.ACK,
                          window=64240 >> 7)


def test_handshake_control_blocks() -> None:
    pair = ConnectionPair().handshake()
    client, server = pair.client, pair.server
    assert (client.iss, client.irs, client.snd_una, client.snd_nxt, client.rcv_nxt) == (
        1000, 5000, 1001, 1001, 5001)
    assert (server.iss, server.irs, server.snd_una, server.snd_nxt, server.rcv_nxt) == (
        5000, 1000, 5001, 5001, 1001)
    # The SYN,ACK's window is never scaled; the ACK's 501 is scaled by the client's shift, 7.
    assert (client.snd_wnd, server.snd_wnd, client.rcv_wnd) == (64240, 501 << 7, 64240)
    assert server.remote == CLIENT and client.remote == SERVER
    assert client.next_deadline() is None and server.next_deadline() is None


def test_handshake_state_changes_quote_the_table() -> None:
    pair = ConnectionPair().handshake()
    row = TRANSITIONS[State.SYN_SENT][TcpEvent.RCV_SYN_ACK]
    assert [e for e in pair.events["client"] if isinstance(e, StateChanged)] == [
        StateChanged(State.CLOSED, State.SYN_SENT,
                     TRANSITIONS[State.CLOSED][TcpEvent.OPEN_ACTIVE].rule, "RFC 9293 §3.10.1"),
        StateChanged(State.SYN_SENT, State.ESTABLISHED, row.rule, "RFC 9293 §3.10.7.3"),
    ]
    assert [(e.old, e.new) for e in pair.events["server"] if isinstance(e, StateChanged)] == [
        (State.CLOSED, State.LISTEN),
        (State.LISTEN, State.SYN_RECEIVED),
        (State.SYN_RECEIVED, State.ESTABLISHED),
    ]


def test_syn_ack_echoes_only_offered_options_and_mss_is_recorded() -> None:
    client = client_endpoint(mss=1200, sack_permitted=False, window_scale=None)
    pair = ConnectionPair(client=client).handshake()
    syn, syn_ack, _ = (sent.segment for sent in pair.trace)
    assert syn.options == (MaxSegmentSize(1200),)
    assert syn_ack.options == (MaxSegmentSize(1460),)
    assert pair.server.peer_mss == 1200 and pair.client.peer_mss == 1460
    assert pair.server.peer_window_scale is None and not pair.server.peer_sack_permitted
    assert pair.client.peer_window_scale is None


def test_timestamps_negotiated_from_the_injected_clock() -> None:
    pair = ConnectionPair(client=client_endpoint(timestamps=True),
                          server=server_endpoint(timestamps=True))
    pair.pump(pair.server, pair.server.open_passive(0.0))
    pair.now = 1.5
    pair.pump(pair.client, pair.client.open_active(pair.now))
    syn, syn_ack, ack = (sent.segment for sent in pair.trace)
    assert syn.options == (MaxSegmentSize(1460), SackPermitted(), Timestamps(1500, 0),
                           NoOperation(), WindowScale(7))
    assert syn_ack.options == (MaxSegmentSize(1460), SackPermitted(), Timestamps(1500, 1500),
                               NoOperation(), WindowScale(7))
    assert ack.options == (NoOperation(), NoOperation(), Timestamps(1500, 1500))
    assert pair.client.timestamps_enabled and pair.server.timestamps_enabled


def test_timestamps_not_used_when_the_peer_does_not_offer_them() -> None:
    pair = ConnectionPair(server=server_endpoint(timestamps=True)).handshake()
    syn_ack = pair.trace[1].segment
    assert not any(isinstance(option, Timestamps) for option in syn_ack.options)
    assert not pair.server.timestamps_enabled


def test_next_isn_is_used_once() -> None:
    client = client_endpoint(isn=1000)
    client.next_isn = 2**32 - 1
    out = client.open_active(0.0)
    assert out.segments[0].seq == 2**32 - 1 and client.snd_nxt == 0  # wraps
    assert client.next_isn is None
    client.abort(0.0)
    assert client.open_active(0.0).segments[0].seq == 1000


def test_isn_from_a_seeded_source() -> None:
    rng = SeededRandom(7)
    expected = SeededRandom(7).uint32()
    client = Endpoint("client", EndpointConfig(local=CLIENT, remote=SERVER), rng.uint32)
    assert client.open_active(0.0).segments[0].seq == expected


def test_listen_fills_in_an_unspecified_remote() -> None:
    server = Endpoint("server", EndpointConfig(local=SERVER), lambda: 5000)
    server.open_passive(0.0)
    syn = Segment(src_port=51000, dst_port=443, seq=10, ack=0, flags=Flag.SYN, window=1000)
    out = server.receive(syn, 0.0, src_ip=CLIENT.ip)
    assert server.remote is not None and server.remote.port == 51000
    assert server.remote.ip == CLIENT.ip
    assert (out.segments[0].dst_port, out.segments[0].ack) == (51000, 11)


def test_simultaneous_open() -> None:
    pair = ConnectionPair()
    client_syn = pair.client.open_active(0.0).segments
    server_syn = pair.server.open_active(0.0).segments
    assert (client_syn[0].seq, server_syn[0].seq) == (1000, 5000)

    client_syn_ack = pair.deliver(pair.client, server_syn)
    server_syn_ack = pair.deliver(pair.server, client_syn)
    assert pair.client.state is State.SYN_RECEIVED and pair.server.state is State.SYN_RECEIVED
    assert not pair.client.passive_open
    # <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    assert [(s.seq, s.ack, s.flags) for s in client_syn_ack] == [(1000, 5001, Flag.SYN | Flag.ACK)]
    assert [(s.seq, s.ack, s.flags) for s in server_syn_ack] == [(5000, 1001, Flag.SYN | Flag.ACK)]

    assert pair.deliver(pair.client, server_syn_ack) == []
    assert pair.deliver(pair.server, client_syn_ack) == []
    assert pair.client.state is State.ESTABLISHED and pair.server.state is State.ESTABLISHED
    assert (pair.client.snd_una, pair.client.rcv_nxt) == (1001, 5001)
    assert (pair.server.snd_una, pair.server.rcv_nxt) == (5001, 1001)


def test_data_queued_before_established_is_sent_after_the_ack() -> None:
    pair = ConnectionPair()
    pair.pump(pair.server, pair.server.open_passive(0.0))
    syn = pair.client.open_active(0.0)
    assert pair.client.send(b"early", 0.0).segments == []
    pair.pump(pair.client, syn)
    assert pair.ladder()[2:] == [("client", SegmentKind.ACK, 1001, 5001),
                                 ("client", SegmentKind.DATA, 1001, 5001),
                                 ("server", SegmentKind.ACK, 5001, 1006)]
    assert pair.server.read() == b"early"


def test_send_on_listen_with_known_peer_turns_active() -> None:
    client = client_endpoint()
    client.open_passive(0.0)
    out = client.send(b"x", 0.0)
    assert client.state is State.SYN_SENT
    assert [(s.seq, s.flags) for s in out.segments] == [(1000, Flag.SYN)]


def test_syn_retransmitted_at_one_then_three_seconds() -> None:
    client = client_endpoint()
    client.open_active(0.0)
    assert client.next_deadline() == 1.0
    assert client.poll(0.999).segments == []

    first = client.poll(1.0)
    assert [(s.seq, s.flags) for s in first.segments] == [(1000, Flag.SYN)]
    assert first.segments[0].options == DEFAULT_SYN_OPTIONS
    assert first.events == [Retransmitted(SegmentKind.SYN, 1)]
    assert client.next_deadline() == 3.0

    assert client.poll(2.5).segments == []
    second = client.poll(3.0)
    assert second.events == [Retransmitted(SegmentKind.SYN, 2)]
    assert client.next_deadline() == 7.0


def test_syn_gives_up_after_max_retransmits() -> None:
    client = client_endpoint(max_retransmits=3)
    client.open_active(0.0)
    times = []
    while client.state is State.SYN_SENT:
        deadline = client.next_deadline()
        assert deadline is not None
        times.append(deadline)
        out = client.poll(deadline)
    assert times == [1.0, 3.0, 7.0, 15.0]
    assert out.segments == []
    assert [type(e) for e in out.events] == [ConnectionTimedOut, StateChanged]
    assert client.state is State.CLOSED and client.next_deadline() is None


def test_default_give_up_time() -> None:
    client = client_endpoint()
    client.open_active(0.0)
    sent = 0
    while client.state is State.SYN_SENT:
        deadline = client.next_deadline()
        assert deadline is not None
        sent += len(client.poll(deadline).segments)
    assert sent == 5 and deadline == 63.0


def test_syn_ack_retransmitted_with_current_ack() -> None:
    server = server_endpoint()
    server.open_passive(0.0)
    server.receive(from_peer(server, Flag.SYN, 1000), 0.5)
    assert server.next_deadline() == 1.5
    out = server.poll(1.5)
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(5000, 1001, Flag.SYN | Flag.ACK)]
    assert out.events == [Retransmitted(SegmentKind.SYN_ACK, 1)]


def test_ack_of_syn_stops_the_timer() -> None:
    pair = ConnectionPair().handshake()
    assert pair.client.poll(100.0).segments == []
    assert pair.server.poll(100.0).segments == []


def test_duplicate_syn_in_syn_received_is_answered_with_an_ack() -> None:
    server = server_endpoint()
    server.open_passive(0.0)
    server.receive(from_peer(server, Flag.SYN, 1000), 0.0)
    out = server.receive(from_peer(server, Flag.SYN, 1000), 1.0)  # the client retransmits
    assert [(s.seq, s.ack, s.flags) for s in out.segments] == [(5001, 1001, Flag.ACK)]
    assert server.state is State.SYN_RECEIVED


# --- user calls that do not apply: rejected, and nothing changes -----------------------------

REJECTED_CALLS = [
    (State.CLOSED, "send", "connection does not exist"),
    (State.CLOSED, "close", "connection does not exist"),
    (State.CLOSED, "abort", "connection does not exist"),
    (State.LISTEN, "open_passive", "connection already exists"),
    (State.ESTABLISHED, "open_active", "connection already exists"),
    (State.FIN_WAIT_1, "send", "connection closing"),
    (State.FIN_WAIT_1, "close", "connection closing"),
    (State.TIME_WAIT, "send", "connection closing"),
    (State.LAST_ACK, "close", "connection closing"),
]


@pytest.mark.parametrize(("state", "call", "words"), REJECTED_CALLS)
def test_rejected_user_call_changes_nothing(state: State, call: str, words: str) -> None:
    endpoint = reach(state)
    before = snapshot(endpoint)
    method = getattr(endpoint, call)
    out = method(b"x", 5.0) if call == "send" else method(5.0)
    assert out.segments == []
    assert len(out.events) == 1
    event = out.events[0]
    assert isinstance(event, UserCallRejected)
    assert words in event.reason
    assert event.section.startswith("RFC 9293 §3.10.")
    assert snapshot(endpoint) == before


def test_open_active_without_a_remote_is_rejected() -> None:
    endpoint = Endpoint("server", EndpointConfig(local=SERVER), lambda: 1)
    out = endpoint.open_active(0.0)
    assert out.events == [UserCallRejected(
        TcpEvent.OPEN_ACTIVE, "foreign socket unspecified: an active OPEN needs the peer's "
        "address and port", "RFC 9293 §3.10.1")]
    assert endpoint.state is State.CLOSED


def test_segment_for_another_port_is_dropped() -> None:
    server = server_endpoint()
    server.open_passive(0.0)
    stray = Segment(src_port=40000, dst_port=80, seq=1, ack=0, flags=Flag.SYN, window=100)
    out = server.receive(stray, 0.0)
    assert out.segments == [] and server.state is State.LISTEN
    assert [type(e) for e in out.events] == [SegmentDropped]


def test_copy_is_independent() -> None:
    pair = ConnectionPair().handshake()
    fork = pair.client.copy()
    fork.send(b"only in the fork", 1.0)
    fork.close(1.0)
    assert fork.state is State.FIN_WAIT_1 and fork.snd_nxt == 1001 + 16 + 1
    assert pair.client.state is State.ESTABLISHED
    assert (pair.client.snd_nxt, pair.client.next_deadline()) == (1001, None)
    assert pair.client.send(b"real", 1.0).segments[0].seq == 1001


def test_copy_forks_a_seeded_isn_source() -> None:
    rng = SeededRandom(3)
    client = Endpoint("client", EndpointConfig(local=CLIENT, remote=SERVER), rng.uint32)
    fork = client.copy()
    assert fork.open_active(0.0).segments[0].seq == client.open_active(0.0).segments[0].seq


def test_kinds_helper_agrees_with_the_table_kinds() -> None:
    client = client_endpoint()
    assert kinds(client.open_active(0.0)) == [SegmentKind.SYN]
    assert events_of(client.open_active(0.0), UserCallRejected)


def test_window_scaling_needs_the_option_in_both_syns() -> None:
    """RFC 7323 §1.3: one side without the option turns scaling off for both directions."""
    pair = ConnectionPair(client=client_endpoint(window_scale=None)).handshake()
    ack = pair.trace[-1].segment
    assert ack.window == 64240
    assert pair.server.snd_wnd == 64240 and pair.client.snd_wnd == 64240


def test_a_peer_shift_above_14_counts_as_14() -> None:
    client = reach(State.SYN_SENT)
    syn_ack = dataclasses.replace(from_peer(client, Flag.SYN | Flag.ACK, 7000, 1001, window=1000),
                                  options=(NoOperation(), WindowScale(20)))
    client.receive(syn_ack, 0.0)
    assert client.snd_wnd == 1000  # a SYN's window is never scaled
    client.receive(from_peer(client, Flag.ACK, 7001, 1001, window=3), 0.1)
    assert client.snd_wnd == 3 << 14
