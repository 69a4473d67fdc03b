"""The level list: the built-in levels grouped by chapter, with progress marks.

✓ and stars mark a finished level (★★☆: two of three), • one not finished yet. The panel
beside the list shows the highlighted level's goal and best run. Broken level files are
listed below, one line each, as the loader reports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.play_header import clock_text, stars_text
from tui.widgets.prose import reflow

if TYPE_CHECKING:
    from engine.levels import Level
    from tui.progress import LevelRecord
    from tui.screens._nav import Navigator


def level_prompt(number: int, level: Level, record: LevelRecord | None) -> Text:
    """One row: mark, number, title and role, e.g. "✓ ★★☆  1. The handshake  client"."""
    if record is None:
        mark = Text("•    ", style="dim")
    else:
        mark = Text(f"✓ {stars_text(record.stars)}", style="bold")
    return Text.assemble(
        mark, f"  {number:>2}. ", (level.title, "bold"), ("  " + level.role.value, "dim")
    )


class LevelListScreen(Screen[None]):
    """Pick a level."""

    BINDINGS = [
        Binding("enter", "play", "play", priority=True),
        Binding("q,escape", "back", "back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(" synack · levels", id="levels-title")
        with Horizontal(id="levels-body"):
            yield OptionList(id="level-options")
            with Vertical(id="level-detail"):
                yield Static("", id="level-goal")
        yield Static("", id="level-problems", markup=False)
        yield Footer()

    @property
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    def on_mount(self) -> None:
        self.query_one("#level-detail").border_title = "level"
        problems = self.nav.catalog().problems
        panel = self.query_one("#level-problems", Static)
        panel.display = bool(problems)
        if problems:
            panel.border_title = f"{len(problems)} level file(s) could not be loaded"
            panel.update("\n".join(f"✗ {line}" for line in problems))
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self._fill()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        progress = self.nav.progress
        chapter: str | None = None
        first_open: str | None = None
        for number, level in enumerate(self.nav.catalog().levels, 1):
            if str(level.chapter) != chapter:
                chapter = str(level.chapter)
                options.add_option(Option(Text(f"Chapter {chapter}", style="bold underline"),
                                          disabled=True))
            record = progress.get(level.id)
            if record is None and first_open is None:
                first_open = level.id
            options.add_option(Option(level_prompt(number, level, record), id=level.id))
        target = keep or first_open
        if target is not None:
            options.highlighted = options.get_option_index(target)
        elif options.option_count:
            options.action_first()
        if options.option_count <= 1:
            self.query_one("#level-goal", Static).update("No levels found.")

    def _level(self, level_id: str | None) -> Level | None:
        for level in self.nav.catalog().levels:
            if level.id == level_id:
                return level
        return None

    @on(OptionList.OptionHighlighted, "#level-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        level = self._level(event.option.id)
        if level is None:
            return
        record = self.nav.progress.get(level.id)
        text = Text()
        text.append(f"{level.title}\n", style="bold")
        text.append(f"{str(level.protocol).upper()} · chapter {level.chapter} · "
                    f"you play the {level.role.title}\n\n")
        text.append(f"{reflow(level.goal)}\n\n")
        if record is None:
            text.append("• Not finished yet.", style="italic")
        else:
            text.append(
                f"✓ Best: {stars_text(record.stars)}  {record.points} points · "
                f"{record.mistakes} mistake(s) · {record.hints} hint(s) · "
                f"{clock_text(record.seconds)} · played {record.plays}×"
            )
        self.query_one("#level-goal", Static).update(text)

    @on(OptionList.OptionSelected, "#level-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        level = self._level(event.option.id)
        if level is not None:
            self.nav.start_level(level)

    def action_play(self) -> None:
        options = self.query_one(OptionList)
        level = self._level(options.highlighted_option.id if options.highlighted_option else None)
        if level is not None:
            self.nav.start_level(level)

    def action_back(self) -> None:
        self.app.pop_screen()
