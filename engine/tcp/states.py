"""The TCP connection state machine (RFC 9293 §3.3.2, Figure 5) as data.

The rules, in one place:

- A connection is in one of eleven states. CLOSED and LISTEN have no peer yet; SYN-SENT and
  SYN-RECEIVED are half-way through the three-way handshake; ESTABLISHED onward are the
  "synchronized" states, where both sides know each other's initial sequence number.
- Three things move a connection between states: a call by the local user (OPEN, SEND,
  CLOSE, ABORT; RFC 9293 §3.10.1 to §3.10.5), the arrival of a segment, classified below by
  what it means to this connection (RFC 9293 §3.10.7), and a timer running out (the
  retransmission timer and the TIME-WAIT timer; RFC 9293 §3.8.1, §3.8.3, §3.10.8).
- Each move is one row of `TRANSITIONS[state][event]`: the state the connection enters, the
  kind of segment it sends while doing so (if any), the rule in plain words and where the
  RFC says it. Rows whose next state equals their state are the moves that send something
  without changing state (a retransmission, an ACK for data, a challenge ACK).
- One state answers differently depending on how it was reached: SYN-RECEIVED entered from
  LISTEN (a passive open) falls back to LISTEN on a RST or SYN, while SYN-RECEIVED entered
  from SYN-SENT (a simultaneous open) reports "connection refused" on a RST and answers a
  SYN with a challenge ACK. `TRANSITIONS` holds the passive-open rows (the common case: a
  server); `ACTIVE_OPEN_TRANSITIONS` holds the rows that differ after an active open.
  `transition_for` consults both.
- Any state can answer a bad segment with a RST (RFC 9293 §3.5.2); that reply never changes
  the state, so it is not a row here, but `emittable` includes it.

This module knows nothing of sequence numbers, windows or which side it plays: the detailed
checks that classify an arriving segment live in `engine.tcp.endpoint`, which looks up every
state change here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from engine.tcp.segment import SegmentKind

__all__ = [
    "ACTIVE_OPEN_TRANSITIONS",
    "SYNCHRONIZED_STATES",
    "State",
    "TRANSITIONS",
    "TcpEvent",
    "Transition",
    "emittable",
    "transition_for",
]


class State(enum.Enum):
    """The eleven connection states, spelled as RFC 9293 §3.3.2 spells them."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"


class TcpEvent(enum.Enum):
    """What happened to a connection: a user call, a classified segment, or a timer."""

    # user calls (RFC 9293 §3.10.1 to §3.10.5)
    OPEN_ACTIVE = "OPEN (active)"
    OPEN_PASSIVE = "OPEN (passive)"
    SEND = "SEND"
    CLOSE = "CLOSE"
    ABORT = "ABORT"
    # segment arrivals, classified by what they mean to this connection (RFC 9293 §3.10.7)
    RCV_SYN = "rcv SYN"
    RCV_SYN_ACK = "rcv SYN,ACK"
    RCV_ACK_OF_SYN = "rcv ACK of SYN"
    RCV_DATA = "rcv data"
    RCV_FIN = "rcv FIN"
    RCV_ACK_OF_FIN = "rcv ACK of FIN"
    RCV_FIN_ACK_OF_FIN = "rcv FIN + ACK of FIN"
    RCV_RST = "rcv RST"
    # timers (RFC 9293 §3.8.1, §3.8.3, §3.10.8)
    TIMEOUT_RETRANSMIT = "retransmission timeout"
    TIMEOUT_GIVE_UP = "too many retransmissions"
    TIMEOUT_2MSL = "2MSL timeout"


@dataclass(frozen=True)
class Transition:
    """One row of the diagram: where the connection goes, what it sends, and why."""

    next_state: State
    emits: SegmentKind | None
    rule: str
    section: str


S = State
E = TcpEvent
K = SegmentKind

SYNCHRONIZED_STATES: frozenset[State] = frozenset({
    S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK,
    S.TIME_WAIT,
})


def _row(next_state: State, emits: SegmentKind | None, rule: str, section: str) -> Transition:
    return Transition(next_state, emits, rule, section)


def _reset_rows(rule: str) -> dict[TcpEvent, Transition]:
    return {E.RCV_RST: _row(S.CLOSED, None, rule, "RFC 9293 §3.10.7.4; RFC 5961 §3.2")}


def _challenge_syn_row(state: State) -> dict[TcpEvent, Transition]:
    return {E.RCV_SYN: _row(
        state, K.ACK,
        f"a {state.value} endpoint that receives a SYN sends a challenge ACK "
        "(its own SND.NXT and RCV.NXT) and drops the SYN: a real peer that lost its "
        "connection answers with a RST that lands exactly on RCV.NXT",
        "RFC 5961 §4.2; RFC 9293 §3.10.7.4")}


