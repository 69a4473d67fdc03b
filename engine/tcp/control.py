"""The transmission control block (RFC 9293 §3.3.1) and the segments it writes.

`ControlBlock` holds every piece of one connection's state: the sequence variables (ISS,
IRS, SND.UNA, SND.NXT, SND.WND, RCV.NXT, RCV.WND, ...), what the peer's SYN negotiated, the
send and receive buffers, the retransmit queue and the timers. The classes built on it add
behaviour only: `engine.tcp.machine` (table rows and what they send), `engine.tcp.arrival`
(SEGMENT ARRIVES) and `engine.tcp.endpoint` (the user calls). Here are the pieces those
share: reading a peer's SYN, choosing an ISN and laying out the segments this endpoint sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.tcp.events import EndpointEvent
from engine.tcp.segment import (
    Flag,
    IPAddress,
    MaxSegmentSize,
    NoOperation,
    SackPermitted,
    Segment,
    TcpOption,
    Timestamps,
    WindowScale,
)
from engine.tcp.seqnum import SEQ_MOD, seq_add
from engine.tcp.states import State
from engine.tcp.timers import Timers

__all__ = ["Address", "ControlBlock", "EndpointConfig", "InFlight", "Output", "Turn"]

_DEFAULT_SEND_MSS = {4: 536, 6: 1220}  # RFC 9293 §3.7.1: without an MSS option
MAX_WINDOW_SHIFT = 14  # RFC 7323 §2.3: a larger shift in the option is used as 14


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
class InFlight:
    """A sent segment that occupies sequence space and is not yet fully acknowledged."""

    seq: int
    flags: Flag  # SYN, PSH or FIN; ACK is added when the segment is (re)built
    payload: bytes = b""

    @property
    def end(self) -> int:
        length = len(self.payload) + (Flag.SYN in self.flags) + (Flag.FIN in self.flags)
        return seq_add(self.seq, length)


@dataclass
class Turn:
    """The scratch state of one call: its time, its output, and whether an ACK is owed."""

    now: float
    out: Output = field(default_factory=Output)
    ack_due: bool = False
    src_ip: IPAddress | None = None
    our_fin_acked: bool = False


def _ts_value(now: float) -> int:
    """TSval: a millisecond clock read from the injected time (RFC 7323 §5.4)."""
    return int(now * 1000) % SEQ_MOD


class ControlBlock:
    """One connection's state; no behaviour beyond reading it and writing segments from it."""

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
        self._in_flight: list[InFlight] = []
        self._fin_queued = False
        self._fin_seq: int | None = None
        self._close_pending = False
        self._timers = Timers(config.initial_rto)

    def _forget_connection(self) -> None:
        self._in_flight.clear()
        self._send_queue.clear()
        self._timers.stop_all()
        self._fin_queued = False
        self._fin_seq = None
        self._close_pending = False
        self._irs_known = False
        self.timestamps_enabled = False
        self.peer_mss = None
        self.peer_window_scale = None
        self.peer_sack_permitted = False

    # --- what the peer tells us ---------------------------------------------------------------

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

    def _note_timestamp(self, segment: Segment) -> None:
        if not self.timestamps_enabled:
            return
        for option in segment.options:
            if isinstance(option, Timestamps):
                self._ts_recent = option.value

    def _note_peer_window(self, segment: Segment, ack: int) -> None:
        """SND.WND from the segment's window field, scaled by the peer's shift except in a
        SYN, whose window is never scaled (RFC 7323 §2.2)."""
        shift = 0 if Flag.SYN in segment.flags else self._peer_shift()
        window = segment.window << shift
        self.snd_wnd, self.snd_wl1, self.snd_wl2 = window, segment.seq, ack
        self.max_snd_wnd = max(self.max_snd_wnd, window)

    def _scaling(self) -> bool:
        """Window scaling is on when both SYNs carried the option (RFC 7323 §1.3)."""
        return self.peer_window_scale is not None and self.config.window_scale is not None

    def _peer_shift(self) -> int:
        return min(self.peer_window_scale or 0, MAX_WINDOW_SHIFT) if self._scaling() else 0

    def _advertised_window(self, syn: bool) -> int:
        """RCV.WND as the 16-bit field carries it: unscaled in a SYN, else shifted right by
        our scale once both sides have agreed to scale (RFC 7323 §2.3)."""
        shift = 0 if syn or not self._scaling() else min(self.config.window_scale or 0, MAX_WINDOW_SHIFT)
        return min(self.rcv_wnd >> shift, 0xFFFF)

    def _choose_isn(self) -> int:
        if self.next_isn is not None:
            isn, self.next_isn = self.next_isn, None
            return isn % SEQ_MOD
        return self._isn_source() % SEQ_MOD

    def _send_mss(self) -> int:
        default = _DEFAULT_SEND_MSS[self.config.local.ip.version]
        return max(1, min(self.config.mss, self.peer_mss or default))

    # --- building segments ----------------------------------------------------------------------

    def _remote_port(self) -> int:
        return self.remote.port if self.remote is not None else 0

    def _build(self, entry: InFlight, now: float) -> Segment:
        flags = entry.flags | Flag.ACK if self._irs_known else entry.flags
        options = self._syn_options(now) if Flag.SYN in flags else self._timestamp_options(now)
        return Segment(
            src_port=self.config.local.port, dst_port=self._remote_port(), seq=entry.seq,
            ack=self.rcv_nxt if Flag.ACK in flags else 0, flags=flags,
            window=self._advertised_window(Flag.SYN in flags), options=options, payload=entry.payload)

    def _ack_segment(self, now: float) -> Segment:
        return Segment(
            src_port=self.config.local.port, dst_port=self._remote_port(), seq=self.snd_nxt,
            ack=self.rcv_nxt, flags=Flag.ACK, window=self._advertised_window(syn=False),
            options=self._timestamp_options(now))

    @staticmethod
    def _reset(src_port: int, dst_port: int, seq: int, ack: int, flags: Flag) -> Segment:
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
