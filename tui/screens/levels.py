"""The level list: the built-in levels grouped by chapter, with the campaign's marks.

Each chapter heading says how far the player got in it (✓ complete · 3 of 7 done · 8 of 21
★). Each level row starts with its mark: ✓ and its stars for a finished level (★★☆, and
"2 stars" in words at the end of the row), ▶ next for the suggested level (the first one
in play order not finished yet, highlighted when the list opens), · for the others. No mark
relies on colour. The panel beside the list shows the highlighted level's goal and best run.
Broken level files are listed below, one line each, as the loader reports them.

Level packs (`synack --pack DIR`, the user's levels directory) follow the campaign, each
as its own group: a heading with the pack's title, author and progress, its levels, and
its broken files, each with its problems. Without packs the list is the campaign alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.campaign import ChapterProgress, stars_words
from tui.widgets.play_header import clock_text, protocol_title, stars_text
from tui.widgets.prose import reflow

if TYPE_CHECKING:
    from engine.levels import Level
    from engine.levels.pack import BrokenFile, Pack
    from tui.progress import LevelRecord
    from tui.screens._nav import Navigator

BROKEN_PREFIX = "broken:"  # option ids of pack files that did not load
MARK_WIDTH = 6  # "✓ ★★☆", "▶ next"
WIDE = 100  # columns from which each row names the role too


def level_cells(
    number: int, level: Level, record: LevelRecord | None, *, is_next: bool
) -> tuple[str, str, str, str]:
    """One row's words: mark, "12." and title, role, and the stars (or "suggested") in words."""
    if record is not None:
        mark, words = f"✓ {stars_text(record.stars)}", stars_words(record.stars)
    elif is_next:
        mark, words = "▶ next", "suggested"
    else:
        mark, words = "·", "not done"
    return mark, f"{number:>2}. {level.title}", level.role.value, words


def level_prompt(
    number: int, level: Level, record: LevelRecord | None, *, is_next: bool, wide: bool = True
) -> Table:
    """One row, e.g. "✓ ★★☆  1. Knock knock: the three-way han…  client · 2 stars".

    A grid as wide as the list: the title gives way (an ellipsis) so the stars in words
    always show; the role only when the list is `wide` (the panel beside says it too)."""
    mark, title, role, words = level_cells(number, level, record, is_next=is_next)
    row = Table.grid(expand=True, padding=(0, 1))
    row.add_column(width=MARK_WIDTH, no_wrap=True)
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(width=(len("client · ") if wide else 0) + len("suggested"), no_wrap=True)
    strong = "bold" if record is not None or is_next else ""
    tail = Text.assemble((f"{role} · ", "dim") if wide else "",
                         (words, "italic" if is_next else "dim"))
    row.add_row(Text(mark, style=strong), Text(title, style="bold" if is_next else ""), tail)
    return row


def chapter_prompt(chapter: ChapterProgress) -> Table:
    """A chapter heading with its progress, e.g. "Chapter TCP   2 of 7 done · 5 of 21 ★"."""
    row = Table.grid(expand=True, padding=(0, 1))
    row.add_column(no_wrap=True)
    row.add_column(ratio=1, justify="right", no_wrap=True, overflow="ellipsis")
    row.add_row(
        Text(f"Chapter {chapter.name}", style="bold underline"),
        Text(chapter.words(), style="bold" if chapter.complete else "dim", justify="right"),
    )
    return row


def pack_prompt(pack: Pack, progress: ChapterProgress) -> Table:
    """A pack's heading, e.g. "Pack Networks 101 · by Dr. Ada   0 of 3 done · 0 of 9 ★"."""
    row = Table.grid(expand=True, padding=(0, 1))
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(no_wrap=True, justify="right")
    author = f" · by {pack.author}" if pack.author else ""
    row.add_row(
        Text(f"Pack {pack.title}{author}", style="bold underline"),
        Text(progress.words(), style="bold" if progress.complete else "dim", justify="right"),
    )
    return row


def broken_prompt(broken: BrokenFile) -> Text:
    """A pack file that did not load: ✗, its name, and its problems, one per line."""
    text = Text(f"✗ {broken.path.name} does not load", style="bold")
    folder = f"{broken.path.parent}/"
    for line in broken.problems:
        text.append(f"\n    {line.removeprefix(folder)}", style="dim")
    return text


def pack_progress(pack: Pack, records: dict[str, LevelRecord]) -> ChapterProgress:
    ids = tuple(level.id for level in pack.levels)
    done = [records[level_id] for level_id in ids if level_id in records]
    return ChapterProgress(pack.title, ids, len(done), sum(record.stars for record in done))


