"""The player's progress and settings: which levels are done and how well, and the chosen
theme, kept in one JSON file.

The file lives in the user's data directory (platformdirs' `user_data_dir("synack")`),
which `SYNACK_DATA_DIR` or the app's `data_dir` argument override. It is written atomically
(a temporary file in the same directory, then `os.replace`), so a crash mid-write leaves the
old file whole. A file that cannot be read as progress is moved aside to
`progress.json.corrupt-<timestamp>` and the game starts afresh with a notice: never a crash.

This module imports nothing from engine/ and nothing heavy: the app loads it at start-up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.files import move_aside, write_atomically

ENV_VAR = "SYNACK_DATA_DIR"
FILE_NAME = "progress.json"
FORMAT_VERSION = 1


def data_dir(override: Path | None = None) -> Path:
    """Where synack keeps its files: the override, else $SYNACK_DATA_DIR, else platformdirs."""
    if override is not None:
        return override
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("synack", appauthor=False))


@dataclass(frozen=True, slots=True)
class LevelRecord:
    """The best finished run of one level (best by points, then by time)."""

    stars: int
    points: int
    mistakes: int
    hints: int
    seconds: float
    plays: int = 1


@dataclass(slots=True)
class Settings:
    """The player's choices that outlive a session."""

    theme: str | None = None
    """A Textual theme name ("textual-light"); None: the app's default. A name the app does
    not know (a theme from a newer version) is ignored, not an error."""

    def to_json(self) -> dict[str, Any]:
        return {} if self.theme is None else {"theme": self.theme}

    @classmethod
    def from_json(cls, data: object) -> Settings:
        if not isinstance(data, dict):
            raise ValueError("settings: expected an object")
        theme = data.get("theme")
        if theme is not None and not isinstance(theme, str):
            raise ValueError(f"settings.theme: expected a theme name, found {theme!r}")
        return cls(theme=theme)


@dataclass(slots=True)
class Progress:
    """Every level the player has finished, by level id, and the player's settings."""

    levels: dict[str, LevelRecord] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)

    def get(self, level_id: str) -> LevelRecord | None:
        return self.levels.get(level_id)

    @property
    def total_stars(self) -> int:
        return sum(record.stars for record in self.levels.values())

    def record(
        self, level_id: str, *, stars: int, points: int, mistakes: int, hints: int, seconds: float
    ) -> LevelRecord:
        """Count one finished run; keep it if it beats the best so far. Returns the best."""
        run = LevelRecord(stars, points, mistakes, hints, round(seconds, 1))
        old = self.levels.get(level_id)
        if old is None:
            best = run
        elif (run.points, -run.seconds) > (old.points, -old.seconds):
            best = LevelRecord(stars, points, mistakes, hints, run.seconds, old.plays + 1)
        else:
            best = LevelRecord(
                old.stars, old.points, old.mistakes, old.hints, old.seconds, old.plays + 1
            )
        self.levels[level_id] = best
        return best

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "levels": {level_id: asdict(rec) for level_id, rec in sorted(self.levels.items())},
        }
        settings = self.settings.to_json()
        if settings:
            document["settings"] = settings
        return document

    @classmethod
    def from_json(cls, data: object) -> Progress:
        """Read the JSON document; raises ValueError naming what is wrong with it."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object at the top")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"expected version {FORMAT_VERSION}, found {data.get('version')!r}")
        levels = data.get("levels")
        if not isinstance(levels, dict):
            raise ValueError("expected 'levels' to be an object")
        progress = cls(settings=Settings.from_json(data.get("settings", {})))
        for level_id, raw in levels.items():
            progress.levels[str(level_id)] = _record_from_json(level_id, raw)
        return progress


def _record_from_json(level_id: str, raw: object) -> LevelRecord:
    if not isinstance(raw, dict):
        raise ValueError(f"levels.{level_id}: expected an object")
    try:
        record = LevelRecord(
            stars=int(raw["stars"]),
            points=int(raw["points"]),
            mistakes=int(raw["mistakes"]),
            hints=int(raw["hints"]),
            seconds=float(raw["seconds"]),
            plays=int(raw.get("plays", 1)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"levels.{level_id}: {error!r}") from None
    if not 0 <= record.stars <= 3:
        raise ValueError(f"levels.{level_id}.stars: expected 0..3, found {record.stars}")
    return record


@dataclass(frozen=True, slots=True)
class Loaded:
    """What `ProgressStore.load` found: the progress, and a notice for the player if any."""

    progress: Progress
    notice: str | None = None


class ProgressStore:
    """Loads and saves `Progress` as `<directory>/progress.json`."""

    def __init__(self, directory: Path, now: Callable[[], datetime] = datetime.now) -> None:
        self.directory = directory
        self.path = directory / FILE_NAME
        self._now = now

    def load(self) -> Loaded:
        """Read the file; a missing file is fresh progress, a bad one is moved aside."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Loaded(Progress())
        except OSError as error:
            return Loaded(Progress(), f"Could not read your progress ({error.strerror}); "
                          "starting fresh for this session.")
        try:
            return Loaded(Progress.from_json(json.loads(text)))
        except ValueError as error:  # json.JSONDecodeError is a ValueError too
            return Loaded(Progress(), self._move_aside(str(error)))

    def save(self, progress: Progress) -> None:
        """Write atomically (engine.files). Raises OSError if the directory cannot be
        written; the caller tells the player."""
        write_atomically(self.path, json.dumps(progress.to_json(), indent=2) + "\n")

    def _move_aside(self, problem: str) -> str:
        try:
            aside = move_aside(self.path, self._now())
        except OSError as error:
            return (f"Your progress file {self.path} is damaged ({problem}) and could not be "
                    f"moved aside ({error.strerror}); starting fresh.")
        return (f"Your progress file was damaged ({problem}). It was moved to {aside.name} "
                "and you start fresh.")
