"""Play a level's solution on the real referee: every turn, the move the real endpoint makes."""

from __future__ import annotations

from engine.levels.check import MAX_TURNS
from engine.levels.model import Level
from engine.referee.referee import Referee
from engine.referee.tcp_world import ScenarioError

__all__ = ["play_solution"]


def play_solution(level: Level, seed: int | None = None) -> Referee:
    """The finished game (raises ScenarioError if it never ends). The referee's clock is
    frozen: the score's seconds mean nothing here, the packets keep the game's own clock."""
    referee = Referee(level, seed, clock=lambda: 0.0)
    referee.start()
    for _ in range(MAX_TURNS):
        if referee.turn is None:
            return referee
        referee.play(referee.solution_move())
    raise ScenarioError(f"level {level.id}: still not over after {MAX_TURNS} turns")
