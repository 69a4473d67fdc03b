"""The state machine in motion: table rows applied, and the segments they send.

Every state change goes through `Machine._apply`, which looks the row up in
`engine.tcp.states.TRANSITIONS`, sends what the row `emits`, reports the `StateChanged` and
runs what entering the new state requires. What a row sends reaches the wire through the
send side of the control block: the send queue cut to the peer's window and MSS, the
retransmit queue, and the retransmission timer (RFC 9293 §3.8, RFC 6298). `_finish` closes
every call: it sends the ACK the call owes and pushes whatever the window now allows.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.tcp.control import ControlBlock, InFlight, Output, Turn
from engine.tcp.events import ConnectionTimedOut, ResetSent, Retransmitted, StateChanged
from engine.tcp.segment import Flag, SegmentKind
from engine.tcp.seqnum import seq_gt, seq_sub
from engine.tcp.states import State, TcpEvent, Transition, transition_for
from engine.tcp.timers import Timer

__all__ = ["Machine"]

_SENDING_STATES = frozenset({State.ESTABLISHED, State.CLOSE_WAIT, State.FIN_WAIT_1,
                             State.LAST_ACK})


class Machine(ControlBlock):
    """The control block, moved only by rows of the state table."""

    def _apply(self, event: TcpEvent, turn: Turn, *, emit: bool = True) -> Transition:
        row = transition_for(self.state, event, passive_open=self.passive_open)
        if row is None:
            raise AssertionError(f"no transition for {event.name} in {self.state.value}")
        if emit and row.emits is not None:
            _EMITTERS[row.emits](self, turn)
        old, self.state = self.state, row.next_state
        if old is not row.next_state:
            turn.out.events.append(StateChanged(old, row.next_state, row.rule, row.section))
            _ON_ENTER.get(row.next_state, Machine._enter_nothing)(self, turn)
        elif row.next_state is State.TIME_WAIT and event is TcpEvent.RCV_FIN:
            self._timers.start_time_wait(turn.now, self.config.msl)
        return row

    # --- entering a state -----------------------------------------------------------------------

    def _enter_nothing(self, turn: Turn) -> None:
        pass

    def _enter_closed(self, turn: Turn) -> None:
        self._forget_connection()

    def _enter_listen(self, turn: Turn) -> None:
        self._forget_connection()
        self.passive_open = True
        self.remote = self.config.remote

    def _enter_time_wait(self, turn: Turn) -> None:
        self._in_flight.clear()
        self._timers.stop_retransmission()
        self._timers.start_time_wait(turn.now, self.config.msl)

    # --- what a row's `emits` turns into --------------------------------------------------------

    def _emit_syn(self, turn: Turn) -> None:
        entry = InFlight(self.iss, Flag.SYN)
        self._in_flight = [entry]
        self.snd_una = self.iss
        self.snd_nxt = entry.end
        self._timers.restart_retransmission(turn.now, self.config.initial_rto)
        turn.out.segments.append(self._build(entry, turn.now))

    def _emit_ack(self, turn: Turn) -> None:
        turn.ack_due = True

    def _emit_fin(self, turn: Turn) -> None:
        self._fin_queued = True
        self._push(turn)

    def _emit_data(self, turn: Turn) -> None:
        self._push(turn)

    def _emit_abort_reset(self, turn: Turn) -> None:
        turn.out.segments.append(self._reset(self.config.local.port, self._remote_port(),
                                             self.snd_nxt, 0, Flag.RST))
        turn.out.events.append(ResetSent(
            f"the user called ABORT: <SEQ=SND.NXT={self.snd_nxt}><CTL=RST> tells the peer the "
            "connection is gone", "RFC 9293 §3.10.5"))

    # --- sending and acknowledgment -------------------------------------------------------------

    def _push(self, turn: Turn) -> None:
        """Send queued data the peer's window allows, then the FIN once the queue is empty."""
        while self._send_queue:
            usable = self.snd_wnd - seq_sub(self.snd_nxt, self.snd_una)
            if usable <= 0:
                break
            size = min(len(self._send_queue), self._send_mss(), usable)
            chunk = bytes(self._send_queue[:size])
            del self._send_queue[:size]
            self._transmit(InFlight(self.snd_nxt, Flag.PSH, chunk), turn)
        if self._fin_queued and not self._send_queue and self._fin_seq is None:
            self._fin_seq = self.snd_nxt
            self._transmit(InFlight(self.snd_nxt, Flag.FIN), turn)

    def _transmit(self, entry: InFlight, turn: Turn) -> None:
        self._in_flight.append(entry)
        self.snd_nxt = entry.end
        self._timers.start_retransmission(turn.now, self.config.initial_rto)
        turn.out.segments.append(self._build(entry, turn.now))

    def _acknowledge(self, ack: int, turn: Turn) -> None:
        """SND.UNA advances to SEG.ACK; fully acknowledged segments leave the queue."""
        self.snd_una = ack
        self._in_flight = [e for e in self._in_flight if seq_gt(e.end, ack)]
        if self._in_flight:
            self._timers.restart_retransmission(turn.now, self.config.initial_rto)
        else:
            self._timers.stop_retransmission()

    def _our_fin_acked(self) -> bool:
        return self._fin_seq is not None and seq_gt(self.snd_una, self._fin_seq)

    # --- timers firing --------------------------------------------------------------------------

    def _fire_due_timer(self, turn: Turn) -> None:
        due = self._timers.due(turn.now)
        if due is not None:
            _ON_TIMER[due](self, turn)

    def _on_time_wait_timeout(self, turn: Turn) -> None:
        self._apply(TcpEvent.TIMEOUT_2MSL, turn)

    def _on_retransmission_timeout(self, turn: Turn) -> None:
        timers = self._timers
        if not self._in_flight:
            timers.stop_retransmission()
            return
        if timers.attempts >= self.config.max_retransmits:
            turn.out.events.append(ConnectionTimedOut(
                f"nothing came back after {timers.attempts} retransmissions: the "
                "connection is given up", "RFC 9293 §3.8.3"))
            self._apply(TcpEvent.TIMEOUT_GIVE_UP, turn)
            return
        timers.back_off(turn.now)
        self._apply(TcpEvent.TIMEOUT_RETRANSMIT, turn, emit=False)
        segment = self._build(self._in_flight[0], turn.now)
        turn.out.segments.append(segment)
        turn.out.events.append(Retransmitted(segment.kind, timers.attempts))

    # --- the end of every call ------------------------------------------------------------------

    def _finish(self, turn: Turn) -> Output:
        if turn.ack_due and self.state not in (State.CLOSED, State.LISTEN, State.SYN_SENT):
            turn.out.segments.append(self._ack_segment(turn.now))
        if self._close_pending and self.state is State.ESTABLISHED:
            self._close_pending = False
            self._apply(TcpEvent.CLOSE, turn)
        if self.state in _SENDING_STATES:
            self._push(turn)
        return turn.out


# --- dispatch tables -----------------------------------------------------------------------

_EMITTERS: dict[SegmentKind, Callable[[Machine, Turn], None]] = {
    SegmentKind.SYN: Machine._emit_syn,
    SegmentKind.SYN_ACK: Machine._emit_syn,  # the same ISS; _build adds the ACK
    SegmentKind.ACK: Machine._emit_ack,
    SegmentKind.FIN: Machine._emit_fin,
    SegmentKind.DATA: Machine._emit_data,
    SegmentKind.RST: Machine._emit_abort_reset,
}

_ON_ENTER: dict[State, Callable[[Machine, Turn], None]] = {
    State.CLOSED: Machine._enter_closed,
    State.LISTEN: Machine._enter_listen,
    State.TIME_WAIT: Machine._enter_time_wait,
}

_ON_TIMER: dict[Timer, Callable[[Machine, Turn], None]] = {
    Timer.TIME_WAIT: Machine._on_time_wait_timeout,
    Timer.RETRANSMISSION: Machine._on_retransmission_timeout,
}
