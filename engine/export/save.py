"""Save the game on screen: what the app's "save for Wireshark" key calls."""

from __future__ import annotations

from pathlib import Path

from engine.export.files import save_game_files
from engine.export.trace import capture_of
from engine.referee.referee import Referee

__all__ = ["PLAYED_BY_PLAYER", "save_game"]

PLAYED_BY_PLAYER = "your own moves so far, mistakes included"


def save_game(referee: Referee, data_folder: Path | None = None) -> tuple[Path, Path | None]:
    """The capture and key log (None: no TLS keys yet) of the game so far, in the current
    folder, else in `data_folder`/captures. Raises ExportError (one readable line) if
    neither takes them."""
    folders = [data_folder / "captures"] if data_folder is not None else []
    try:
        folders.insert(0, Path.cwd())
    except OSError:  # the folder synack was started in is gone
        pass
    capture = capture_of(referee, PLAYED_BY_PLAYER)
    return save_game_files(capture, f"synack-{referee.level.id}-seed{referee.seed}", folders)
