"""What a TCP endpoint reports upward: one dataclass per kind of happening.

Every reason is plain words a student can read, and `section` names the rule
("RFC 9293 §3.10.7.4", "RFC 5961 §3.2"). An endpoint never raises for a bad user call or a
bad segment: it reports `UserCallRejected` or `SegmentDropped` and changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.tcp.segment import SegmentKind
from engine.tcp.states import State, TcpEvent

__all__ = [
    "ChallengeAckSent",
    "ConnectionRefused",
    "ConnectionReset",
    "ConnectionTimedOut",
    "DataReceived",
    "DroppedWithAck",
    "EndpointEvent",
    "PeerClosed",
    "ResetSent",
    "Retransmitted",
    "SegmentDropped",
    "StateChanged",
    "UserCallRejected",
]


@dataclass(frozen=True)
class StateChanged:
    """The connection moved from `old` to `new` by the diagram row whose rule is quoted."""

    old: State
    new: State
    rule: str
    section: str


@dataclass(frozen=True)
class SegmentDropped:
    """An arriving segment was discarded without any reply."""

    reason: str
    section: str


@dataclass(frozen=True)
class DroppedWithAck:
    """An arriving segment was discarded and answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.

    RFC 9293 §3.10.7.4 answers an unacceptable (out-of-window) segment this way, so that a
    peer which lost track of the connection learns where it stands.
    """

    reason: str
    section: str


@dataclass(frozen=True)
class ChallengeAckSent:
    """A segment that might be a blind attack (RFC 5961) was answered with a challenge ACK."""

    reason: str
    section: str


@dataclass(frozen=True)
class ResetSent:
    """This endpoint sent a RST: toward a segment that has no place here, or on ABORT."""

    reason: str
    section: str


@dataclass(frozen=True)
class ConnectionReset:
    """The peer reset the connection; the user is told "connection reset"."""

    reason: str
    section: str


@dataclass(frozen=True)
class ConnectionRefused(ConnectionReset):
    """A reset while opening: the peer answered our SYN with a RST (nothing listens there).

    RFC 9293 §3.10.7.3 tells the user "connection reset" in SYN-SENT and §3.10.7.4 says
    "connection refused" in SYN-RECEIVED; socket APIs say "refused" for both. So this is a
    `ConnectionReset` too: code that waits for any reset sees it.
    """


@dataclass(frozen=True)
class ConnectionTimedOut:
    """Retransmissions ran out; the connection was given up."""

    reason: str
    section: str


@dataclass(frozen=True)
class DataReceived:
    """In-order data was delivered to the user (read it with `Endpoint.read()`)."""

    data: bytes


@dataclass(frozen=True)
class PeerClosed:
    """The peer's FIN arrived: it will send nothing more ("connection closing")."""


@dataclass(frozen=True)
class Retransmitted:
    """The retransmission timer ran out and the oldest unacknowledged segment was resent."""

    kind: SegmentKind
    attempt: int


@dataclass(frozen=True)
class UserCallRejected:
    """A user call that does not apply in the current state; nothing changed."""

    call: TcpEvent
    reason: str
    section: str


EndpointEvent = (
    StateChanged | SegmentDropped | DroppedWithAck | ChallengeAckSent | ResetSent
    | ConnectionReset | ConnectionRefused | ConnectionTimedOut | DataReceived | PeerClosed
    | Retransmitted | UserCallRejected
)
