"""A sans-I/O TCP endpoint (RFC 9293): segments and user calls in, segments and events out.

The endpoint owns one connection's control block (RFC 9293 §3.3.1: ISS, IRS, SND.UNA,
SND.NXT, SND.WND, RCV.NXT, RCV.WND, ...). Every state change is a row looked up in
`engine.tcp.states.TRANSITIONS`. The work is split by job:

- `engine.tcp.seqnum`: sequence-number arithmetic modulo 2**32 and the acceptability test;
- `engine.tcp.timers`: the retransmission and TIME-WAIT deadlines;
- `engine.tcp.control`: the control block's state and the segments it writes;
- `engine.tcp.machine`: applying table rows, sending what they emit, firing timers;
- `engine.tcp.arrival`: SEGMENT ARRIVES (RFC 9293 §3.10.7), with the RFC 5961 mitigations
  against blind in-window attacks (challenge ACKs);
- this module: the public `Endpoint` and its user calls (RFC 9293 §3.10.1 to §3.10.5).

Nothing here reads a clock, draws randomness or touches a socket: time arrives as `now`
(seconds), the ISN comes from the injected `isn_source` (or `next_isn`), and the caller moves
the returned segments to the wire.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from engine.tcp.arrival import Arrival
from engine.tcp.control import Address, EndpointConfig, Output, Turn
from engine.tcp.events import UserCallRejected
from engine.tcp.segment import IPAddress, Segment
from engine.tcp.seqnum import (
    segment_acceptable,
    seq_add,
    seq_between,
    seq_ge,
    seq_gt,
    seq_le,
    seq_lt,
    seq_sub,
)
from engine.tcp.states import State, TcpEvent

__all__ = [
    "Address",
    "Endpoint",
    "EndpointConfig",
    "Output",
    "segment_acceptable",
    "seq_add",
    "seq_between",
    "seq_ge",
    "seq_gt",
    "seq_le",
    "seq_lt",
    "seq_sub",
]

_CALL_SECTIONS: dict[TcpEvent, str] = {
    TcpEvent.OPEN_ACTIVE: "RFC 9293 §3.10.1",
    TcpEvent.OPEN_PASSIVE: "RFC 9293 §3.10.1",
    TcpEvent.SEND: "RFC 9293 §3.10.2",
    TcpEvent.CLOSE: "RFC 9293 §3.10.4",
    TcpEvent.ABORT: "RFC 9293 §3.10.5",
}

_NO_CONNECTION: dict[TcpEvent, str] = {
    TcpEvent.SEND: "open a connection before sending",
    TcpEvent.CLOSE: "there is nothing to close",
    TcpEvent.ABORT: "there is nothing to abort",
}


class Endpoint(Arrival):
    """One side of one TCP connection, driven entirely by its caller.

    `Endpoint(name, config, isn_source)`: see `engine.tcp.control.ControlBlock`.
    """

    # --- user calls (RFC 9293 §3.10.1 to §3.10.5) -------------------------------------------

    def open_active(self, now: float) -> Output:
        turn = Turn(now)
        if self.state not in (State.CLOSED, State.LISTEN):
            self._reject_exists(turn, TcpEvent.OPEN_ACTIVE)
        elif self.remote is None:
            self._reject(turn, TcpEvent.OPEN_ACTIVE, "foreign socket unspecified: an active "
                         "OPEN needs the peer's address and port")
        else:
            self._active_open(turn, TcpEvent.OPEN_ACTIVE)
        return self._finish(turn)

    def open_passive(self, now: float) -> Output:
        turn = Turn(now)
        if self.state is not State.CLOSED:
            self._reject_exists(turn, TcpEvent.OPEN_PASSIVE)
        else:
            self.passive_open = True
            self._apply(TcpEvent.OPEN_PASSIVE, turn)
        return self._finish(turn)

    def send(self, data: bytes, now: float) -> Output:
        turn = Turn(now)
        _SEND_CALLS[self.state](self, bytes(data), turn)
        return self._finish(turn)

    def close(self, now: float) -> Output:
        turn = Turn(now)
        _CLOSE_CALLS[self.state](self, turn)
        return self._finish(turn)

    def abort(self, now: float) -> Output:
        turn = Turn(now)
        if self.state is State.CLOSED:
            self._reject_in_state(turn, TcpEvent.ABORT)
        else:
            self._apply(TcpEvent.ABORT, turn)
        return self._finish(turn)

    def read(self) -> bytes:
        """Drain and return the data delivered so far."""
        data = bytes(self._received)
        self._received.clear()
        return data

    # --- segments and timers ------------------------------------------------------------------

    def receive(self, segment: Segment, now: float, *, src_ip: IPAddress | None = None) -> Output:
        """Process one arriving segment (RFC 9293 §3.10.7). `src_ip` fills in a LISTEN's peer."""
        turn = Turn(now, src_ip=src_ip)
        self._segment_arrives(segment, turn)
        return self._finish(turn)

    def poll(self, now: float) -> Output:
        """Fire the timers that are due at `now`: TIME-WAIT expiry, then retransmission."""
        turn = Turn(now)
        self._fire_due_timer(turn)
        return self._finish(turn)

    def next_deadline(self) -> float | None:
        """When `poll` next has something to do, or None if no timer is running."""
        return self._timers.next_deadline()

    def copy(self) -> Endpoint:
        """An independent copy, for trying a move without touching this endpoint.

        The ISN source is deep-copied too where Python can (a bound method of a seeded
        random source forks with it), so ISNs drawn by the copy never shift this one's.
        """
        return copy.deepcopy(self)

    # --- user-call handlers (dispatched by state) ---------------------------------------------

    def _reject(self, turn: Turn, call: TcpEvent, reason: str) -> None:
        turn.out.events.append(UserCallRejected(call, reason, _CALL_SECTIONS[call]))

    def _reject_exists(self, turn: Turn, call: TcpEvent) -> None:
        self._reject(turn, call, f"connection already exists: this endpoint is "
                     f"{self.state.value}")

    def _reject_in_state(self, turn: Turn, call: TcpEvent) -> None:
        """CLOSED: there is no connection; otherwise our FIN is already sent."""
        if self.state is State.CLOSED:
            self._reject(turn, call, f"connection does not exist: {_NO_CONNECTION[call]}")
        else:
            self._reject(turn, call, f"connection closing: this endpoint is "
                         f"{self.state.value} and has already sent its FIN")

    def _reject_close_pending(self, turn: Turn, call: TcpEvent) -> None:
        self._reject(turn, call, "connection closing: CLOSE was already called")

    def _active_open(self, turn: Turn, event: TcpEvent) -> None:
        self.passive_open = False
        self.iss = self._choose_isn()
        self._apply(event, turn)

    def _send_rejected(self, data: bytes, turn: Turn) -> None:
        self._reject_in_state(turn, TcpEvent.SEND)

    def _send_listen(self, data: bytes, turn: Turn) -> None:
        if self.remote is None:
            self._reject(turn, TcpEvent.SEND, "foreign socket unspecified: a listening "
                         "endpoint can only send once it knows its peer")
            return
        self._send_queue += data
        self._active_open(turn, TcpEvent.SEND)

    def _send_queued(self, data: bytes, turn: Turn) -> None:
        if self._close_pending:
            self._reject_close_pending(turn, TcpEvent.SEND)
            return
        self._send_queue += data  # sent once the connection is ESTABLISHED

    def _send_now(self, data: bytes, turn: Turn) -> None:
        self._send_queue += data
        self._apply(TcpEvent.SEND, turn)

    def _close_rejected(self, turn: Turn) -> None:
        self._reject_in_state(turn, TcpEvent.CLOSE)

    def _close_now(self, turn: Turn) -> None:
        self._apply(TcpEvent.CLOSE, turn)

    def _close_syn_received(self, turn: Turn) -> None:
        if self._close_pending:
            self._reject_close_pending(turn, TcpEvent.CLOSE)
        elif self._send_queue:
            self._close_pending = True  # the FIN follows the queued data once ESTABLISHED
        else:
            self._apply(TcpEvent.CLOSE, turn)


