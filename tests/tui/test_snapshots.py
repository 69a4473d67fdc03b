"""Snapshots of the main screens, stable under the seed (fixed seed, frozen clock).

Review the SVG diff (pytest writes snapshot_report.html) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.driving import make_move, play_screen, play_to_the_end
from tests.tui.snapshot_app import make_app

FIRST_LEVEL = "tcp-01-handshake-client"


async def play_one_move(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await make_move(pilot, play_screen(pilot.app).referee.solution_move())  # type: ignore[arg-type]


async def play_all(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await play_to_the_end(pilot)


class TestSnapshots:
    def test_main_menu(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(tmp_path), terminal_size=(80, 24))

    def test_level_list(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(tmp_path), press=["enter"], terminal_size=(100, 30))

    def test_play_mid_level(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_one_move, terminal_size=(100, 30))

    def test_play_mid_level_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_one_move, terminal_size=(80, 24))

    def test_inspector_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(
            app, run_before=play_one_move, press=["i", "down", "down"], terminal_size=(80, 24)
        )

    def test_summary(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_all, terminal_size=(100, 30))
