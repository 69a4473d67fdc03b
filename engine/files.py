"""The player's files (progress, quiz bests, quiz results): written so that a crash or a quit
mid-write never leaves half a file (a temporary file in the same directory, flushed to
disk, then `os.replace`), and a damaged one kept aside rather than overwritten."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step. Raises OSError; no temporary file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def move_aside(path: Path, when: datetime) -> Path:
    """Rename a damaged `path` to `<name>.corrupt-<timestamp>` beside it and return the new
    path. Raises OSError if it cannot be moved."""
    aside = path.with_name(f"{path.name}.corrupt-{when.strftime('%Y%m%dT%H%M%S')}")
    os.replace(path, aside)
    return aside