# --- dispatch tables -----------------------------------------------------------------------

_SEND_CALLS: dict[State, Callable[[Endpoint, bytes, Turn], None]] = {
    State.CLOSED: Endpoint._send_rejected,
    State.LISTEN: Endpoint._send_listen,
    State.SYN_SENT: Endpoint._send_queued,
    State.SYN_RECEIVED: Endpoint._send_queued,
    State.ESTABLISHED: Endpoint._send_now,
    State.CLOSE_WAIT: Endpoint._send_now,
    State.FIN_WAIT_1: Endpoint._send_rejected,
    State.FIN_WAIT_2: Endpoint._send_rejected,
    State.CLOSING: Endpoint._send_rejected,
    State.LAST_ACK: Endpoint._send_rejected,
    State.TIME_WAIT: Endpoint._send_rejected,
}

_CLOSE_CALLS: dict[State, Callable[[Endpoint, Turn], None]] = {
    State.CLOSED: Endpoint._close_rejected,
    State.LISTEN: Endpoint._close_now,
    State.SYN_SENT: Endpoint._close_now,
    State.SYN_RECEIVED: Endpoint._close_syn_received,
    State.ESTABLISHED: Endpoint._close_now,
    State.CLOSE_WAIT: Endpoint._close_now,
    State.FIN_WAIT_1: Endpoint._close_rejected,
    State.FIN_WAIT_2: Endpoint._close_rejected,
    State.CLOSING: Endpoint._close_rejected,
    State.LAST_ACK: Endpoint._close_rejected,
    State.TIME_WAIT: Endpoint._close_rejected,
}
