"""A sans-I/O TCP endpoint (RFC 9293): segments and user calls in, segments and events out.

The endpoint owns one connection's control block (RFC 9293 §3.3.1: ISS, IRS, SND.UNA,
SND.NXT, SND.WND, RCV.NXT, RCV.WND, ...). Every state change is a row looked up in
`engine.tcp.states.TRANSITIONS`; this module holds the detailed checks of RFC 9293 §3.10.7
that decide which row an arriving segment triggers, with the RFC 5961 mitigations against
blind in-window attacks (challenge ACKs).

Nothing here reads a clock, draws randomness or touches a socket: time arrives as `now`
(seconds), the ISN comes from the injected `isn_source` (or `next_isn`), and the caller moves
the returned segments to the wire.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.tcp.events import (
    ChallengeAckSent,
    ConnectionRefused,
    ConnectionReset,
    ConnectionTimedOut,
    DataReceived,
    DroppedWithAck,
    EndpointEvent,
    PeerClosed,
    ResetSent,
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
    TcpOption,
    Timestamps,
    WindowScale,
)
from engine.tcp.states import SYNCHRONIZED_STATES, State, TcpEvent, Transition, transition_for

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

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# --- sequence-number arithmetic (RFC 9293 §3.4: all arithmetic is modulo 2**32) ------------

SEQ_MOD = 1 << 32
_HALF = 1 << 31


def seq_add(a: int, n: int) -> int:
    """a + n, wrapped into the 32-bit sequence space."""
    return (a + n) % SEQ_MOD


def seq_sub(a: int, b: int) -> int:
    """How far `a` lies ahead of `b`, counting forward around the sequence space."""
    return (a - b) % SEQ_MOD


def seq_lt(a: int, b: int) -> bool:
    """a < b in sequence space: b lies less than half the space ahead of a."""
    return seq_sub(a, b) >= _HALF


def seq_le(a: int, b: int) -> bool:
    return a % SEQ_MOD == b % SEQ_MOD or seq_lt(a, b)


def seq_gt(a: int, b: int) -> bool:
    return seq_lt(b, a)


def seq_ge(a: int, b: int) -> bool:
    return seq_le(b, a)


def seq_between(low: int, x: int, high: int) -> bool:
    """low =< x =< high, walking forward from `low` (correct across the 2**32 wrap)."""
    return seq_sub(x, low) <= seq_sub(high, low)


def segment_acceptable(seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """The four-case acceptability test of RFC 9293 §3.10.7.4 (Table 6)."""

    def in_window(x: int) -> bool:
        return seq_sub(x, rcv_nxt) < rcv_wnd

    if seg_len == 0:
        return seq % SEQ_MOD == rcv_nxt if rcv_wnd == 0 else in_window(seq)
    if rcv_wnd == 0:
        return False
    return in_window(seq) or in_window(seq_add(seq, seg_len - 1))


# --- configuration and results ----------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    ip: IPAddress
    port: int


@dataclass
class EndpointConfig:
    local: Address
    remote: Address | None = None
    mss: int = 1460
    window: int = 64240
    window_scale: int | None = 7
    sack_permitted: bool = True
    timestamps: bool = False
    msl: float = 120.0
    initial_rto: float = 1.0
    max_retransmits: int = 5


@dataclass
class Output:
    """What one call produced: segments for the wire, events for the referee, in order."""

    segments: list[Segment] = field(default_factory=list)
    events: list[EndpointEvent] = field(default_factory=list)


@dataclass(frozen=True)
class _InFlight:
    """A sent segment that occupies sequence space and is not yet fully acknowledged."""

    seq: int
    flags: Flag  # SYN, PSH or FIN; ACK is added when the segment is (re)built
    payload: bytes = b""

    @property
    def end(self) -> int:
        length = len(self.payload) + (Flag.SYN in self.flags) + (Flag.FIN in self.flags)
        return seq_add(self.seq, length)


@dataclass
class _Turn:
    """The scratch state of one call: its time, its output, and whether an ACK is owed."""

    now: float
    out: Output = field(default_factory=Output)
    ack_due: bool = False
    src_ip: IPAddress | None = None
    our_fin_acked: bool = False


_SENDING_STATES = frozenset({State.ESTABLISHED, State.CLOSE_WAIT, State.FIN_WAIT_1,
                             State.LAST_ACK})
_TEXT_STATES = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2})
_USER_RESET_STATES = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2,
                                State.CLOSE_WAIT})
_DEFAULT_SEND_MSS = {4: 536, 6: 1220}  # RFC 9293 §3.7.1: without an MSS option

ARRIVES = "RFC 9293 §3.10.7.4"


def _ts_value(now: float) -> int:
    """TSval: a millisecond clock read from the injected time (RFC 7323 §5.4)."""
    return int(now * 1000) % SEQ_MOD


def _kind_of(flags: Flag, payload: bytes) -> SegmentKind:
    if Flag.RST in flags:
        return SegmentKind.RST_ACK if Flag.ACK in flags else SegmentKind.RST
    if Flag.SYN in flags:
        return SegmentKind.SYN_ACK if Flag.ACK in flags else SegmentKind.SYN
    if Flag.FIN in flags:
        return SegmentKind.FIN
    return SegmentKind.DATA if payload else SegmentKind.ACK


class Endpoint:
    """One side of one TCP connection, driven entirely by its caller."""

    def __init__(self, name: str, config: EndpointConfig, isn_source: Callable[[], int]) -> None:
        self.name = name
        self.config = config
        self._isn_source = isn_source
        self.state = State.CLOSED
        self.remote: Address | None = config.remote
        self.next_isn: int | None = None
        # the transmission control block (RFC 9293 §3.3.1)
        self.iss = 0
        self.irs = 0
        self.snd_una = 0
        self.snd_nxt = 0
        self.snd_wnd = 0
        self.snd_wl1 = 0
        self.snd_wl2 = 0
        self.max_snd_wnd = 0  # RFC 5961 §5.2 MAX.SND.WND
        self.rcv_nxt = 0
        self.rcv_wnd = config.window
        self.rcv_up = 0
        self.passive_open = False
        # what the peer's SYN told us
        self.peer_mss: int | None = None
        self.peer_window_scale: int | None = None
        self.peer_sack_permitted = False
        self.timestamps_enabled = False
        self._ts_recent = 0
        self._irs_known = False
        # queues and timers
        self._send_queue = bytearray()
        self._received = bytearray()
        self._in_flight: list[_InFlight] = []
        self._fin_queued = False
        self._fin_seq: int | None = None
        self._close_pending = False
        self._rto = config.initial_rto
        self._rtx_attempts = 0
        self._rtx_deadline: float | None = None
        self._time_wait_deadline: float | None = None

    # --- user calls (RFC 9293 §3.10.1 to §3.10.5) -------------------------------------------

    def open_active(self, now: float) -> Output:
        turn = _Turn(now)
        if self.state not in (State.CLOSED, State.LISTEN):
            self._reject(turn, TcpEvent.OPEN_ACTIVE, "connection already exists: this "
                         f"endpoint is {self.state.value}", "RFC 9293 §3.10.1")
        elif self.remote is None:
            self._reject(turn, TcpEvent.OPEN_ACTIVE, "foreign socket unspecified: an active "
                         "OPEN needs the peer's address and port", "RFC 9293 §3.10.1")
        else:
            self._active_open(turn, TcpEvent.OPEN_ACTIVE)
        return self._finish(turn)

    def open_passive(self, now: float) -> Output:
        turn = _Turn(now)
        if self.state is not State.CLOSED:
            self._reject(turn, TcpEvent.OPEN_PASSIVE, "connection already exists: this "
                         f"endpoint is {self.state.value}", "RFC 9293 §3.10.1")
        else:
            self.passive_open = True
            self._apply(TcpEvent.OPEN_PASSIVE, turn)
        return self._finish(turn)

    def send(self, data: bytes, now: float) -> Output:
        turn = _Turn(now)
        _SEND_CALLS[self.state](self, bytes(data), turn)
        return self._finish(turn)

    def close(self, now: float) -> Output:
        turn = _Turn(now)
        _CLOSE_CALLS[self.state](self, turn)
        return self._finish(turn)

    def abort(self, now: float) -> Output:
        turn = _Turn(now)
        if self.state is State.CLOSED:
            self._reject(turn, TcpEvent.ABORT, "connection does not exist: there is nothing "
                         "to abort", "RFC 9293 §3.10.5")
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
        turn = _Turn(now, src_ip=src_ip)
        if segment.dst_port != self.config.local.port:
            self._drop(turn, f"the segment is addressed to port {segment.dst_port}, not to this "
                       f"endpoint's port {self.config.local.port}", "RFC 9293 §3.3.1")
        elif (self.state not in (State.CLOSED, State.LISTEN) and self.remote is not None
              and segment.src_port != self.remote.port):
            self._drop(turn, f"the segment comes from port {segment.src_port}, which belongs to "
                       f"another connection (the peer is port {self.remote.port})",
                       "RFC 9293 §3.3.1")
        else:
            _ARRIVALS[self.state](self, segment, turn)
        return self._finish(turn)

    def poll(self, now: float) -> Output:
        """Fire the timers that are due at `now`: TIME-WAIT expiry, then retransmission."""
        turn = _Turn(now)
        if self._time_wait_deadline is not None and now >= self._time_wait_deadline:
            self._apply(TcpEvent.TIMEOUT_2MSL, turn)
        elif self._rtx_deadline is not None and now >= self._rtx_deadline:
            self._on_retransmission_timeout(turn)
        return self._finish(turn)

    def next_deadline(self) -> float | None:
        """When `poll` next has something to do, or None if no timer is running."""
        deadlines = [d for d in (self._time_wait_deadline, self._rtx_deadline) if d is not None]
        return min(deadlines) if deadlines else None

    def copy(self) -> Endpoint:
        """An independent copy, for trying a move without touching this endpoint.

        The ISN source is deep-copied too where Python can (a bound method of a seeded
        random source forks with it), so ISNs drawn by the copy never shift this one's.
        """
        return copy.deepcopy(self)

    # --- the table: every state change goes through here -------------------------------------

    def _apply(self, event: TcpEvent, turn: _Turn, *, emit: bool = True) -> Transition:
        row = transition_for(self.state, event, passive_open=self.passive_open)
        if row is None:
            raise AssertionError(f"no transition for {event.name} in {self.state.value}")
        if emit and row.emits is not None:
            _EMITTERS[row.emits](self, turn)
        old, self.state = self.state, row.next_state
        if old is not row.next_state:
            turn.out.events.append(StateChanged(old, row.next_state, row.rule, row.section))
            _ON_ENTER.get(row.next_state, Endpoint._enter_nothing)(self, turn)
        elif row.next_state is State.TIME_WAIT and event is TcpEvent.RCV_FIN:
            self._time_wait_deadline = turn.now + 2 * self.config.msl
        return row

    def _enter_nothing(self, turn: _Turn) -> None:
        pass

    def _enter_closed(self, turn: _Turn) -> None:
        self._forget_connection()

    def _enter_listen(self, turn: _Turn) -> None:
        self._forget_connection()
        self.passive_open = True
        self.remote = self.config.remote

    def _enter_time_wait(self, turn: _Turn) -> None:
        self._in_flight.clear()
        self._rtx_deadline = None
        self._time_wait_deadline = turn.now + 2 * self.config.msl

    def _forget_connection(self) -> None:
        self._in_flight.clear()
        self._send_queue.clear()
        self._rtx_deadline = None
        self._time_wait_deadline = None
        self._fin_queued = False
        self._fin_seq = None
        self._close_pending = False
        self._irs_known = False
        self.timestamps_enabled = False
        self.peer_mss = None
        self.peer_window_scale = None
        self.peer_sack_permitted = False

    # --- user-call handlers (dispatched by state) ---------------------------------------------

    def _reject(self, turn: _Turn, call: TcpEvent, reason: str, section: str) -> None:
        turn.out.events.append(UserCallRejected(call, reason, section))

    def _active_open(self, turn: _Turn, event: TcpEvent) -> None:
        self.passive_open = False
        self.iss = self._choose_isn()
        self._apply(event, turn)

    def _send_rejected(self, data: bytes, turn: _Turn) -> None:
        if self.state is State.CLOSED:
            self._reject(turn, TcpEvent.SEND, "connection does not exist: open a connection "
                         "before sending", "RFC 9293 §3.10.2")
        else:
            self._reject(turn, TcpEvent.SEND, f"connection closing: this endpoint is "
                         f"{self.state.value} and has already sent its FIN", "RFC 9293 §3.10.2")

    def _send_listen(self, data: bytes, turn: _Turn) -> None:
        if self.remote is None:
            self._reject(turn, TcpEvent.SEND, "foreign socket unspecified: a listening "
                         "endpoint can only send once it knows its peer", "RFC 9293 §3.10.2")
            return
        self._send_queue += data
        self._active_open(turn, TcpEvent.SEND)

    def _send_queued(self, data: bytes, turn: _Turn) -> None:
        if self._close_pending:
            self._reject(turn, TcpEvent.SEND, "connection closing: CLOSE was already called",
                         "RFC 9293 §3.10.2")
            return
        self._send_queue += data  # sent once the connection is ESTABLISHED

    def _send_now(self, data: bytes, turn: _Turn) -> None:
        self._send_queue += data
        self._apply(TcpEvent.SEND, turn)

    def _close_rejected(self, turn: _Turn) -> None:
        if self.state is State.CLOSED:
            self._reject(turn, TcpEvent.CLOSE, "connection does not exist: there is nothing "
                         "to close", "RFC 9293 §3.10.4")
        else:
            self._reject(turn, TcpEvent.CLOSE, f"connection closing: this endpoint is "
                         f"{self.state.value} and has already sent its FIN", "RFC 9293 §3.10.4")

    def _close_now(self, turn: _Turn) -> None:
        self._apply(TcpEvent.CLOSE, turn)

    def _close_syn_received(self, turn: _Turn) -> None:
        if self._close_pending:
            self._close_rejected_pending(turn)
        elif self._send_queue:
            self._close_pending = True  # the FIN follows the queued data once ESTABLISHED
        else:
            self._apply(TcpEvent.CLOSE, turn)

    def _close_rejected_pending(self, turn: _Turn) -> None:
        self._reject(turn, TcpEvent.CLOSE, "connection closing: CLOSE was already called",
                     "RFC 9293 §3.10.4")

    # --- what a row's `emits` turns into --------------------------------------------------------

    def _emit_syn(self, turn: _Turn) -> None:
        entry = _InFlight(self.iss, Flag.SYN)
        self._in_flight = [entry]
        self.snd_una = self.iss
        self.snd_nxt = entry.end
        self._restart_timer(turn.now)
        turn.out.segments.append(self._build(entry, turn.now))

    def _emit_ack(self, turn: _Turn) -> None:
        turn.ack_due = True

    def _emit_fin(self, turn: _Turn) -> None:
        self._fin_queued = True
        self._push(turn)

    def _emit_data(self, turn: _Turn) -> None:
        self._push(turn)

    def _emit_abort_reset(self, turn: _Turn) -> None:
        turn.out.segments.append(self._reset(self.config.local.port, self._remote_port(),
                                             self.snd_nxt, 0, Flag.RST))
        turn.out.events.append(ResetSent(
            f"the user called ABORT: <SEQ=SND.NXT={self.snd_nxt}><CTL=RST> tells the peer the "
            "connection is gone", "RFC 9293 §3.10.5"))

    # --- building segments ----------------------------------------------------------------------

    def _remote_port(self) -> int:
        return self.remote.port if self.remote is not None else 0

    def _build(self, entry: _InFlight, now: float) -> Segment:
        flags = entry.flags | Flag.ACK if self._irs_known else entry.flags
        options = self._syn_options(now) if Flag.SYN in flags else self._timestamp_options(now)
        return Segment(
            src_port=self.config.local.port, dst_port=self._remote_port(), seq=entry.seq,
            ack=self.rcv_nxt if Flag.ACK in flags else 0, flags=flags,
            window=min(self.rcv_wnd, 0xFFFF), options=options, payload=entry.payload)

    def _ack_segment(self, now: float) -> Segment:
        return Segment(
            src_port=self.config.local.port, dst_port=self._remote_port(), seq=self.snd_nxt,
            ack=self.rcv_nxt, flags=Flag.ACK, window=min(self.rcv_wnd, 0xFFFF),
            options=self._timestamp_options(now))

    def _reset(self, src_port: int, dst_port: int, seq: int, ack: int, flags: Flag) -> Segment:
        return Segment(src_port=src_port, dst_port=dst_port, seq=seq % SEQ_MOD,
                       ack=ack % SEQ_MOD, flags=flags, window=0)

    def _syn_options(self, now: float) -> tuple[TcpOption, ...]:
        """MSS, SACK-permitted, timestamps, window scale, laid out on 4-byte boundaries.

        On a SYN,ACK only the options the peer's SYN offered are echoed (RFC 7323 §1.3).
        """
        answering = self._irs_known
        config = self.config
        sack = config.sack_permitted and (self.peer_sack_permitted or not answering)
        timestamps = config.timestamps and (self.timestamps_enabled or not answering)
        scale = config.window_scale is not None and (
            self.peer_window_scale is not None or not answering)
        options: list[TcpOption] = [MaxSegmentSize(config.mss)]
        stamp = Timestamps(_ts_value(now), self._ts_recent if answering else 0)
        if sack and timestamps:
            options += [SackPermitted(), stamp]
        elif timestamps:
            options += [NoOperation(), NoOperation(), stamp]
        elif sack:
            options += [NoOperation(), NoOperation(), SackPermitted()]
        if scale and config.window_scale is not None:
            options += [NoOperation(), WindowScale(config.window_scale)]
        return tuple(options)

    def _timestamp_options(self, now: float) -> tuple[TcpOption, ...]:
        if not self.timestamps_enabled:
            return ()
        return (NoOperation(), NoOperation(), Timestamps(_ts_value(now), self._ts_recent))

    def _record_peer_syn(self, segment: Segment) -> None:
        self.irs = segment.seq
        self.rcv_nxt = seq_add(segment.seq, 1)
        self._irs_known = True
        peer_timestamp: Timestamps | None = None
        for option in segment.options:
            if isinstance(option, MaxSegmentSize):
                self.peer_mss = option.mss
            elif isinstance(option, WindowScale):
                self.peer_window_scale = option.shift
            elif isinstance(option, SackPermitted):
                self.peer_sack_permitted = True
            elif isinstance(option, Timestamps):
                peer_timestamp = option
        self.timestamps_enabled = self.config.timestamps and peer_timestamp is not None
        if peer_timestamp is not None:
            self._ts_recent = peer_timestamp.value

    def _choose_isn(self) -> int:
        if self.next_isn is not None:
            isn, self.next_isn = self.next_isn, None
            return isn % SEQ_MOD
        return self._isn_source() % SEQ_MOD

    def _send_mss(self) -> int:
        default = _DEFAULT_SEND_MSS[self.config.local.ip.version]
        return max(1, min(self.config.mss, self.peer_mss or default))

    # --- sending and retransmitting -------------------------------------------------------------

    def _push(self, turn: _Turn) -> None:
        """Send queued data the peer's window allows, then the FIN once the queue is empty."""
        while self._send_queue:
            usable = self.snd_wnd - seq_sub(self.snd_nxt, self.snd_una)
            if usable <= 0:
                break
            size = min(len(self._send_queue), self._send_mss(), usable)
            chunk = bytes(self._send_queue[:size])
            del self._send_queue[:size]
            self._transmit(_InFlight(self.snd_nxt, Flag.PSH, chunk), turn)
        if self._fin_queued and not self._send_queue and self._fin_seq is None:
            self._fin_seq = self.snd_nxt
            self._transmit(_InFlight(self.snd_nxt, Flag.FIN), turn)

    def _transmit(self, entry: _InFlight, turn: _Turn) -> None:
        self._in_flight.append(entry)
        self.snd_nxt = entry.end
        if self._rtx_deadline is None:
            self._restart_timer(turn.now)
        turn.out.segments.append(self._build(entry, turn.now))

    def _restart_timer(self, now: float) -> None:
        self._rto = self.config.initial_rto
        self._rtx_attempts = 0
        self._rtx_deadline = now + self._rto

    def _on_retransmission_timeout(self, turn: _Turn) -> None:
        if not self._in_flight:
            self._rtx_deadline = None
            return
        if self._rtx_attempts >= self.config.max_retransmits:
            turn.out.events.append(ConnectionTimedOut(
                f"nothing came back after {self._rtx_attempts} retransmissions: the "
                "connection is given up", "RFC 9293 §3.8.3"))
            self._apply(TcpEvent.TIMEOUT_GIVE_UP, turn)
            return
        self._rtx_attempts += 1
        self._rto *= 2  # RFC 6298 §5.5: back off the timer
        self._rtx_deadline = turn.now + self._rto
        self._apply(TcpEvent.TIMEOUT_RETRANSMIT, turn, emit=False)
        segment = self._build(self._in_flight[0], turn.now)
        turn.out.segments.append(segment)
        turn.out.events.append(
            Retransmitted(_kind_of(segment.flags, segment.payload), self._rtx_attempts))

    def _acknowledge(self, ack: int, turn: _Turn) -> None:
        """SND.UNA advances to SEG.ACK; fully acknowledged segments leave the queue."""
        self.snd_una = ack
        self._in_flight = [e for e in self._in_flight if seq_gt(e.end, ack)]
        if self._in_flight:
            self._restart_timer(turn.now)
        else:
            self._rtx_deadline = None

    def _our_fin_acked(self) -> bool:
        return self._fin_seq is not None and seq_gt(self.snd_una, self._fin_seq)

    # --- replies to a bad segment ---------------------------------------------------------------

    def _drop(self, turn: _Turn, reason: str, section: str) -> None:
        turn.out.events.append(SegmentDropped(reason, section))

    def _reply_reset(self, segment: Segment, turn: _Turn, reason: str, section: str) -> None:
        """<SEQ=SEG.ACK><CTL=RST> if the segment has ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
        <CTL=RST,ACK>: the form the sender will find acceptable (RFC 9293 §3.5.2)."""
        src, dst = segment.dst_port, segment.src_port
        if Flag.ACK in segment.flags:
            reset = self._reset(src, dst, segment.ack, 0, Flag.RST)
            form = f"<SEQ=SEG.ACK={segment.ack}><CTL=RST>"
        else:
            ack = seq_add(segment.seq, segment.seg_len)
            reset = self._reset(src, dst, 0, ack, Flag.RST | Flag.ACK)
            form = f"<SEQ=0><ACK=SEG.SEQ+SEG.LEN={ack}><CTL=RST,ACK>"
        turn.out.segments.append(reset)
        turn.out.events.append(ResetSent(f"{reason}; answered with {form}", section))

    def _challenge_syn(self, turn: _Turn) -> None:
        turn.out.events.append(ChallengeAckSent(
            f"a SYN arrived on a {self.state.value} connection: it may be a blind attack or "
            "a peer that restarted, so it is dropped and answered with "
            f"<SEQ=SND.NXT={self.snd_nxt}><ACK=RCV.NXT={self.rcv_nxt}><CTL=ACK>",
            "RFC 5961 §4.2"))
        self._apply(TcpEvent.RCV_SYN, turn)

    def _synchronized(self) -> bool:
        return self.state in SYNCHRONIZED_STATES or (
            self.state is State.SYN_RECEIVED and not self.passive_open)

    # --- SEGMENT ARRIVES: CLOSED, LISTEN, SYN-SENT ------------------------------------------

    def _arrive_closed(self, segment: Segment, turn: _Turn) -> None:
        section = "RFC 9293 §3.10.7.1"
        if Flag.RST in segment.flags:
            self._drop(turn, "a RST for a connection that does not exist is dropped", section)
        else:
            self._reply_reset(segment, turn, "there is no connection here (CLOSED)", section)

    def _arrive_listen(self, segment: Segment, turn: _Turn) -> None:
        section = "RFC 9293 §3.10.7.2"
        if Flag.RST in segment.flags:
            self._drop(turn, "a RST in LISTEN cannot belong to anything this endpoint sent, "
                       "so it is ignored", section)
        elif Flag.ACK in segment.flags:
            self._reply_reset(segment, turn, "an ACK in LISTEN acknowledges nothing this "
                              "endpoint sent", section)
        elif Flag.SYN in segment.flags:
            self._accept_syn(segment, turn)
        else:
            self._drop(turn, "a segment in LISTEN without SYN, ACK or RST has no meaning",
                       section)

    def _accept_syn(self, segment: Segment, turn: _Turn) -> None:
        ip = turn.src_ip or (self.config.remote.ip if self.config.remote else None)
        if ip is None:
            ip = ipaddress.ip_address("::" if self.config.local.ip.version == 6 else "0.0.0.0")
        self.remote = Address(ip, segment.src_port)
        self._record_peer_syn(segment)
        self._note_peer_window(segment.window, segment.seq, 0)
        self.passive_open = True
        self.iss = self._choose_isn()
        self._apply(TcpEvent.RCV_SYN, turn)
        if segment.payload or Flag.FIN in segment.flags:
            self._drop(turn, "data or FIN on a SYN is not kept by this endpoint; the peer "
                       "will send it again", "RFC 9293 §3.10.7.2")

    def _arrive_syn_sent(self, segment: Segment, turn: _Turn) -> None:
        section = "RFC 9293 §3.10.7.3"
        flags = segment.flags
        if Flag.ACK in flags and not (seq_lt(self.iss, segment.ack)
                                      and seq_le(segment.ack, self.snd_nxt)):
            bad = (f"SEG.ACK={segment.ack} does not acknowledge our SYN (it must be above "
                   f"ISS={self.iss} and at most SND.NXT={self.snd_nxt})")
            if Flag.RST in flags:
                self._drop(turn, f"{bad}, and a RST is never answered with a RST", section)
            else:
                self._reply_reset(segment, turn, bad, section)
            return
        if Flag.RST in flags:
            if Flag.ACK in flags:
                turn.out.events.append(ConnectionRefused(
                    "the peer answered our SYN with a RST: nothing listens on that port "
                    "(the RFC tells the user \"connection reset\", sockets say \"connection "
                    "refused\")", section))
                self._apply(TcpEvent.RCV_RST, turn)
            else:
                self._drop(turn, "a RST without an ACK cannot be checked against our SYN, so "
                           "it is dropped", section)
            return
        if Flag.SYN not in flags:
            self._drop(turn, "in SYN-SENT only a SYN or a RST means anything; this segment "
                       "has neither", section)
            return
        self._record_peer_syn(segment)
        if Flag.ACK in flags:
            self._acknowledge(segment.ack, turn)
            self._note_peer_window(segment.window, segment.seq, segment.ack)
            self._apply(TcpEvent.RCV_SYN_ACK, turn)
            self._process_text(segment, turn)
            self._process_fin(segment, turn)
        else:
            self._note_peer_window(segment.window, segment.seq, segment.ack)
            self.passive_open = False
            self._apply(TcpEvent.RCV_SYN, turn)

    def _note_peer_window(self, window: int, seq: int, ack: int) -> None:
        self.snd_wnd, self.snd_wl1, self.snd_wl2 = window, seq, ack
        self.max_snd_wnd = max(self.max_snd_wnd, window)

    # --- SEGMENT ARRIVES: the other states, step by step (RFC 9293 §3.10.7.4) ----------------

    def _arrive_other(self, segment: Segment, turn: _Turn) -> None:
        for step in _STEPS:
            if not step(self, segment, turn):
                break
        if turn.our_fin_acked and self.state is State.FIN_WAIT_1:
            self._apply(TcpEvent.RCV_ACK_OF_FIN, turn)

    def _step_time_wait_fin(self, segment: Segment, turn: _Turn) -> bool:
        """TIME-WAIT: the peer's FIN again means our last ACK was lost: ACK it again."""
        fin_seq = seq_add(segment.seq, len(segment.payload))
        if (self.state is State.TIME_WAIT and Flag.FIN in segment.flags
                and not segment.flags & (Flag.RST | Flag.SYN)
                and fin_seq == seq_sub(self.rcv_nxt, 1)):
            self._apply(TcpEvent.RCV_FIN, turn)
            return False
        return True

    def _step_crossed_syn_ack(self, segment: Segment, turn: _Turn) -> bool:
        """SYN-RECEIVED after a simultaneous open: the peer's SYN,ACK repeats its SYN (one
        below RCV.NXT, so the window test would bounce it) but carries the ACK of ours."""
        if (self.state is State.SYN_RECEIVED and not self.passive_open
                and segment.flags & (Flag.SYN | Flag.ACK | Flag.RST) == Flag.SYN | Flag.ACK
                and segment.seq == self.irs
                and seq_lt(self.snd_una, segment.ack) and seq_le(segment.ack, self.snd_nxt)):
            self._note_peer_window(segment.window, segment.seq, segment.ack)
            self._acknowledge(segment.ack, turn)
            self._apply(TcpEvent.RCV_SYN_ACK, turn)
            return False
        return True

    def _step_sequence(self, segment: Segment, turn: _Turn) -> bool:
        """First: is the segment inside the receive window (Table 6)?"""
        if segment_acceptable(segment.seq, segment.seg_len, self.rcv_nxt, self.rcv_wnd):
            self._note_timestamp(segment)
            return True
        where = (f"SEG.SEQ={segment.seq} (length {segment.seg_len}) is outside the receive "
                 f"window that starts at RCV.NXT={self.rcv_nxt} and is RCV.WND={self.rcv_wnd} "
                 "wide")
        if Flag.RST in segment.flags:
            self._drop(turn, f"{where}: a RST there is dropped without a word",
                       "RFC 9293 §3.10.7.4; RFC 5961 §3.2")
        elif Flag.SYN in segment.flags and self._synchronized():
            self._challenge_syn(turn)
        else:
            turn.out.events.append(DroppedWithAck(
                f"{where}: an old duplicate or a guess; it is dropped and answered with "
                f"<SEQ=SND.NXT={self.snd_nxt}><ACK=RCV.NXT={self.rcv_nxt}><CTL=ACK>", ARRIVES))
            turn.ack_due = True
        return False

    def _step_reset(self, segment: Segment, turn: _Turn) -> bool:
        """Second: a RST resets only if it lands exactly on RCV.NXT (RFC 5961 §3.2)."""
        if Flag.RST not in segment.flags:
            return True
        if segment.seq != self.rcv_nxt:
            turn.out.events.append(ChallengeAckSent(
                f"a RST with SEG.SEQ={segment.seq} is in the window but not exactly at "
                f"RCV.NXT={self.rcv_nxt}: it may be a blind reset, so a challenge ACK asks a "
                "real peer to send its RST again at RCV.NXT", "RFC 5961 §3.2"))
            turn.ack_due = True
            return False
        if self.state is State.SYN_RECEIVED and not self.passive_open:
            turn.out.events.append(ConnectionRefused(
                "the peer answered our simultaneous open with a RST (connection refused)",
                ARRIVES))
        elif self.state in _USER_RESET_STATES:
            turn.out.events.append(ConnectionReset(
                f"the peer reset the connection with a RST at RCV.NXT={self.rcv_nxt} "
                "(connection reset)", ARRIVES))
        self._apply(TcpEvent.RCV_RST, turn)
        return False

    def _step_syn(self, segment: Segment, turn: _Turn) -> bool:
        """Fourth (security, the third, does not apply): a SYN on a synchronized connection."""
        if Flag.SYN not in segment.flags:
            return True
        if self.state is State.SYN_RECEIVED and self.passive_open:
            self._apply(TcpEvent.RCV_SYN, turn)
        else:
            self._challenge_syn(turn)
        return False

    def _step_ack(self, segment: Segment, turn: _Turn) -> bool:
        """Fifth: the ACK field."""
        if Flag.ACK not in segment.flags:
            self._drop(turn, "after the handshake every segment must carry an ACK; this one "
                       "does not", ARRIVES)
            return False
        ack = segment.ack
        if self.state is State.SYN_RECEIVED:
            if not (seq_lt(self.snd_una, ack) and seq_le(ack, self.snd_nxt)):
                self._reply_reset(segment, turn, f"SEG.ACK={ack} does not acknowledge our "
                                  f"SYN,ACK (it must be above SND.UNA={self.snd_una} and at "
                                  f"most SND.NXT={self.snd_nxt})", ARRIVES)
                return False
            self._note_peer_window(segment.window, segment.seq, ack)
            self._apply(TcpEvent.RCV_ACK_OF_SYN, turn)
        oldest = seq_sub(self.snd_una, self.max_snd_wnd)
        if not seq_between(oldest, ack, self.snd_nxt):
            turn.out.events.append(ChallengeAckSent(
                f"SEG.ACK={ack} is outside [SND.UNA-MAX.SND.WND={oldest}, "
                f"SND.NXT={self.snd_nxt}]: it acknowledges data never sent or long gone, so "
                "the segment is dropped and answered with an ACK", "RFC 5961 §5.2"))
            turn.ack_due = True
            return False
        if seq_lt(self.snd_una, ack):
            self._acknowledge(ack, turn)
        if seq_le(self.snd_una, ack) and (seq_lt(self.snd_wl1, segment.seq) or (
                self.snd_wl1 == segment.seq and seq_le(self.snd_wl2, ack))):
            self._note_peer_window(segment.window, segment.seq, ack)
        return _ACK_BY_STATE.get(self.state, Endpoint._ack_continue)(self, segment, turn)

    def _ack_continue(self, segment: Segment, turn: _Turn) -> bool:
        return True

    def _ack_fin_wait_1(self, segment: Segment, turn: _Turn) -> bool:
        # FIN-WAIT-2 is entered after the FIN step, so that a FIN in this same segment makes
        # the single move FIN-WAIT-1 -> TIME-WAIT of the diagram.
        turn.our_fin_acked = self._our_fin_acked()
        return True

    def _ack_closing(self, segment: Segment, turn: _Turn) -> bool:
        if self._our_fin_acked():
            self._apply(TcpEvent.RCV_ACK_OF_FIN, turn)
        return False

    def _ack_last_ack(self, segment: Segment, turn: _Turn) -> bool:
        if self._our_fin_acked():
            self._apply(TcpEvent.RCV_ACK_OF_FIN, turn)
        return False

    def _step_urgent(self, segment: Segment, turn: _Turn) -> bool:
        """Sixth: URG moves RCV.UP forward (urgent data is otherwise not treated apart)."""
        if Flag.URG in segment.flags and self.state in _TEXT_STATES:
            pointer = seq_add(segment.seq, segment.urgent)
            if seq_gt(pointer, self.rcv_up):
                self.rcv_up = pointer
        return True

    def _step_text(self, segment: Segment, turn: _Turn) -> bool:
        """Seventh: deliver in-order data and owe an ACK for it."""
        return self._process_text(segment, turn)

    def _process_text(self, segment: Segment, turn: _Turn) -> bool:
        if not segment.payload:
            return True
        if self.state not in _TEXT_STATES:
            self._drop(turn, f"data after the peer's FIN means nothing in {self.state.value}; "
                       "the text is ignored", ARRIVES)
            return True
        start = seq_add(segment.seq, 1 if Flag.SYN in segment.flags else 0)
        already = seq_sub(self.rcv_nxt, start)
        if already >= _HALF:  # the segment starts beyond RCV.NXT: bytes before it are missing
            turn.out.events.append(DroppedWithAck(
                f"the data starts at {start}, beyond RCV.NXT={self.rcv_nxt}: bytes in between "
                "are missing, so it is not delivered and the ACK repeats RCV.NXT", ARRIVES))
            turn.ack_due = True
            return False
        fresh = segment.payload[already:][: self.rcv_wnd]
        if fresh:
            self._received += fresh
            self.rcv_nxt = seq_add(self.rcv_nxt, len(fresh))
            turn.out.events.append(DataReceived(fresh))
            self._apply(TcpEvent.RCV_DATA, turn)
        return True

    def _step_fin(self, segment: Segment, turn: _Turn) -> bool:
        """Eighth: the FIN bit."""
        self._process_fin(segment, turn)
        return True

    def _process_fin(self, segment: Segment, turn: _Turn) -> None:
        if Flag.FIN not in segment.flags:
            return
        start = seq_add(segment.seq, 1 if Flag.SYN in segment.flags else 0)
        fin_seq = seq_add(start, len(segment.payload))
        if fin_seq != self.rcv_nxt or self.state not in _TEXT_STATES:
            turn.ack_due = True  # not in order (or a second FIN): acknowledge what we have
            return
        self.rcv_nxt = seq_add(self.rcv_nxt, 1)
        turn.out.events.append(PeerClosed())
        if self.state is State.FIN_WAIT_1 and self._our_fin_acked():
            self._apply(TcpEvent.RCV_FIN_ACK_OF_FIN, turn)
        else:
            self._apply(TcpEvent.RCV_FIN, turn)

    def _note_timestamp(self, segment: Segment) -> None:
        if not self.timestamps_enabled:
            return
        for option in segment.options:
            if isinstance(option, Timestamps):
                self._ts_recent = option.value

    # --- the end of every call --------------------------------------------------------------

    def _finish(self, turn: _Turn) -> Output:
        if turn.ack_due and self.state not in (State.CLOSED, State.LISTEN, State.SYN_SENT):
            turn.out.segments.append(self._ack_segment(turn.now))
        if self._close_pending and self.state is State.ESTABLISHED:
            self._close_pending = False
            self._apply(TcpEvent.CLOSE, turn)
        if self.state in _SENDING_STATES:
            self._push(turn)
        return turn.out


