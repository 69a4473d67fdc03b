"""The quiz's personal bests: the top rounds of each mode, kept in the user's data directory.

One JSON file beside the progress file (`quiz-bests.json`), written atomically (a temporary
file, then `os.replace`: engine.files), so quitting or crashing mid-write leaves the
old table whole. A file that cannot be read as a table is moved aside to
`quiz-bests.json.corrupt-<timestamp>` and the player is told; never a crash.
Rounds compete within their mode ("10 questions · tcp"): score first, then less time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.files import move_aside, write_atomically

if TYPE_CHECKING:
    from engine.quiz import RoundResult

FILE_NAME = "quiz-bests.json"
FORMAT_VERSION = 1
KEEP = 5  # rounds kept per mode


@dataclass(frozen=True, slots=True)
class Best:
    score: int
    correct: int
    asked: int
    seconds: float
    seed: int
    when: str  # ISO date and time, local

    @property
    def accuracy(self) -> float:
        return self.correct / self.asked if self.asked else 0.0


@dataclass(slots=True)
class BestTable:
    modes: dict[str, list[Best]] = field(default_factory=dict)

    def add(self, mode: str, best: Best) -> int | None:
        """Put a round in its mode's table; its place (1-based) if it made the top, else None."""
        rows = [*self.modes.get(mode, []), best]
        rows.sort(key=lambda row: (-row.score, row.seconds))
        self.modes[mode] = rows[:KEEP]
        return rows.index(best) + 1 if best in rows[:KEEP] else None

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION,
                "modes": {mode: [asdict(row) for row in rows] for mode, rows in sorted(self.modes.items())}}

    @classmethod
    def from_json(cls, data: object) -> BestTable:
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"expected a version {FORMAT_VERSION} table")
        modes = data.get("modes")
        if not isinstance(modes, dict):
            raise ValueError("expected 'modes' to be an object")
        table = cls()
        for mode, rows in modes.items():
            if not isinstance(rows, list):
                raise ValueError(f"modes.{mode}: expected a list")
            try:
                table.modes[str(mode)] = [
                    Best(int(r["score"]), int(r["correct"]), int(r["asked"]), float(r["seconds"]),
                         int(r["seed"]), str(r["when"])) for r in rows]
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"modes.{mode}: {error!r}") from None
        return table


@dataclass(frozen=True, slots=True)
class Recorded:
    table: BestTable
    place: int | None  # where this round landed in its mode's table
    notice: str | None  # a problem the player should hear about (unreadable, unsaved)


class QuizRecords:
    """Loads, updates and saves the table in `<directory>/quiz-bests.json`."""

    def __init__(self, directory: Path, now: Callable[[], datetime] = datetime.now) -> None:
        self.path = directory / FILE_NAME
        self._now = now

    def load(self) -> tuple[BestTable, str | None]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return BestTable(), None
        except OSError as error:
            return BestTable(), f"Could not read your quiz bests ({error.strerror})."
        try:
            return BestTable.from_json(json.loads(text)), None
        except ValueError as error:  # JSONDecodeError is a ValueError
            return BestTable(), self._move_aside(str(error))

    def record(self, result: RoundResult) -> Recorded:
        """Add a finished round and save the table; problems come back as a notice."""
        table, notice = self.load()
        best = Best(result.score, result.correct, len(result.answers), round(result.seconds, 1),
                    result.settings.seed, self._now().isoformat(timespec="seconds"))
        place = table.add(result.settings.mode, best)
        try:
            write_atomically(self.path, json.dumps(table.to_json(), indent=2) + "\n")
        except OSError as error:
            notice = f"Could not save your quiz bests to {self.path}: {error.strerror}"
        return Recorded(table, place, notice)

    def _move_aside(self, problem: str) -> str:
        try:
            aside = move_aside(self.path, self._now())
        except OSError as error:
            return f"Your quiz bests file is damaged ({problem}) and could not be moved aside ({error.strerror})."
        return f"Your quiz bests file was damaged ({problem}); it was moved to {aside.name} and a new one started."
