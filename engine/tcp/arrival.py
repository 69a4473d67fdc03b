"""SEGMENT ARRIVES (RFC 9293 §3.10.7): which table row an arriving segment triggers.

CLOSED, LISTEN and SYN-SENT each have their own rules (§3.10.7.1 to §3.10.7.3). Every other
state runs the steps of §3.10.7.4 in order (sequence number, RST, SYN, ACK, URG, text, FIN);
a step that returns False ends the walk. The RFC 5961 mitigations against blind in-window
attacks (challenge ACKs for a RST off RCV.NXT, for a SYN, for an ACK out of range) sit in
the steps they amend. State changes themselves are rows applied by `engine.tcp.machine`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from engine.tcp.control import Address, Turn
from engine.tcp.events import (
    ChallengeAckSent,
    ConnectionRefused,
    ConnectionReset,
    DataReceived,
    DroppedWithAck,
    EndpointEvent,
    PeerClosed,
    ResetSent,
    SegmentDropped,
)
from engine.tcp.machine import Machine
from engine.tcp.segment import Flag, Segment
from engine.tcp.seqnum import (
    HALF,
    segment_acceptable,
    seq_add,
    seq_between,
    seq_gt,
    seq_le,
    seq_lt,
    seq_sub,
)
from engine.tcp.states import SYNCHRONIZED_STATES, State, TcpEvent

__all__ = ["ARRIVES", "Arrival"]

ARRIVES = "RFC 9293 §3.10.7.4"

_TEXT_STATES = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2})
_USER_RESET_STATES = frozenset({State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2,
                                State.CLOSE_WAIT})


def _text_start(segment: Segment) -> int:
    """Where the segment's data begins in sequence space: after its SYN, if it has one."""
    return seq_add(segment.seq, 1 if Flag.SYN in segment.flags else 0)


