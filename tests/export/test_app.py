"""The app's x key: the game on screen saved for Wireshark, and where it went."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from engine.export import capture_of
from tests.export.tshark import dissect
from tests.tui.driving import play_screen, play_to_a_wrong_move, play_to_the_end
from tests.tui.snapshot_app import make_app
from tui.screens.summary import SummaryScreen

LEVEL = "tls12-03-ecdhe"


def test_x_saves_the_game_so_far_mistake_included_then_again_from_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)

    async def run() -> None:
        app = make_app(tmp_path / "data", level=LEVEL)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert await play_to_a_wrong_move(pilot) is not None
            await pilot.press("x")
            await pilot.pause()
            saved = sorted(here.glob("*.pcapng"))
            assert [p.name for p in saved] == [f"synack-{LEVEL}-seed{play_screen(app).referee.seed}.pcapng"]
            notice = app._notifications
            assert any(str(saved[0]) in n.message and n.title == "saved for Wireshark" for n in notice)
            comments = [f.comment for f in dissect(saved[0]).frames]
            assert any(c.startswith("✗ your mistake") for c in comments)

            await play_to_the_end(pilot)
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            await pilot.press("x")
            await pilot.pause()
            second = here / saved[0].name.replace(".pcapng", "-2.pcapng")
            assert second.exists() and second.with_name(second.name.replace(".pcapng", ".keys.log")).exists()
            beneath = app.screen_stack[-2]  # the play screen, whose game the summary is about
            finished = capture_of(beneath.referee, "")  # type: ignore[attr-defined]
            assert len(dissect(second).frames) == len(finished.packets) > len(dissect(saved[0]).frames)

    asyncio.run(run())


def test_without_the_start_folder_it_saves_in_synacks_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()

    async def run() -> None:
        app = make_app(tmp_path / "data", level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
            saved = list((tmp_path / "data" / "captures").glob("*.pcapng"))
            assert len(saved) == 1
            assert any(str(saved[0]) in n.message for n in app._notifications)

    asyncio.run(run())