def _retransmit_rows(state: State, kind: SegmentKind, what: str) -> dict[TcpEvent, Transition]:
    return {
        E.TIMEOUT_RETRANSMIT: _row(
            state, kind,
            f"a {state.value} endpoint whose {what} is not acknowledged before the "
            "retransmission timer runs out sends it again and doubles the timeout",
            "RFC 9293 §3.8.1; RFC 6298 §5"),
        E.TIMEOUT_GIVE_UP: _row(
            S.CLOSED, None,
            f"a {state.value} endpoint that has retransmitted its {what} the maximum "
            "number of times gives up and closes the connection",
            "RFC 9293 §3.8.3"),
    }


def _abort_row(state: State, sends_reset: bool) -> dict[TcpEvent, Transition]:
    if sends_reset:
        rule = (f"a {state.value} endpoint whose user calls ABORT sends a RST "
                "<SEQ=SND.NXT><CTL=RST> and is CLOSED")
        return {E.ABORT: _row(S.CLOSED, K.RST, rule, "RFC 9293 §3.10.5")}
    rule = f"a {state.value} endpoint whose user calls ABORT is CLOSED without sending anything"
    return {E.ABORT: _row(S.CLOSED, None, rule, "RFC 9293 §3.10.5")}


def _data_row(state: State) -> dict[TcpEvent, Transition]:
    return {E.RCV_DATA: _row(
        state, K.ACK,
        f"a {state.value} endpoint that receives data at RCV.NXT delivers it to its user, "
        "advances RCV.NXT over it and acknowledges it",
        "RFC 9293 §3.10.7.4")}


