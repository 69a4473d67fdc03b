"""Save the game on screen: what the app's "save capture" key calls."""

from __future__ import annotations

from pathlib import Path

from engine.export.files import save_game_files
from engine.export.trace import capture_of
from engine.referee.referee import Referee

__all__ = ["PLAYED_BY_PLAYER", "save_game"]

PLAYED_BY_PLAYER = "your own moves so far, mistakes included"


def save_game(referee: Referee, directories: list[Path]) -> tuple[Path, Path]:
    """The capture and key log of the game so far, in the first folder that takes them.
    Raises ExportError (one readable line) if none does."""
    capture = capture_of(referee, PLAYED_BY_PLAYER)
    return save_game_files(capture, f"synack-{referee.level.id}-seed{referee.seed}", directories)
