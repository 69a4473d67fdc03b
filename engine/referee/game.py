"""What the referee needs of a protocol: the game interface, and the turn it hands out.

A `Game` runs one protocol's world (two real endpoints and what lies between them). The
referee asks it to run until the player's turn, and to judge a move; scores, hints and
the level's end are the referee's. TCP and TLS each have one (tcp_game.py, tls_game.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from engine.levels.model import StackTurnSpec, TlsTurnSpec, TurnSpec

AnyTurnSpec = TurnSpec | TlsTurnSpec | StackTurnSpec
from engine.referee.types import Judgement, LadderEntry, Move, MoveOption, RefereeEvent, SideView


@dataclass
class GameTurn:
    """The player's turn as the game sees it; `detail` is the game's own."""

    number: int
    prompt: str
    options: tuple[MoveOption, ...]
    spec: AnyTurnSpec | None
    detail: Any
    hints_shown: int = 0


class Game(Protocol):
    ladder: list[LadderEntry]

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        """Run the world until the player's turn (returned) or its end (None)."""

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        """A right move is made for real; a wrong one is played against a fork of the peer."""

    def sides(self) -> tuple[SideView, SideView]:
        """Both sides as they stand now."""

    def solution(self, turn: GameTurn) -> Move:
        """The right move for this turn, with the fields the level asks for."""

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        """A hint the level file did not write: 1 nudge, 2 rule, 3 answer."""


def parse_values(move: Move, option: MoveOption) -> dict[str, int | str]:
    """Field values as typed, checked for form only. Raises ValueError with a readable line."""
    values: dict[str, int | str] = {}
    for spec in option.fields:
        text = move.values.get(spec.name, "").strip()
        if not text:
            raise ValueError(f"{spec.label} is empty: {'choose one' if spec.choices else 'type a value'}")
        if spec.choices:
            if text not in spec.choices:
                raise ValueError(f"{spec.label} must be one of {', '.join(spec.choices)}, not {text!r}")
            values[spec.name] = text
        elif not spec.numeric:
            values[spec.name] = text
        else:
            values[spec.name] = _number(text, spec.label, 65535 if spec.name == "window" else 2**32 - 1)
    return values


def _number(text: str, label: str, limit: int) -> int:
    try:
        number = int(text, 0) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise ValueError(f"{label} must be a whole number, not {text!r}") from None
    if not 0 <= number <= limit:
        raise ValueError(f"{label} must be between 0 and {limit}, not {number}")
    return number