TRANSITIONS: dict[State, dict[TcpEvent, Transition]] = {
    S.CLOSED: {
        E.OPEN_PASSIVE: _row(
            S.LISTEN, None,
            "a CLOSED endpoint whose user calls a passive OPEN waits for a SYN in LISTEN",
            "RFC 9293 §3.10.1"),
        E.OPEN_ACTIVE: _row(
            S.SYN_SENT, K.SYN,
            "a CLOSED endpoint whose user calls an active OPEN chooses its ISS, sends "
            "<SEQ=ISS><CTL=SYN> and is SYN-SENT",
            "RFC 9293 §3.10.1"),
    },
    S.LISTEN: {
        E.RCV_SYN: _row(
            S.SYN_RECEIVED, K.SYN_ACK,
            "a LISTEN endpoint that receives a SYN records the peer's ISN (IRS), chooses "
            "its own ISS, sends <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and is SYN-RECEIVED",
            "RFC 9293 §3.10.7.2"),
        E.OPEN_ACTIVE: _row(
            S.SYN_SENT, K.SYN,
            "a LISTEN endpoint whose user calls an active OPEN turns active: it sends a "
            "SYN and is SYN-SENT",
            "RFC 9293 §3.10.1"),
        E.SEND: _row(
            S.SYN_SENT, K.SYN,
            "a LISTEN endpoint whose user calls SEND with a known peer turns active: it "
            "sends a SYN, queues the data and is SYN-SENT",
            "RFC 9293 §3.10.2"),
        E.CLOSE: _row(
            S.CLOSED, None,
            "a LISTEN endpoint whose user calls CLOSE stops listening and is CLOSED",
            "RFC 9293 §3.10.4"),
        **_abort_row(S.LISTEN, sends_reset=False),
    },
    S.SYN_SENT: {
        E.RCV_SYN_ACK: _row(
            S.ESTABLISHED, K.ACK,
            "a SYN-SENT endpoint that receives SYN,ACK acknowledging its SYN is "
            "ESTABLISHED and acknowledges the peer's SYN with <SEQ=SND.NXT><ACK=RCV.NXT>",
            "RFC 9293 §3.10.7.3"),
        E.RCV_SYN: _row(
            S.SYN_RECEIVED, K.SYN_ACK,
            "a SYN-SENT endpoint that receives a SYN without an ACK (a simultaneous open) "
            "sends <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and is SYN-RECEIVED",
            "RFC 9293 §3.10.7.3"),
        E.RCV_RST: _row(
            S.CLOSED, None,
            "a SYN-SENT endpoint that receives a RST whose ACK acknowledges its SYN tells "
            "its user \"connection reset\" and is CLOSED",
            "RFC 9293 §3.10.7.3"),
        E.CLOSE: _row(
            S.CLOSED, None,
            "a SYN-SENT endpoint whose user calls CLOSE forgets the connection and is CLOSED",
            "RFC 9293 §3.10.4"),
        **_abort_row(S.SYN_SENT, sends_reset=False),
        **_retransmit_rows(S.SYN_SENT, K.SYN, "SYN"),
    },
    S.SYN_RECEIVED: {
        E.RCV_ACK_OF_SYN: _row(
            S.ESTABLISHED, None,
            "a SYN-RECEIVED endpoint that receives an ACK with SND.UNA < SEG.ACK =< SND.NXT "
            "(it acknowledges the SYN) is ESTABLISHED",
            "RFC 9293 §3.10.7.4"),
        E.RCV_RST: _row(
            S.LISTEN, None,
            "a SYN-RECEIVED endpoint that came from LISTEN and receives a RST at RCV.NXT "
            "forgets the half-open connection and goes back to LISTEN",
            "RFC 9293 §3.10.7.4"),
        E.RCV_SYN: _row(
            S.LISTEN, None,
            "a SYN-RECEIVED endpoint that came from LISTEN and receives an in-window SYN "
            "forgets the half-open connection and goes back to LISTEN",
            "RFC 9293 §3.10.7.4"),
        E.CLOSE: _row(
            S.FIN_WAIT_1, K.FIN,
            "a SYN-RECEIVED endpoint whose user calls CLOSE with nothing queued sends a FIN "
            "and is FIN-WAIT-1",
            "RFC 9293 §3.10.4"),
        **_abort_row(S.SYN_RECEIVED, sends_reset=True),
        **_retransmit_rows(S.SYN_RECEIVED, K.SYN_ACK, "SYN,ACK"),
    },
    S.ESTABLISHED: {
        E.SEND: _row(
            S.ESTABLISHED, K.DATA,
            "an ESTABLISHED endpoint whose user calls SEND sends the data at SND.NXT and "
            "advances SND.NXT over it",
            "RFC 9293 §3.10.2"),
        **_data_row(S.ESTABLISHED),
        E.RCV_FIN: _row(
            S.CLOSE_WAIT, K.ACK,
            "an ESTABLISHED endpoint that receives a FIN tells its user the peer is done "
            "sending, acknowledges the FIN and is CLOSE-WAIT",
            "RFC 9293 §3.10.7.4"),
        E.CLOSE: _row(
            S.FIN_WAIT_1, K.FIN,
            "an ESTABLISHED endpoint whose user calls CLOSE sends a FIN after any queued "
            "data and is FIN-WAIT-1",
            "RFC 9293 §3.10.4"),
        **_challenge_syn_row(S.ESTABLISHED),
        **_reset_rows(
            "an ESTABLISHED endpoint that receives a RST exactly at RCV.NXT tells "
            "its user \"connection reset\" and is CLOSED"),
        **_abort_row(S.ESTABLISHED, sends_reset=True),
        **_retransmit_rows(S.ESTABLISHED, K.DATA, "data"),
    },
    S.FIN_WAIT_1: {
        E.RCV_ACK_OF_FIN: _row(
            S.FIN_WAIT_2, None,
            "a FIN-WAIT-1 endpoint that receives an ACK of its FIN is FIN-WAIT-2 and waits "
            "for the peer's FIN",
            "RFC 9293 §3.10.7.4"),
        E.RCV_FIN: _row(
            S.CLOSING, K.ACK,
            "a FIN-WAIT-1 endpoint that receives a FIN that does not acknowledge its own "
            "FIN (a simultaneous close) acknowledges it and is CLOSING",
            "RFC 9293 §3.10.7.4"),
        E.RCV_FIN_ACK_OF_FIN: _row(
            S.TIME_WAIT, K.ACK,
            "a FIN-WAIT-1 endpoint that receives a FIN which also acknowledges its own FIN "
            "acknowledges it and is TIME-WAIT for 2 MSL",
            "RFC 9293 §3.10.7.4"),
        **_data_row(S.FIN_WAIT_1),
        **_challenge_syn_row(S.FIN_WAIT_1),
        **_reset_rows(
            "a FIN-WAIT-1 endpoint that receives a RST exactly at RCV.NXT tells "
            "its user \"connection reset\" and is CLOSED"),
        **_abort_row(S.FIN_WAIT_1, sends_reset=True),
        **_retransmit_rows(S.FIN_WAIT_1, K.FIN, "FIN"),
    },
    S.FIN_WAIT_2: {
        E.RCV_FIN: _row(
            S.TIME_WAIT, K.ACK,
            "a FIN-WAIT-2 endpoint that receives the peer's FIN acknowledges it and is "
            "TIME-WAIT for 2 MSL",
            "RFC 9293 §3.10.7.4"),
        **_data_row(S.FIN_WAIT_2),
        **_challenge_syn_row(S.FIN_WAIT_2),
        **_reset_rows(
            "a FIN-WAIT-2 endpoint that receives a RST exactly at RCV.NXT tells "
            "its user \"connection reset\" and is CLOSED"),
        **_abort_row(S.FIN_WAIT_2, sends_reset=True),
    },
    S.CLOSE_WAIT: {
        E.CLOSE: _row(
            S.LAST_ACK, K.FIN,
            "a CLOSE-WAIT endpoint whose user calls CLOSE sends its own FIN after any "
            "queued data and is LAST-ACK",
            "RFC 9293 §3.10.4"),
        E.SEND: _row(
            S.CLOSE_WAIT, K.DATA,
            "a CLOSE-WAIT endpoint may still send: the peer's FIN closed only the peer's "
            "direction",
            "RFC 9293 §3.10.2"),
        **_challenge_syn_row(S.CLOSE_WAIT),
        **_reset_rows(
            "a CLOSE-WAIT endpoint that receives a RST exactly at RCV.NXT tells "
            "its user \"connection reset\" and is CLOSED"),
        **_abort_row(S.CLOSE_WAIT, sends_reset=True),
        **_retransmit_rows(S.CLOSE_WAIT, K.DATA, "data"),
    },
    S.CLOSING: {
        E.RCV_ACK_OF_FIN: _row(
            S.TIME_WAIT, None,
            "a CLOSING endpoint that receives an ACK of its FIN is TIME-WAIT for 2 MSL",
            "RFC 9293 §3.10.7.4"),
        **_challenge_syn_row(S.CLOSING),
        **_reset_rows(
            "a CLOSING endpoint that receives a RST exactly at RCV.NXT is CLOSED"),
        **_abort_row(S.CLOSING, sends_reset=False),
        **_retransmit_rows(S.CLOSING, K.FIN, "FIN"),
    },
    S.LAST_ACK: {
        E.RCV_ACK_OF_FIN: _row(
            S.CLOSED, None,
            "a LAST-ACK endpoint that receives an ACK of its FIN deletes the connection "
            "and is CLOSED",
            "RFC 9293 §3.10.7.4"),
        **_challenge_syn_row(S.LAST_ACK),
        **_reset_rows(
            "a LAST-ACK endpoint that receives a RST exactly at RCV.NXT is CLOSED"),
        **_abort_row(S.LAST_ACK, sends_reset=False),
        **_retransmit_rows(S.LAST_ACK, K.FIN, "FIN"),
    },
    S.TIME_WAIT: {
        E.TIMEOUT_2MSL: _row(
            S.CLOSED, None,
            "a TIME-WAIT endpoint whose 2 MSL timer runs out deletes the connection and "
            "is CLOSED",
            "RFC 9293 §3.10.8"),
        E.RCV_FIN: _row(
            S.TIME_WAIT, K.ACK,
            "a TIME-WAIT endpoint that receives the peer's FIN again (its ACK was lost) "
            "acknowledges it again and restarts the 2 MSL timer",
            "RFC 9293 §3.10.7.4"),
        **_challenge_syn_row(S.TIME_WAIT),
        **_reset_rows(
            "a TIME-WAIT endpoint that receives a RST exactly at RCV.NXT is CLOSED"),
        **_abort_row(S.TIME_WAIT, sends_reset=False),
    },
}