# --- dispatch tables -----------------------------------------------------------------------

_ArrivalHandler = Callable[[Endpoint, Segment, _Turn], None]
_Step = Callable[[Endpoint, Segment, _Turn], bool]

_ARRIVALS: dict[State, _ArrivalHandler] = {
    State.CLOSED: Endpoint._arrive_closed,
    State.LISTEN: Endpoint._arrive_listen,
    State.SYN_SENT: Endpoint._arrive_syn_sent,
    **{state: Endpoint._arrive_other for state in State
       if state not in (State.CLOSED, State.LISTEN, State.SYN_SENT)},
}

_STEPS: tuple[_Step, ...] = (
    Endpoint._step_time_wait_fin,
    Endpoint._step_crossed_syn_ack,
    Endpoint._step_sequence,
    Endpoint._step_reset,
    Endpoint._step_syn,
    Endpoint._step_ack,
    Endpoint._step_urgent,
    Endpoint._step_text,
    Endpoint._step_fin,
)

_ACK_BY_STATE: dict[State, _Step] = {
    State.FIN_WAIT_1: Endpoint._ack_fin_wait_1,
    State.CLOSING: Endpoint._ack_closing,
    State.LAST_ACK: Endpoint._ack_last_ack,
}

_EMITTERS: dict[SegmentKind, Callable[[Endpoint, _Turn], None]] = {
    SegmentKind.SYN: Endpoint._emit_syn,
    SegmentKind.SYN_ACK: Endpoint._emit_syn,  # the same ISS; _build adds the ACK
    SegmentKind.ACK: Endpoint._emit_ack,
    SegmentKind.FIN: Endpoint._emit_fin,
    SegmentKind.DATA: Endpoint._emit_data,
    SegmentKind.RST: Endpoint._emit_abort_reset,
}

_ON_ENTER: dict[State, Callable[[Endpoint, _Turn], None]] = {
    State.CLOSED: Endpoint._enter_closed,
    State.LISTEN: Endpoint._enter_listen,
    State.TIME_WAIT: Endpoint._enter_time_wait,
}

_SEND_CALLS: dict[State, Callable[[Endpoint, bytes, _Turn], None]] = {
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

_CLOSE_CALLS: dict[State, Callable[[Endpoint, _Turn], None]] = {
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