class Arrival(Machine):
    """The state machine, fed arriving segments."""

    def _segment_arrives(self, segment: Segment, turn: Turn) -> None:
        """Drop what belongs to another connection (RFC 9293 §3.3.1), then the state's rules."""
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

    # --- replies to a bad segment ---------------------------------------------------------------

    def _drop(self, turn: Turn, reason: str, section: str) -> None:
        turn.out.events.append(SegmentDropped(reason, section))

    def _reply_reset(self, segment: Segment, turn: Turn, reason: str, section: str) -> None:
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

    def _owe_ack(self, turn: Turn, event: EndpointEvent) -> bool:
        """Drop the segment and answer <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; ends the steps."""
        turn.out.events.append(event)
        turn.ack_due = True
        return False

    def _challenge_syn(self, turn: Turn) -> None:
        turn.out.events.append(ChallengeAckSent(
            f"a SYN arrived on a {self.state.value} connection: it may be a blind attack or "
            "a peer that restarted, so it is dropped and answered with "
            f"<SEQ=SND.NXT={self.snd_nxt}><ACK=RCV.NXT={self.rcv_nxt}><CTL=ACK>",
            "RFC 5961 §4.2"))
        self._apply(TcpEvent.RCV_SYN, turn)

    def _synchronized(self) -> bool:
        return self.state in SYNCHRONIZED_STATES or (
            self.state is State.SYN_RECEIVED and not self.passive_open)

    # --- CLOSED, LISTEN, SYN-SENT (RFC 9293 §3.10.7.1 to §3.10.7.3) ---------------------------

    def _arrive_closed(self, segment: Segment, turn: Turn) -> None:
        section = "RFC 9293 §3.10.7.1"
        if Flag.RST in segment.flags:
            self._drop(turn, "a RST for a connection that does not exist is dropped", section)
        else:
            self._reply_reset(segment, turn, "there is no connection here (CLOSED)", section)

    def _arrive_listen(self, segment: Segment, turn: Turn) -> None:
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

    def _accept_syn(self, segment: Segment, turn: Turn) -> None:
        ip = turn.src_ip or (self.config.remote.ip if self.config.remote else None)
        if ip is None:
            ip = ipaddress.ip_address("::" if self.config.local.ip.version == 6 else "0.0.0.0")
        self.remote = Address(ip, segment.src_port)
        self._record_peer_syn(segment)
        self._note_peer_window(segment, 0)
        self.passive_open = True
        self.iss = self._choose_isn()
        self._apply(TcpEvent.RCV_SYN, turn)
        if segment.payload or Flag.FIN in segment.flags:
            self._drop(turn, "data or FIN on a SYN is not kept by this endpoint; the peer "
                       "will send it again", "RFC 9293 §3.10.7.2")

    def _arrive_syn_sent(self, segment: Segment, turn: Turn) -> None:
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
            self._note_peer_window(segment, segment.ack)
            self._apply(TcpEvent.RCV_SYN_ACK, turn)
            self._step_text(segment, turn)
            self._step_fin(segment, turn)
        else:
            self._note_peer_window(segment, segment.ack)
            self.passive_open = False
            self._apply(TcpEvent.RCV_SYN, turn)

    # --- the other states, step by step (RFC 9293 §3.10.7.4) ----------------------------------

    def _arrive_other(self, segment: Segment, turn: Turn) -> None:
        for step in _STEPS:
            if not step(self, segment, turn):
                break
        if turn.our_fin_acked and self.state is State.FIN_WAIT_1:
            self._apply(TcpEvent.RCV_ACK_OF_FIN, turn)

    def _step_time_wait_fin(self, segment: Segment, turn: Turn) -> bool:
        """TIME-WAIT: the peer's FIN again means our last ACK was lost: ACK it again."""
        fin_seq = seq_add(segment.seq, len(segment.payload))
        if (self.state is State.TIME_WAIT and Flag.FIN in segment.flags
                and not segment.flags & (Flag.RST | Flag.SYN)
                and fin_seq == seq_sub(self.rcv_nxt, 1)):
            self._apply(TcpEvent.RCV_FIN, turn)
            return False
        return True

    def _step_crossed_syn_ack(self, segment: Segment, turn: Turn) -> bool:
        """SYN-RECEIVED after a simultaneous open: the peer's SYN,ACK repeats its SYN (one
        below RCV.NXT, so the window test would bounce it) but carries the ACK of ours."""
        if (self.state is State.SYN_RECEIVED and not self.passive_open
                and segment.flags & (Flag.SYN | Flag.ACK | Flag.RST) == Flag.SYN | Flag.ACK
                and segment.seq == self.irs
                and seq_lt(self.snd_una, segment.ack) and seq_le(segment.ack, self.snd_nxt)):
            self._note_peer_window(segment, segment.ack)
            self._acknowledge(segment.ack, turn)
            self._apply(TcpEvent.RCV_SYN_ACK, turn)
            return False
        return True

    def _step_sequence(self, segment: Segment, turn: Turn) -> bool:
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
            self._owe_ack(turn, DroppedWithAck(
                f"{where}: an old duplicate or a guess; it is dropped and answered with "
                f"<SEQ=SND.NXT={self.snd_nxt}><ACK=RCV.NXT={self.rcv_nxt}><CTL=ACK>", ARRIVES))
        return False

    def _step_reset(self, segment: Segment, turn: Turn) -> bool:
        """Second: a RST resets only if it lands exactly on RCV.NXT (RFC 5961 §3.2)."""
        if Flag.RST not in segment.flags:
            return True
        if segment.seq != self.rcv_nxt:
            return self._owe_ack(turn, ChallengeAckSent(
                f"a RST with SEG.SEQ={segment.seq} is in the window but not exactly at "
                f"RCV.NXT={self.rcv_nxt}: it may be a blind reset, so a challenge ACK asks a "
                "real peer to send its RST again at RCV.NXT", "RFC 5961 §3.2"))
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

    def _step_syn(self, segment: Segment, turn: Turn) -> bool:
        """Fourth (security, the third, does not apply): a SYN on a synchronized connection."""
        if Flag.SYN not in segment.flags:
            return True
        if self.state is State.SYN_RECEIVED and self.passive_open:
            self._apply(TcpEvent.RCV_SYN, turn)
        else:
            self._challenge_syn(turn)
        return False

    def _step_ack(self, segment: Segment, turn: Turn) -> bool:
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
            self._note_peer_window(segment, ack)
            self._apply(TcpEvent.RCV_ACK_OF_SYN, turn)
        oldest = seq_sub(self.snd_una, self.max_snd_wnd)
        if not seq_between(oldest, ack, self.snd_nxt):
            return self._owe_ack(turn, ChallengeAckSent(
                f"SEG.ACK={ack} is outside [SND.UNA-MAX.SND.WND={oldest}, "
                f"SND.NXT={self.snd_nxt}]: it acknowledges data never sent or long gone, so "
                "the segment is dropped and answered with an ACK", "RFC 5961 §5.2"))
        if seq_lt(self.snd_una, ack):
            self._acknowledge(ack, turn)
        if seq_le(self.snd_una, ack) and (seq_lt(self.snd_wl1, segment.seq) or (
                self.snd_wl1 == segment.seq and seq_le(self.snd_wl2, ack))):
            self._note_peer_window(segment, ack)
        return _ACK_BY_STATE.get(self.state, Arrival._ack_continue)(self, segment, turn)

    def _ack_continue(self, segment: Segment, turn: Turn) -> bool:
        return True

    def _ack_fin_wait_1(self, segment: Segment, turn: Turn) -> bool:
        # FIN-WAIT-2 is entered after the FIN step, so that a FIN in this same segment makes
        # the single move FIN-WAIT-1 -> TIME-WAIT of the diagram.
        turn.our_fin_acked = self._our_fin_acked()
        return True

    def _ack_only_of_our_fin(self, segment: Segment, turn: Turn) -> bool:
        """CLOSING and LAST-ACK wait for the ACK of our FIN; the rest of the segment is moot."""
        if self._our_fin_acked():
            self._apply(TcpEvent.RCV_ACK_OF_FIN, turn)
        return False

    def _step_urgent(self, segment: Segment, turn: Turn) -> bool:
        """Sixth: URG moves RCV.UP forward (urgent data is otherwise not treated apart)."""
        if Flag.URG in segment.flags and self.state in _TEXT_STATES:
            pointer = seq_add(segment.seq, segment.urgent)
            if seq_gt(pointer, self.rcv_up):
                self.rcv_up = pointer
        return True

    def _step_text(self, segment: Segment, turn: Turn) -> bool:
        """Seventh: deliver in-order data and owe an ACK for it."""
        if not segment.payload:
            return True
        if self.state not in _TEXT_STATES:
            self._drop(turn, f"data after the peer's FIN means nothing in {self.state.value}; "
                       "the text is ignored", ARRIVES)
            return True
        start = _text_start(segment)
        already = seq_sub(self.rcv_nxt, start)
        if already >= HALF:  # the segment starts beyond RCV.NXT: bytes before it are missing
            return self._owe_ack(turn, DroppedWithAck(
                f"the data starts at {start}, beyond RCV.NXT={self.rcv_nxt}: bytes in between "
                "are missing, so it is not delivered and the ACK repeats RCV.NXT", ARRIVES))
        fresh = segment.payload[already:][: self.rcv_wnd]
        if fresh:
            self._received += fresh
            self.rcv_nxt = seq_add(self.rcv_nxt, len(fresh))
            turn.out.events.append(DataReceived(fresh))
            self._apply(TcpEvent.RCV_DATA, turn)
        return True

    def _step_fin(self, segment: Segment, turn: Turn) -> bool:
        """Eighth: the FIN bit."""
        if Flag.FIN not in segment.flags:
            return True
        fin_seq = seq_add(_text_start(segment), len(segment.payload))
        if fin_seq != self.rcv_nxt or self.state not in _TEXT_STATES:
            turn.ack_due = True  # not in order (or a second FIN): acknowledge what we have
            return True
        self.rcv_nxt = seq_add(self.rcv_nxt, 1)
        turn.out.events.append(PeerClosed())
        if self.state is State.FIN_WAIT_1 and self._our_fin_acked():
            self._apply(TcpEvent.RCV_FIN_ACK_OF_FIN, turn)
        else:
            self._apply(TcpEvent.RCV_FIN, turn)
        return True


# --- dispatch tables -----------------------------------------------------------------------

_ArrivalHandler = Callable[[Arrival, Segment, Turn], None]
_Step = Callable[[Arrival, Segment, Turn], bool]

_ARRIVALS: dict[State, _ArrivalHandler] = {
    State.CLOSED: Arrival._arrive_closed,
    State.LISTEN: Arrival._arrive_listen,
    State.SYN_SENT: Arrival._arrive_syn_sent,
    **{state: Arrival._arrive_other for state in State
       if state not in (State.CLOSED, State.LISTEN, State.SYN_SENT)},
}

_STEPS: tuple[_Step, ...] = (
    Arrival._step_time_wait_fin,
    Arrival._step_crossed_syn_ack,
    Arrival._step_sequence,
    Arrival._step_reset,
    Arrival._step_syn,
    Arrival._step_ack,
    Arrival._step_urgent,
    Arrival._step_text,
    Arrival._step_fin,
)

_ACK_BY_STATE: dict[State, _Step] = {
    State.FIN_WAIT_1: Arrival._ack_fin_wait_1,
    State.CLOSING: Arrival._ack_only_of_our_fin,
    State.LAST_ACK: Arrival._ack_only_of_our_fin,
}
