"""Checks that need the engine: does a level play to the end, with the turns it lists?

The loader checks the form of a level; this plays the level's solution once with the real
referee and compares the turns the real connection asks for with the turns the level file
names, one line per disagreement in the loader's style.
"""

from __future__ import annotations

from engine.levels.model import Level
from engine.referee.referee import Referee
from engine.referee.tcp_world import ScenarioError

MAX_TURNS = 200


def solution(level: Level, seed: int | None = None) -> list[str]:
    """The message kinds the real endpoint sends at each of the player's turns."""
    referee = Referee(level, seed, clock=lambda: 0.0)
    referee.start()
    kinds = []
    while referee.turn is not None and len(kinds) < MAX_TURNS:
        move = referee.solution_move()
        kinds.append(move.key)
        referee.play(move)
    return kinds


def check_playable(level: Level, name: str) -> list[str]:
    try:
        real = solution(level)
    except ScenarioError as error:
        return [f"{name}: scenario: expected a connection that settles, found: {error}"]
    problems = []
    for index, (written, actual) in enumerate(zip(level.moves, real)):
        if written != actual:
            problems.append(
                f"{name}: turns[{index}].move: expected {actual} (what the real {level.role.value} sends here), found {written}"
            )
    if len(real) != len(level.turns):
        problems.append(
            f"{name}: turns: expected {len(real)} turns (the real connection asks for {', '.join(real) or 'none'}), "
            f"found {len(level.turns)}"
        )
    return problems
