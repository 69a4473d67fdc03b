"""Play a level's solution on the real referee: every turn, the move the real endpoint makes
(`synack export` captures that game)."""

from __future__ import annotations

from engine.referee.referee import play_to_end as play_solution

__all__ = ["play_solution"]
