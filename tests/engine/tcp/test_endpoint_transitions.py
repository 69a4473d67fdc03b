"""Every row of the state table, driven on a real endpoint.

For each row (state, event) -> Transition, drive an endpoint into `state` (through real
handshakes and closes with a ConnectionPair), make `event` happen, and check the endpoint
lands in `next_state`, sends exactly the kind of segment the row names, and reports the
row's rule and section. The table drives the test: a row added without a way to reach its
state or fire its event fails `test_every_row_can_be_driven`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.tcp.endpoint import Endpoint, Output
from engine.tcp.events import StateChanged
from engine.tcp.segment import Flag
from engine.tcp.states import ACTIVE_OPEN_TRANSITIONS, TRANSITIONS, State, TcpEvent, Transition
from tests.engine.tcp.tcp_helpers import PEER_ISN, REACH, events_of, from_peer, kinds

NOW = 10.0

# --- making each event happen -------------------------------------------------------------


def _rcv_syn(ep: Endpoint) -> Output:
    if ep.state in (State.LISTEN, State.SYN_SENT):
        return ep.receive(from_peer(ep, Flag.SYN, PEER_ISN), NOW)
    return ep.receive(from_peer(ep, Flag.SYN, ep.rcv_nxt), NOW)  # in the window


def _rcv_fin(ep: Endpoint) -> Output:
    seq = ep.rcv_nxt - 1 if ep.state is State.TIME_WAIT else ep.rcv_nxt  # TIME-WAIT: a repeat
    return ep.receive(from_peer(ep, Flag.FIN | Flag.ACK, seq, ep.snd_una), NOW)


def _rcv_rst(ep: Endpoint) -> Output:
    if ep.state is State.SYN_SENT:
        return ep.receive(from_peer(ep, Flag.RST | Flag.ACK, 0, ep.snd_nxt), NOW)
    return ep.receive(from_peer(ep, Flag.RST, ep.rcv_nxt), NOW)


def _outstanding(ep: Endpoint) -> None:
    if ep.next_deadline() is None:
        ep.send(b"unanswered", NOW)


def _retransmit(ep: Endpoint) -> Output:
    _outstanding(ep)
    deadline = ep.next_deadline()
    assert deadline is not None
    return ep.poll(deadline)


def _give_up(ep: Endpoint) -> Output:
    _outstanding(ep)
    start = ep.state
    for _ in range(ep.config.max_retransmits + 1):
        deadline = ep.next_deadline()
        assert deadline is not None
        output = ep.poll(deadline)
        if ep.state is not start:
            return output
    raise AssertionError("the endpoint never gave up")


def _expire_time_wait(ep: Endpoint) -> Output:
    deadline = ep.next_deadline()
    assert deadline is not None
    return ep.poll(deadline)


FIRE: dict[TcpEvent, Callable[[Endpoint], Output]] = {
    TcpEvent.OPEN_ACTIVE: lambda ep: ep.open_active(NOW),
    TcpEvent.OPEN_PASSIVE: lambda ep: ep.open_passive(NOW),
    TcpEvent.SEND: lambda ep: ep.send(b"hello", NOW),
    TcpEvent.CLOSE: lambda ep: ep.close(NOW),
    TcpEvent.ABORT: lambda ep: ep.abort(NOW),
    TcpEvent.RCV_SYN: _rcv_syn,
    TcpEvent.RCV_SYN_ACK: lambda ep: ep.receive(
        from_peer(ep, Flag.SYN | Flag.ACK, PEER_ISN, ep.snd_nxt), NOW),
    TcpEvent.RCV_ACK_OF_SYN: lambda ep: ep.receive(
        from_peer(ep, Flag.ACK, ep.rcv_nxt, ep.snd_nxt), NOW),
    TcpEvent.RCV_DATA: lambda ep: ep.receive(
        from_peer(ep, Flag.PSH | Flag.ACK, ep.rcv_nxt, ep.snd_una, payload=b"data"), NOW),
    TcpEvent.RCV_FIN: _rcv_fin,
    TcpEvent.RCV_ACK_OF_FIN: lambda ep: ep.receive(
        from_peer(ep, Flag.ACK, ep.rcv_nxt, ep.snd_nxt), NOW),
    TcpEvent.RCV_FIN_ACK_OF_FIN: lambda ep: ep.receive(
        from_peer(ep, Flag.FIN | Flag.ACK, ep.rcv_nxt, ep.snd_nxt), NOW),
    TcpEvent.RCV_RST: _rcv_rst,
    TcpEvent.TIMEOUT_RETRANSMIT: _retransmit,
    TcpEvent.TIMEOUT_GIVE_UP: _give_up,
    TcpEvent.TIMEOUT_2MSL: _expire_time_wait,
}

ROWS: list[tuple[State, TcpEvent, bool, Transition]] = [
    *((state, event, True, row) for state, rows in TRANSITIONS.items()
      for event, row in rows.items()),
    *((state, event, False, row) for state, rows in ACTIVE_OPEN_TRANSITIONS.items()
      for event, row in rows.items()),
]


def _row_id(row: tuple[State, TcpEvent, bool, Transition]) -> str:
    state, event, passive, _ = row
    return f"{state.value}{'' if passive else '(active)'}--{event.name}"


def test_every_row_can_be_driven() -> None:
    for state, event, passive, _ in ROWS:
        assert (state, passive) in REACH, f"no way to reach {state.value} (passive={passive})"
        assert event in FIRE, f"no way to fire {event.name}"


def test_the_table_has_every_state() -> None:
    assert set(TRANSITIONS) == set(State)
    assert len(ROWS) == 71


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_transition(row: tuple[State, TcpEvent, bool, Transition]) -> None:
    state, event, passive, transition = row
    endpoint = REACH[(state, passive)]()
    assert endpoint.state is state
    if state is State.SYN_RECEIVED:
        assert endpoint.passive_open is passive

    output = FIRE[event](endpoint)

    assert endpoint.state is transition.next_state
    expected_kinds = [] if transition.emits is None else [transition.emits]
    assert kinds(output) == expected_kinds
    changes = events_of(output, StateChanged)
    if transition.next_state is state:
        assert changes == []
    else:
        assert changes == [StateChanged(state, transition.next_state, transition.rule,
                                        transition.section)]
