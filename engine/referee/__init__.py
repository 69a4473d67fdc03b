"""The referee: runs a level between the player's endpoint and a real opponent."""

from engine.referee.referee import Referee
from engine.referee.tcp_world import ScenarioError
from engine.referee.types import (
    EntryRole,
    Hint,
    Judgement,
    LadderEntry,
    LevelOver,
    MessageSent,
    Move,
    MoveField,
    MoveJudged,
    MoveOption,
    Narration,
    RefereeEvent,
    Score,
    SecretLearned,
    Side,
    SideView,
    StateChanged,
    Turn,
    TurnOffered,
)

__all__ = [
    "EntryRole",
    "Hint",
    "Judgement",
    "LadderEntry",
    "LevelOver",
    "MessageSent",
    "Move",
    "MoveField",
    "MoveJudged",
    "MoveOption",
    "Narration",
    "Referee",
    "RefereeEvent",
    "ScenarioError",
    "Score",
    "SecretLearned",
    "Side",
    "SideView",
    "StateChanged",
    "Turn",
    "TurnOffered",
]
