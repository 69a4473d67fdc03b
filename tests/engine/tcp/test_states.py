"""The state table as data: its shape, its words, and what the referee reads from it."""

from __future__ import annotations

import pytest

from engine.tcp.segment import SegmentKind
from engine.tcp.states import (
    ACTIVE_OPEN_TRANSITIONS,
    SYNCHRONIZED_STATES,
    TRANSITIONS,
    State,
    TcpEvent,
    emittable,
    transition_for,
)

K = SegmentKind


def test_state_values_are_spelled_as_the_rfc_spells_them() -> None:
    assert [state.value for state in State] == [
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"]


def test_every_row_names_its_rule_and_section() -> None:
    for table in (TRANSITIONS, ACTIVE_OPEN_TRANSITIONS):
        for state, rows in table.items():
            for event, row in rows.items():
                assert state.value in row.rule, (state, event)
                assert row.section.startswith("RFC "), (state, event)
                assert "§" in row.section, (state, event)


def test_the_diagram_edges() -> None:
    edges = {(state, event): row.next_state
             for state, rows in TRANSITIONS.items() for event, row in rows.items()
             if row.next_state is not state}
    # The arrows of RFC 9293 §3.3.2 Figure 5, plus ABORT, give-up and RST.
    for edge, target in {
        (State.CLOSED, TcpEvent.OPEN_PASSIVE): State.LISTEN,
        (State.CLOSED, TcpEvent.OPEN_ACTIVE): State.SYN_SENT,
        (State.LISTEN, TcpEvent.RCV_SYN): State.SYN_RECEIVED,
        (State.LISTEN, TcpEvent.SEND): State.SYN_SENT,
        (State.LISTEN, TcpEvent.CLOSE): State.CLOSED,
        (State.SYN_SENT, TcpEvent.RCV_SYN): State.SYN_RECEIVED,
        (State.SYN_SENT, TcpEvent.RCV_SYN_ACK): State.ESTABLISHED,
        (State.SYN_SENT, TcpEvent.CLOSE): State.CLOSED,
        (State.SYN_RECEIVED, TcpEvent.RCV_ACK_OF_SYN): State.ESTABLISHED,
        (State.SYN_RECEIVED, TcpEvent.RCV_RST): State.LISTEN,
        (State.SYN_RECEIVED, TcpEvent.CLOSE): State.FIN_WAIT_1,
        (State.ESTABLISHED, TcpEvent.CLOSE): State.FIN_WAIT_1,
        (State.ESTABLISHED, TcpEvent.RCV_FIN): State.CLOSE_WAIT,
        (State.FIN_WAIT_1, TcpEvent.RCV_ACK_OF_FIN): State.FIN_WAIT_2,
        (State.FIN_WAIT_1, TcpEvent.RCV_FIN): State.CLOSING,
        (State.FIN_WAIT_1, TcpEvent.RCV_FIN_ACK_OF_FIN): State.TIME_WAIT,
        (State.FIN_WAIT_2, TcpEvent.RCV_FIN): State.TIME_WAIT,
        (State.CLOSE_WAIT, TcpEvent.CLOSE): State.LAST_ACK,
        (State.CLOSING, TcpEvent.RCV_ACK_OF_FIN): State.TIME_WAIT,
        (State.LAST_ACK, TcpEvent.RCV_ACK_OF_FIN): State.CLOSED,
        (State.TIME_WAIT, TcpEvent.TIMEOUT_2MSL): State.CLOSED,
    }.items():
        assert edges.pop(edge) is target, edge
    assert {event for _, event in edges} == {
        TcpEvent.ABORT, TcpEvent.RCV_RST, TcpEvent.TIMEOUT_GIVE_UP, TcpEvent.RCV_SYN,
        TcpEvent.OPEN_ACTIVE}
    assert all(target in (State.CLOSED, State.LISTEN, State.SYN_SENT)
               for target in edges.values())


def test_what_each_edge_sends() -> None:
    assert TRANSITIONS[State.CLOSED][TcpEvent.OPEN_ACTIVE].emits is K.SYN
    assert TRANSITIONS[State.LISTEN][TcpEvent.RCV_SYN].emits is K.SYN_ACK
    assert TRANSITIONS[State.SYN_SENT][TcpEvent.RCV_SYN].emits is K.SYN_ACK
    assert TRANSITIONS[State.SYN_SENT][TcpEvent.RCV_SYN_ACK].emits is K.ACK
    assert TRANSITIONS[State.ESTABLISHED][TcpEvent.CLOSE].emits is K.FIN
    assert TRANSITIONS[State.CLOSE_WAIT][TcpEvent.CLOSE].emits is K.FIN
    assert TRANSITIONS[State.FIN_WAIT_1][TcpEvent.RCV_FIN_ACK_OF_FIN].emits is K.ACK
    assert TRANSITIONS[State.SYN_RECEIVED][TcpEvent.RCV_ACK_OF_SYN].emits is None
    assert TRANSITIONS[State.ESTABLISHED][TcpEvent.ABORT].emits is K.RST
    assert TRANSITIONS[State.TIME_WAIT][TcpEvent.ABORT].emits is None


@pytest.mark.parametrize(("state", "kinds"), [
    (State.CLOSED, {K.SYN, K.RST, K.RST_ACK}),
    (State.LISTEN, {K.SYN, K.SYN_ACK, K.RST}),
    (State.SYN_SENT, {K.SYN, K.SYN_ACK, K.ACK, K.RST}),
    (State.SYN_RECEIVED, {K.SYN_ACK, K.ACK, K.FIN, K.RST}),
    (State.ESTABLISHED, {K.DATA, K.ACK, K.FIN, K.RST}),
    (State.FIN_WAIT_1, {K.ACK, K.FIN, K.RST}),
    (State.FIN_WAIT_2, {K.ACK, K.RST}),
    (State.CLOSE_WAIT, {K.DATA, K.ACK, K.FIN, K.RST}),
    (State.CLOSING, {K.ACK, K.FIN, K.RST}),
    (State.LAST_ACK, {K.ACK, K.FIN, K.RST}),
    (State.TIME_WAIT, {K.ACK, K.RST}),
])
def test_emittable(state: State, kinds: set[SegmentKind]) -> None:
    assert emittable(state) == kinds


def test_transition_for_consults_the_active_open_rows() -> None:
    passive = transition_for(State.SYN_RECEIVED, TcpEvent.RCV_RST)
    active = transition_for(State.SYN_RECEIVED, TcpEvent.RCV_RST, passive_open=False)
    assert passive is not None and passive.next_state is State.LISTEN
    assert active is not None and active.next_state is State.CLOSED
    same = transition_for(State.SYN_RECEIVED, TcpEvent.CLOSE, passive_open=False)
    assert same is TRANSITIONS[State.SYN_RECEIVED][TcpEvent.CLOSE]
    assert transition_for(State.CLOSED, TcpEvent.RCV_FIN) is None


def test_synchronized_states() -> None:
    assert State.SYN_RECEIVED not in SYNCHRONIZED_STATES
    assert len(SYNCHRONIZED_STATES) == 7
