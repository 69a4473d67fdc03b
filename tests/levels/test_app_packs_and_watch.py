"""In the app: packs as their own groups in the level list, and `play FILE --watch`."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList

from engine.levels import builtin_dir
from tui import watch as watch_module
from tui.app import SynackApp
from tui.screens.levels import LevelListScreen
from tui.screens.play import PlayScreen
from tui.watch import LevelProblemsScreen, LevelWatch

TCP01 = (builtin_dir() / "tcp-01-handshake-client.toml").read_text()


def frozen_clock() -> float:
    return 0.0


def level_text(level_id: str, title: str = "Knock knock: the three-way handshake") -> str:
    return (TCP01.replace('id = "tcp-01-handshake-client"', f'id = "{level_id}"')
            .replace('title = "Knock knock: the three-way handshake"', f'title = "{title}"'))


def rows_of(screen: LevelListScreen) -> list[str]:
    options = screen.query_one(OptionList)
    rows = []
    for index in range(options.option_count):
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(options.get_option_at_index(index).prompt)
        rows.append(console.export_text().strip())
    return rows


def test_a_pack_is_its_own_group_with_its_broken_file(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    (course / "pack.toml").write_text('title = "Networks 101"\nauthor = "Dr. Ada"\n')
    (course / "a.toml").write_text(level_text("course-a", "Our first handshake"))
    (course / "b.toml").write_text(level_text("course-b").replace('move = "ACK"', 'move = "AKC"'))

    async def run() -> None:
        app = SynackApp(seed=7, data_dir=tmp_path / "data", clock=frozen_clock, packs=[course])
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_level_list()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LevelListScreen)
            rows = rows_of(screen)
            builtin = len(app.catalog().levels) + len(app.campaign().chapters)
            assert rows[builtin].startswith("Pack Networks 101 · by Dr. Ada")
            assert rows[builtin].endswith("0 of 1 done · 0 of 3 ★")
            assert rows[builtin + 1].startswith("·") and "1. Our first handshake" in rows[builtin + 1]
            assert rows[builtin + 2].startswith("✗ b.toml does not load")
            assert rows[builtin + 2].splitlines()[1].strip().startswith("b.toml:31: turns[1].move: expected one of")
            options = screen.query_one(OptionList)
            options.highlighted = builtin + 1
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen) and app.screen.level.id == "course-a"

    asyncio.run(run())


async def wait_for(pilot: Pilot[None], kind: type[Screen[None]], title: str | None = None) -> Screen[None]:
    """Wait (the watch polls every half second; a loaded machine may be slow) until the top
    screen is a `kind`."""
    for _ in range(400):
        await pilot.pause(0.05)
        screen = pilot.app.screen
        if isinstance(screen, kind) and (title is None or screen.level.title == title):  # type: ignore[attr-defined]
            return screen
    raise AssertionError(f"expected a {kind.__name__}, found {pilot.app.screen!r}")


def test_watch_reloads_on_save_and_shows_a_broken_edit_in_the_app(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(level_text("mine", "Version one"))

    async def run() -> None:
        app = SynackApp(seed=7, level=str(path), data_dir=tmp_path / "data", clock=frozen_clock, watch=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, PlayScreen, "Version one")
            depth = len(app.screen_stack)
            path.write_text(level_text("mine", "Version one").replace('move = "ACK"', 'move = "AKC"'))
            problems = await wait_for(pilot, LevelProblemsScreen)
            assert isinstance(problems, LevelProblemsScreen)
            assert problems.problems == [
                f"{path}:31: turns[1].move: expected one of 'SYN', 'SYN-ACK', 'ACK', 'DATA', 'FIN', 'RST', "
                "'RST-ACK' or 'WAIT', found 'AKC' (did you mean 'ACK'?)"
            ]
            path.write_bytes(b"\x89PNG\x00")
            for _ in range(400):  # the problems screen is replaced by the new problems
                await pilot.pause(0.05)
                if app.screen is not problems:
                    break
            assert isinstance(app.screen, LevelProblemsScreen)
            assert app.screen.problems == [
                f"{path}:1: expected UTF-8 text, found a byte 0x89 at offset 0 (is this a binary file?)"
            ]
            path.write_text(level_text("mine", "Version two"))
            await wait_for(pilot, PlayScreen, "Version two")
            assert len(app.screen_stack) == depth  # replaced, not piled up

    asyncio.run(run())


def test_watch_opens_on_a_file_that_is_broken_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("")

    async def run() -> None:
        app = SynackApp(seed=7, level=str(path), data_dir=tmp_path / "data", clock=frozen_clock, watch=True)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await wait_for(pilot, LevelProblemsScreen)
            assert screen.problems == [f"{path}: expected a level, found an empty file"]  # type: ignore[attr-defined]

    asyncio.run(run())


def test_a_save_before_the_level_is_up_waits_for_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that lands while the level's screen is still being built (two saves in quick
    succession, a slow machine) reloads once that screen is up: a screen closed before it
    is built would be mounted empty. The test polls by hand (the watch's own timer is
    held off), so a slow machine cannot poll in between."""
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 3600)
    path = tmp_path / "mine.toml"
    path.write_text(level_text("mine", "Version one"))

    async def run() -> None:
        app = SynackApp(seed=7, data_dir=tmp_path / "data", clock=frozen_clock)
        async with app.run_test(size=(100, 30)) as pilot:
            watch = LevelWatch(app, path)
            watch.start()  # pushes the level's screen; it is built when the app next runs
            built = app.screen
            assert isinstance(built, PlayScreen) and not built.is_mounted
            path.write_text(level_text("mine", "Version two"))
            watch.poll()  # the save is seen before that screen is up
            assert app.screen is built
            await pilot.pause()
            assert built.is_mounted and built.query_one("#ladder-pane")
            watch.poll()  # the same save, now that the screen is up
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen) and app.screen.level.title == "Version two"

    asyncio.run(run())
