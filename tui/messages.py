"""The one adapter from the referee's events to Textual messages.

The play screen turns the `RefereeEvent`s one referee call returns into these messages
with `answer` (one `from_event` each) and posts them to itself as one `RefereeAnswered`;
widgets never see engine events directly. Each message is a plain dataclass, documented
with what the screen does with it. The screen applies an answer's messages in order inside
one batch update, so however many messages a flight holds, the screen is laid out and
painted once.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine.referee import (
    Judgement,
    LadderEntry,
    LevelOver,
    MessageSent,
    MoveJudged,
    Narration,
    RefereeEvent,
    Score,
    SecretLearned,
    Side,
    StateChanged,
    Turn,
    TurnOffered,
)


@dataclass
class SegmentSent(Message):
    """A message went on the wire (or was lost on it): a new arrow on the ladder."""

    entry: LadderEntry


@dataclass
class SideStateChanged(Message):
    """One side's connection state changed (e.g. SYN-SENT → ESTABLISHED)."""

    side: Side
    old: str
    new: str
    reason: str


@dataclass
class TurnStarted(Message):
    """It is the player's turn: the move picker offers the turn's options."""

    turn: Turn


@dataclass
class MoveJudgedMessage(Message):
    """The referee judged the player's move: the feedback line shows the verdict."""

    judgement: Judgement


@dataclass
class Narrated(Message):
    """Something worth a line happened (a timer fired, data was delivered)."""

    text: str


@dataclass
class SecretLearnedMessage(Message):
    """The player's side learned a key-schedule value: the keys pane grows a node, and the
    line saying which key protects the next record is worked out again."""

    secret: SecretLearned


@dataclass
class LevelFinished(Message):
    """The level is over: the summary shows the score and the debrief."""

    score: Score
    debrief: str


@dataclass
class RefereeAnswered(Message):
    """What one referee call returned, in order: applied together, then drawn once."""

    messages: tuple[Message, ...]


def answer(events: list[RefereeEvent]) -> RefereeAnswered:
    """One referee call's events as one message."""
    return RefereeAnswered(tuple(from_event(event) for event in events))


def from_event(event: RefereeEvent) -> Message:
    """The Textual message for one referee event."""
    match event:
        case MessageSent(entry=entry):
            return SegmentSent(entry)
        case StateChanged(side=side, old=old, new=new, reason=reason):
            return SideStateChanged(side, old, new, reason)
        case TurnOffered(turn=turn):
            return TurnStarted(turn)
        case MoveJudged(judgement=judgement):
            return MoveJudgedMessage(judgement)
        case Narration(text=text):
            return Narrated(text)
        case SecretLearned():
            return SecretLearnedMessage(event)
        case LevelOver(score=score, debrief=debrief):
            return LevelFinished(score, debrief)
    raise TypeError(f"not a referee event: {event!r}")
