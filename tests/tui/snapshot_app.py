"""The app as snapshot and pilot tests build it: a fixed seed, a frozen clock, a temp data dir.

With the same seed every ISN, port, key and checksum on screen is the same from run to run,
and the frozen clock keeps the score timer at 00:00. Snapshots also pin the catalogue to a
few levels (`make_snapshot_app`): the header's "1/6" and the level list then stay the same
when levels are added to the campaign.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import tui.app
from tui.app import SynackApp

if TYPE_CHECKING:
    from engine.levels import Level
    from tui.screens._nav import LevelCatalog

SEED = 7
SNAPSHOT_LEVELS = (
    "tcp-01-handshake-client",
    "tcp-02-handshake-server",
    "tls12-01-rsa-client",
    "tls13-01-handshake-client",
    "tls13-02-handshake-server",
    "tls13-06-wrong-name",
)


def frozen_clock() -> float:
    return 0.0


def make_app(data_dir: Path, *, level: str | None = None) -> SynackApp:
    return SynackApp(seed=SEED, level=level, data_dir=data_dir, clock=frozen_clock)


@dataclass
class _PinnedCatalog:
    levels: list[Level] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SnapshotApp(SynackApp):
    """The app with only `SNAPSHOT_LEVELS` in its catalogue, in that order."""

    CSS_PATH = str(Path(tui.app.__file__).with_name(SynackApp.CSS_PATH))  # not next to tests

    def catalog(self) -> LevelCatalog:
        if self._catalog is None:
            from engine.levels import load_builtin

            found = {level.id: level for level in load_builtin().levels}
            self._catalog = _PinnedCatalog([found[level_id] for level_id in SNAPSHOT_LEVELS])
        return self._catalog


def make_snapshot_app(data_dir: Path, *, level: str | None = None, pinned: bool = True) -> SynackApp:
    """`pinned=False` opens a level outside the pinned catalogue: its header then shows no
    "n/6" position (which would move as levels are added), so it is stable too."""
    assert not pinned or level is None or level in SNAPSHOT_LEVELS, f"{level} is not in SNAPSHOT_LEVELS"
    return SnapshotApp(seed=SEED, level=level, data_dir=data_dir, clock=frozen_clock)
