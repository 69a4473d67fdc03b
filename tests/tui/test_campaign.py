"""The campaign (per-chapter progress, the suggested next level), themes and the help screen.

The model is tested as plain data; the screens through the pilot with a progress file
written beforehand. No pytest-asyncio: each test runs its coroutine with asyncio.run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from textual.widgets import OptionList, Static

from tests.tui.driving import play_screen, play_to_the_end
from tests.tui.snapshot_app import SNAPSHOT_LEVELS, make_app, make_snapshot_app
from tests.tui.test_pilot_play import LEVEL_IDS, prompt_text
from tui.campaign import campaign, stars_words
from tui.progress import Progress
from tui.screens.help import HelpScreen, help_sections
from tui.screens.levels import LevelListScreen
from tui.screens.menu import MainMenu
from tui.screens.play import PLAY_BINDINGS, PlayScreen
from tui.screens.summary import SummaryScreen


@dataclass(frozen=True)
class FakeLevel:
    id: str
    chapter: str


LEVELS = [FakeLevel("a1", "A"), FakeLevel("a2", "A"), FakeLevel("b1", "B"), FakeLevel("c1", "C")]


def progress_with(**stars: int) -> Progress:
    progress = Progress()
    for level_id, count in stars.items():
        progress.record(level_id, stars=count, points=100 * count, mistakes=0, hints=0, seconds=1)
    return progress


def write_progress(directory: Path, stars: dict[str, int], theme: str | None = None) -> None:
    levels = {
        level_id: {"stars": count, "points": 300 * count, "mistakes": 3 - count, "hints": 0,
                   "seconds": 30}
        for level_id, count in stars.items()
    }
    document: dict[str, object] = {"version": 1, "levels": levels}
    if theme is not None:
        document["settings"] = {"theme": theme}
    (directory / "progress.json").write_text(json.dumps(document))


# --- the model ----------------------------------------------------------------------------


def test_the_next_level_is_the_first_not_done_in_play_order() -> None:
    assert campaign(LEVELS, Progress()).next_id == "a1"
    assert campaign(LEVELS, progress_with(a1=3, b1=1)).next_id == "a2"
    assert campaign(LEVELS, progress_with(a1=3, a2=2, b1=1, c1=1)).next_id is None


def test_chapters_count_levels_stars_and_completion() -> None:
    state = campaign(LEVELS, progress_with(a1=3, a2=2, c1=1, elsewhere=3))
    a, b, c = state.chapters
    assert (a.name, a.done, a.total, a.stars, a.max_stars, a.complete) == ("A", 2, 2, 5, 6, True)
    assert (b.done, b.complete) == (0, False)
    assert c.complete
    assert a.words() == "✓ complete · 2 of 2 done · 5 of 6 ★"
    assert b.words() == "0 of 1 done · 0 of 3 ★"
    # progress on a level outside the catalogue (a custom file) does not count
    assert (state.done, state.total, state.stars, state.max_stars) == (3, 4, 6, 12)
    assert state.overview() == "3 of 4 levels done · 6 of 12 ★ · 2 of 3 chapters complete"


def test_stars_in_words() -> None:
    assert [stars_words(n) for n in range(4)] == ["no stars", "1 star", "2 stars", "3 stars"]


# --- the screens --------------------------------------------------------------------------


def test_the_level_list_marks_the_campaign_and_highlights_the_next_level(tmp_path: Path) -> None:
    write_progress(tmp_path, {SNAPSHOT_LEVELS[0]: 3, SNAPSHOT_LEVELS[1]: 2, SNAPSHOT_LEVELS[3]: 1})

    async def run() -> None:
        app = make_snapshot_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, LevelListScreen)
            options = screen.query_one(OptionList)
            rows = [prompt_text(options.get_option_at_index(i).prompt, 90)
                    for i in range(options.option_count)]
            assert rows[0].startswith("Chapter TCP") and "✓ complete · 2 of 2 done" in rows[0]
            assert rows[1].startswith("✓ ★★★") and rows[1].endswith("3 stars")
            assert rows[2].startswith("✓ ★★☆") and rows[2].endswith("2 stars")
            assert rows[3].startswith("Chapter TLS 1.2") and "0 of 1 done" in rows[3]
            assert rows[4].startswith("▶ next") and rows[4].endswith("suggested")
            assert rows[6].startswith("✓ ★☆☆") and rows[6].endswith("1 star")
            assert rows[7].startswith("·") and rows[7].endswith("not done")
            assert options.highlighted_option is not None
            assert options.highlighted_option.id == SNAPSHOT_LEVELS[2]
            goal = str(screen.query_one("#level-goal", Static).render())
            assert "▶ Next" in goal
            # n brings the highlight back to the suggestion
            await pilot.press("up", "up", "n")
            assert options.highlighted_option.id == SNAPSHOT_LEVELS[2]

    asyncio.run(run())


def test_the_menu_shows_the_campaign_overview(tmp_path: Path) -> None:
    write_progress(tmp_path, {SNAPSHOT_LEVELS[0]: 3, SNAPSHOT_LEVELS[1]: 2})

    async def run() -> None:
        app = make_snapshot_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MainMenu)
            line = str(app.screen.query_one("#menu-progress", Static).render())
            assert "2 of 6 levels done · 5 of 18 ★ · 1 of 3 chapters complete" in line
            assert "next: The classic" in line

    asyncio.run(run())


def test_enter_on_the_summary_goes_to_the_first_level_not_done(tmp_path: Path) -> None:
    """The first level is done; after the third, enter goes back to the second."""
    write_progress(tmp_path, {LEVEL_IDS[0]: 3})

    async def run() -> None:
        app = make_app(tmp_path, level=LEVEL_IDS[2])
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await play_to_the_end(pilot)
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            words = str(summary.query_one("#summary-next", Static).render())
            assert "the first level you have not finished" in words
            await pilot.press("enter")
            await pilot.pause()
            assert play_screen(app).level.id == LEVEL_IDS[1]

    asyncio.run(run())


def test_t_switches_the_theme_and_it_is_remembered(tmp_path: Path) -> None:
    async def run(expected_at_start: str, press: bool) -> str:
        app = make_snapshot_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == expected_at_start
            if press:
                await pilot.press("t")
                await pilot.pause()
            return app.theme

    assert asyncio.run(run("textual-dark", press=True)) == "textual-light"
    saved = json.loads((tmp_path / "progress.json").read_text())
    assert saved["settings"] == {"theme": "textual-light"}
    assert asyncio.run(run("textual-light", press=True)) == "textual-dark"
    assert asyncio.run(run("textual-dark", press=False)) == "textual-dark"


def test_an_unknown_theme_name_is_ignored_and_progress_kept(tmp_path: Path) -> None:
    write_progress(tmp_path, {LEVEL_IDS[0]: 2}, theme="a-theme-from-the-future")

    async def run() -> None:
        app = make_snapshot_app(tmp_path)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            assert app.theme == "textual-dark"
            assert app.progress.get(LEVEL_IDS[0]) is not None
            assert not app._notifications  # nothing to complain about

    asyncio.run(run())


# --- help ---------------------------------------------------------------------------------


def described(bindings: Sequence[object]) -> set[str]:
    return {b.description for b in bindings if getattr(b, "description", "")}  # type: ignore[attr-defined]


def test_help_on_the_play_screen_lists_every_binding_from_bindings(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_snapshot_app(tmp_path, level="tls13-01-handshake-client")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            expected = help_sections(screen)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            assert list(help_screen.sections) == expected
            titles = [section.title for section in expected]
            assert titles[0] == "play" and titles[-1] == "everywhere"
            assert any("ladder" in title for title in titles)  # the focused widget's keys
            play_rows = expected[0].rows
            listed = {d for row in play_rows for d in row.description.split(" / ")}
            assert described(PLAY_BINDINGS) - {"ladder"} <= listed  # esc shows in a form
            choose = next(row for row in play_rows if row.description == "choose")
            assert choose.keys == "1-9"
            hint = next(row for row in play_rows if row.description == "hint")
            assert "nudge" in hint.detail  # the binding's tooltip, the longer words
            everywhere = {row.description for row in expected[-1].rows}
            assert "Quit" in everywhere
            assert help_screen.legend  # how to read the ladder
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen)

    asyncio.run(run())


def test_help_on_the_menu_list_and_summary(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_snapshot_app(tmp_path, level=SNAPSHOT_LEVELS[0])
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await play_to_the_end(pilot)
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            rows = {row.keys: row.description for s in app.screen.sections for row in s.rows}
            assert {"play again", "level list"} <= set(rows.values())
            assert "⏎" in rows  # enter presses the focused "Next level ▶" button
            await pilot.press("escape", "escape")  # help, then the summary → level list
            await pilot.pause()
            assert isinstance(app.screen, LevelListScreen)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            sections = {s.title: {row.description for row in s.rows} for s in app.screen.sections}
            assert {"play", "next", "back"} <= sections["level list"]
            assert {"help", "theme"} <= sections["everywhere"]
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert isinstance(app.screen, MainMenu)
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            sections = {s.title: {row.description for row in s.rows} for s in app.screen.sections}
            assert {"play", "quit"} <= sections["main menu"]

    asyncio.run(run())