class LevelListScreen(Screen[None]):
    """Pick a level; the suggested next one is highlighted."""

    HELP_TITLE = "level list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "play", priority=True, tooltip="play the highlighted level"),
        Binding("n", "next", "next", tooltip="highlight the suggested next level"),
        Binding("q,escape", "back", "back", tooltip="back to the main menu"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._suggested: str | None = None
        self._filled = False
        self._wide = True

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
        problems = self.nav.catalog().problems + self.nav.packs()[1]
        panel = self.query_one("#level-problems", Static)
        panel.display = bool(problems)
        if problems:
            panel.border_title = f"{len(problems)} level file(s) could not be loaded"
            panel.update("\n".join(f"✗ {line}" for line in problems))
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        self._wide = self.size.width >= WIDE
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self._wide and self._filled:
            self._wide = wide
            self._fill()

    def _fill(self) -> None:
        """(Re)build the rows. The suggestion is highlighted when the list first opens and
        whenever it moved (a level was finished); otherwise the highlight stays put."""
        options = self.query_one(OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        progress = self.nav.progress
        campaign = self.nav.campaign()
        chapter: str | None = None
        for number, level in enumerate(self.nav.catalog().levels, 1):
            if str(level.chapter) != chapter:
                chapter = str(level.chapter)
                heading = campaign.chapter_of(level.id)
                assert heading is not None
                options.add_option(Option(chapter_prompt(heading), disabled=True))
            record = progress.get(level.id)
            is_next = level.id == campaign.next_id
            options.add_option(Option(
                level_prompt(number, level, record, is_next=is_next, wide=self._wide),
                id=level.id,
            ))
        self._add_packs(options)
        moved = not self._filled or campaign.next_id != self._suggested
        self._suggested, self._filled = campaign.next_id, True
        target = campaign.next_id if moved and campaign.next_id else keep
        if target is not None:
            options.highlighted = options.get_option_index(target)
        elif options.option_count > 1:
            options.highlighted = 1  # the first level, under its chapter heading
        if options.option_count <= 1:
            self.query_one("#level-goal", Static).update("No levels found.")

    def _add_packs(self, options: OptionList) -> None:
        progress = self.nav.progress
        for pack in self.nav.packs()[0]:
            records = {level.id: r for level in pack.levels if (r := progress.get(level.id)) is not None}
            options.add_option(Option(pack_prompt(pack, pack_progress(pack, records)), disabled=True))
            for number, level in enumerate(pack.levels, 1):
                options.add_option(Option(
                    level_prompt(number, level, records.get(level.id), is_next=False, wide=self._wide),
                    id=level.id,
                ))
            for broken in pack.broken:  # selectable, so the list scrolls to it and says why
                options.add_option(Option(broken_prompt(broken), id=f"{BROKEN_PREFIX}{broken.path}"))

    @property
    def suggested(self) -> str | None:
        """The id of the level marked "next" (None once every level is done)."""
        return self._suggested

    def _level(self, level_id: str | None) -> Level | None:
        for level in self.nav.catalog().levels:
            if level.id == level_id:
                return level
        for pack in self.nav.packs()[0]:
            for level in pack.levels:
                if level.id == level_id:
                    return level
        return None

    @on(OptionList.OptionHighlighted, "#level-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        level = self._level(event.option.id)
        if level is None:
            if (event.option.id or "").startswith(BROKEN_PREFIX):
                self.query_one("#level-goal", Static).update(Text(
                    "✗ This file does not load; fix the lines beside it and open the list again "
                    "(or check it with `synack levels validate`).", style="italic"))
            return
        record = self.nav.progress.get(level.id)
        text = Text()
        text.append(f"{level.title}\n", style="bold")
        text.append(f"{protocol_title(str(level.protocol))} · chapter {level.chapter} · "
                    f"you play the {level.role.title}\n\n")
        text.append(f"{reflow(level.goal)}\n\n")
        if record is None:
            suggested = level.id == self._suggested
            text.append("▶ Next: the first level you have not finished." if suggested
                        else "· Not finished yet.", style="italic")
        else:
            text.append(
                f"✓ Best: {stars_text(record.stars)} {stars_words(record.stars)} · "
                f"{record.points} points · {record.mistakes} mistake(s) · "
                f"{record.hints} hint(s) · {clock_text(record.seconds)} · "
                f"played {record.plays}×"
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

    def action_next(self) -> None:
        if self._suggested is not None:
            options = self.query_one(OptionList)
            options.highlighted = options.get_option_index(self._suggested)
        else:
            self.notify("Every level is done: pick any to play again.", timeout=5)

    def action_back(self) -> None:
        self.app.pop_screen()