ACTIVE_OPEN_TRANSITIONS: dict[State, dict[TcpEvent, Transition]] = {
    S.SYN_RECEIVED: {
        E.RCV_SYN_ACK: _row(
            S.ESTABLISHED, None,
            "a SYN-RECEIVED endpoint that came from SYN-SENT (a simultaneous open) and "
            "receives the peer's SYN,ACK acknowledging its SYN is ESTABLISHED: both SYNs "
            "crossed and both are now acknowledged",
            "RFC 9293 §3.5"),
        E.RCV_RST: _row(
            S.CLOSED, None,
            "a SYN-RECEIVED endpoint that came from SYN-SENT (a simultaneous open) and "
            "receives a RST at RCV.NXT tells its user \"connection refused\" and is CLOSED",
            "RFC 9293 §3.10.7.4"),
        **_challenge_syn_row(S.SYN_RECEIVED),
    },
}


def transition_for(
    state: State, event: TcpEvent, *, passive_open: bool = True
) -> Transition | None:
    """The row for `event` in `state`, or None if the event does not apply there.

    `passive_open` says how a SYN-RECEIVED connection was reached (from LISTEN or not).
    """
    if not passive_open:
        override = ACTIVE_OPEN_TRANSITIONS.get(state, {}).get(event)
        if override is not None:
            return override
    return TRANSITIONS[state].get(event)


def emittable(state: State) -> set[SegmentKind]:
    """The segment kinds a move out of `state` can send, plus the RST any state may send.

    A CLOSED endpoint answers a segment without ACK with <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    <CTL=RST,ACK> (RFC 9293 §3.10.7.1), so RST-ACK is emittable there too.
    """
    rows = [*TRANSITIONS[state].values(), *ACTIVE_OPEN_TRANSITIONS.get(state, {}).values()]
    kinds = {row.emits for row in rows if row.emits is not None}
    kinds.add(SegmentKind.RST)
    if state is State.CLOSED:
        kinds.add(SegmentKind.RST_ACK)
    return kinds
