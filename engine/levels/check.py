"""Checks that need the engine: does a level play to the end, with the turns it lists?

The loader checks the form of a level; this plays the level's solution once with the real
referee and compares the turns the real connection asks for (and, where a turn names one,
the alert the real endpoint sends) with what the level file says, one problem per
disagreement, placed on the line of the key it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from engine.levels.model import Level, StackLevel, TcpLevel
from engine.levels.source import Problem, TomlDocument
from engine.referee.referee import Referee
from engine.referee.tcp_world import ScenarioError
from engine.referee.types import LadderEntry, MoveJudged

MAX_TURNS = 200


@dataclass(frozen=True, slots=True)
class SolvedTurn:
    """What the real endpoint sends at one of the player's turns."""

    move: str
    alert: str | None = None  # for an Alert: which one


class Unplayable(Exception):
    """The level's own solution cannot finish it: the real peer refuses the right move, or
    the connection never ends."""


def solution(level: Level, seed: int | None = None) -> list[str]:
    """The message kinds the real endpoint sends at each of the player's turns."""
    return [turn.move for turn in solve(level, seed)]


def solve(level: Level, seed: int | None = None) -> list[SolvedTurn]:
    """Play the level's solution; every Alert turn asks for its alert so the answer names it."""
    return _play(level, seed)[0]


def _play(level: Level, seed: int | None = None) -> tuple[list[SolvedTurn], list[LadderEntry]]:
    asking = _asking_alerts(level)
    referee = Referee(asking, seed, clock=lambda: 0.0)
    referee.start()
    turns: list[SolvedTurn] = []
    while referee.turn is not None:
        if len(turns) >= MAX_TURNS:
            raise Unplayable(f"a connection that ends, found one still asking for moves after {MAX_TURNS} turns")
        move = referee.solution_move()
        turns.append(SolvedTurn(move.key, move.values.get("alert")))
        for event in referee.play(move):
            if isinstance(event, MoveJudged) and not event.judgement.correct:
                raise Unplayable(
                    f"a scenario the real endpoints can finish, found that at turn {len(turns)} the "
                    f"{level.role.value}'s own {move.key} is refused: {event.judgement.explanation}"
                )
    return turns, referee.ladder


def _asking_alerts(level: Level) -> Level:
    if "tls" not in level.protocol:
        return level
    turns = [
        turn.model_copy(update={"ask": [*turn.ask, "alert"]}) if turn.move == "Alert" and "alert" not in turn.ask else turn
        for turn in level.turns
    ]
    return level.model_copy(update={"turns": turns})


def check_playable(level: Level, document: TomlDocument) -> list[Problem]:
    """Play the solution once; what the file says that the real connection does not."""
    try:
        real, ladder = _play(level)
    except ScenarioError as error:
        return [document.problem(("scenario",), f"expected a connection that settles, found: {error}")]
    except Unplayable as error:
        return [document.problem(("scenario",), f"expected {error}")]
    except Exception as error:  # the engine refused the scenario: a finding, never a traceback
        return [document.problem(("scenario",), f"expected a scenario the engine can play, found: {type(error).__name__}: {error}")]
    problems = []
    turns: Sequence[Any] = level.turns
    for index, (written, actual) in enumerate(zip(turns, real)):
        if written.move != actual.move:
            problems.append(document.problem(
                ("turns", index, "move"),
                f"expected {actual.move} (what the real {level.role.value} sends here), found {written.move}",
            ))
        elif getattr(written, "alert", None) not in (None, actual.alert):
            problems.append(document.problem(
                ("turns", index, "alert"),
                f"expected {actual.alert} (the alert the real {level.role.value} sends here), found {written.alert}",
            ))
    problems += _idle_faults(level, ladder, document)
    if len(real) != len(level.turns):
        kinds = ", ".join(turn.move for turn in real) or "none"
        problems.append(document.problem(
            ("turns",), f"expected {len(real)} turns (the real connection asks for {kinds}), found {len(level.turns)}"
        ))
    return problems


def _idle_faults(level: Level, ladder: list[LadderEntry], document: TomlDocument) -> list[Problem]:
    """A fault that names a segment the connection never sends loses nothing: say so."""
    if isinstance(level, TcpLevel):
        faults, at = level.scenario.faults, "scenario"
    elif isinstance(level, StackLevel):
        faults, at = level.tcp.faults, "tcp"
    else:
        return []
    problems = []
    for index, fault in enumerate(faults):
        sent = sum(1 for entry in ladder if entry.sender is fault.sender and entry.kind == fault.drop)
        if sent < fault.nth:
            problems.append(document.problem(
                (at, "faults", index),
                f"expected a segment the connection sends, found drop = {fault.drop!r}, nth = {fault.nth}, "
                f"but the {fault.sender.value} sends {sent} {fault.drop} segment(s) (the fault loses nothing)",
            ))
    return problems
