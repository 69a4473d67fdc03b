"""The app as snapshot and pilot tests build it: a fixed seed, a frozen clock, a temp data dir.

With the same seed every ISN, port and checksum on screen is the same from run to run, and
the frozen clock keeps the score timer at 00:00.
"""

from __future__ import annotations

from pathlib import Path

from tui.app import SynackApp

SEED = 7


def frozen_clock() -> float:
    return 0.0


def make_app(data_dir: Path, *, level: str | None = None) -> SynackApp:
    return SynackApp(seed=SEED, level=level, data_dir=data_dir, clock=frozen_clock)
