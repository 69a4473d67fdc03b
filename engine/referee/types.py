"""The referee's public types: what the UI and the tests see of a game.

tui/ imports only from engine.referee (and engine.levels for the level list), never from
engine.tcp internals: everything the screen needs is carried by these values.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from engine.bytemap import FieldSpan
from engine.side import Side


@dataclass(frozen=True, slots=True)
class MoveField:
    """A value the level asks the player to supply with a move (e.g. the ack number)."""

    name: str  # "seq", "ack", "window", "data", "cipher_suite", "alert"...
    label: str  # "acknowledgement number"
    numeric: bool  # typed as a whole number (True) or as text (False)
    help: str  # one line: what goes here
    choices: tuple[str, ...] = ()  # when set, the value is one of these (a picker, not typing)


@dataclass(frozen=True, slots=True)
class MoveOption:
    """One move on offer at the player's turn: a message kind and the fields it needs."""

    key: str  # "SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST", "RST-ACK", "WAIT"
    label: str  # "SYN — ask to open a connection"
    fields: tuple[MoveField, ...] = ()


@dataclass(frozen=True, slots=True)
class Move:
    """The player's move: the option's key and the typed field values (as entered)."""

    key: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Turn:
    """The player's turn: what just happened, and the moves on offer."""

    number: int  # 1-based count of the player's turns in this level
    prompt: str  # "The server's SYN-ACK arrived. Your move."
    options: tuple[MoveOption, ...]


class EntryRole(enum.Enum):
    """Why a message is on the ladder."""

    NORMAL = "normal"  # part of the game's real connection
    MISTAKE = "mistake"  # the player's wrong move, played against a fork of the peer
    REACTION = "reaction"  # the real peer's answer to that wrong move
    LOST = "lost"  # sent, but the wire dropped it (a level's fault)


@dataclass(frozen=True, slots=True)
class LadderEntry:
    """One message on the wire: an arrow of the ladder diagram."""

    index: int
    sender: Side
    kind: str  # "SYN-ACK"
    summary: str  # "SYN-ACK seq=90210 ack=2837462 win=64240"
    raw: bytes  # the encoded message (for TCP: the TCP header and payload)
    fields: Sequence[FieldSpan]  # its byte map (a LazyByteMap: made when first read)
    time: float  # game clock, seconds since the level started
    role: EntryRole = EntryRole.NORMAL
    by_player: bool = False
    note: str = ""  # e.g. "retransmission", "lost on the wire"
    protected_by: str | None = None  # TLS: the traffic secret whose key encrypted it
    wire: bytes = b""  # TLS: the record(s) as sent, ciphertext included


@dataclass(frozen=True, slots=True)
class Judgement:
    """The referee's verdict on one move."""

    correct: bool
    headline: str  # "✓ ACK sent: the connection is ESTABLISHED"
    explanation: str  # why: the rule in plain words, with the expected value when wrong
    rule: str = ""  # "RFC 9293 §3.10.7.3"
    expected: str = ""  # "ACK ack=90211"
    reaction: str = ""  # what the real peer did with a wrong move
    counted: bool = True  # False for input that could not even be read (e.g. "abc" as ack)


@dataclass(frozen=True, slots=True)
class Hint:
    level: int  # 1 nudge, 2 rule, 3 answer
    text: str
    cost: int  # points it costs


@dataclass(frozen=True, slots=True)
class Score:
    mistakes: int
    hints_used: int
    seconds: float
    points: int
    stars: int  # 0..3


@dataclass(frozen=True, slots=True)
class SideView:
    """What one side looks like now."""

    side: Side
    state: str  # "ESTABLISHED"
    address: str  # "192.0.2.1:49152"
    is_player: bool


# --- events flowing up to the UI -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MessageSent:
    entry: LadderEntry


@dataclass(frozen=True, slots=True)
class StateChanged:
    side: Side
    old: str
    new: str
    reason: str


@dataclass(frozen=True, slots=True)
class TurnOffered:
    turn: Turn


@dataclass(frozen=True, slots=True)
class MoveJudged:
    judgement: Judgement


@dataclass(frozen=True, slots=True)
class Narration:
    """Something happened that is worth a line: data delivered, a timer fired, a reset."""

    text: str


@dataclass(frozen=True, slots=True)
class SecretLearned:
    """A key-schedule value became known to a side: its name, value, inputs and formula."""

    side: Side
    name: str  # "client_handshake_traffic_secret"
    value: bytes
    inputs: tuple[str, ...]
    formula: str
    section: str


@dataclass(frozen=True, slots=True)
class LevelOver:
    score: Score
    debrief: str


RefereeEvent = MessageSent | StateChanged | TurnOffered | MoveJudged | Narration | SecretLearned | LevelOver
