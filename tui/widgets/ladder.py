"""The ladder diagram: every message of the game as an arrow between client and server.

`LadderView` keeps the timeline the play screen feeds it (messages, state changes, notes),
draws it with `ladder_layout.layout` at its current width, and lets the player select an
arrow with ↑↓ (or the mouse); the selected arrow drives the inspector through
`LadderView.EntrySelected`. `LadderHeading` is the line above it: who is who, and where
each side stands now.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from engine.referee import LadderEntry, Side, SideView
from tui.widgets.ladder_layout import (
    LadderLine,
    LadderStyles,
    NoteMark,
    StateMark,
    TimelineItem,
    layout,
)


class LadderView(ScrollView, can_focus=True):
    """The scrolling, selectable diagram."""

    COMPONENT_CLASSES = {
        "ladder--arrow",
        "ladder--state",
        "ladder--note",
        "ladder--mistake",
        "ladder--reaction",
        "ladder--lost",
        "ladder--turn",
        "ladder--selected",
    }

    DEFAULT_CSS = """
    LadderView {
        height: 1fr;
        & > .ladder--arrow { }
        & > .ladder--state { text-style: bold; color: $text-accent; }
        & > .ladder--note { text-style: italic; color: $text-muted; }
        & > .ladder--mistake { color: $text-error; text-style: bold; }
        & > .ladder--reaction { color: $text-warning; }
        & > .ladder--lost { color: $text-muted; }
        & > .ladder--turn { color: $text-success; text-style: italic; }
        & > .ladder--selected { background: $block-cursor-blurred-background; }
        &:focus > .ladder--selected {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "previous", show=False),
        Binding("down", "move(1)", "next", show=False),
        Binding("home", "jump(0)", "first", show=False),
        Binding("end", "jump(-1)", "last", show=False),
    ]

    selected: reactive[int | None] = reactive(None, always_update=True)
    """Index (`LadderEntry.index`) of the selected arrow, or None before the first one."""

    your_turn: reactive[Side | None] = reactive(None, always_update=True)
    """The side whose move the game awaits, shown as a "your move" line; None otherwise.
    Set at every turn (even to the same side): the ladder then scrolls to its end."""

    @dataclass
    class EntrySelected(Message):
        """The player selected an arrow (or a new one arrived and was selected for them)."""

        entry: LadderEntry

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._timeline: list[TimelineItem] = []
        self._entries: dict[int, LadderEntry] = {}
        self._lines: list[LadderLine] | None = None
        self._lines_width = 0

    # --- feeding the timeline -----------------------------------------------------------

    def add_entry(self, entry: LadderEntry) -> None:
        """A new arrow; it becomes the selection so the inspector shows the latest message."""
        self._timeline.append(entry)
        self._entries[entry.index] = entry
        self._relayout()
        self.selected = entry.index

    def add_state(self, side: Side, state: str) -> None:
        self._timeline.append(StateMark(side, state))
        self._relayout()

    def add_note(self, text: str) -> None:
        self._timeline.append(NoteMark(text))
        self._relayout()

    def set_initial_states(self, sides: tuple[SideView, SideView]) -> None:
        for view in sides:
            self._timeline.append(StateMark(view.side, view.state))
        self._relayout()

    @property
    def entries(self) -> list[LadderEntry]:
        return list(self._entries.values())

    # --- drawing ------------------------------------------------------------------------

    def _styles(self) -> LadderStyles:
        style = self.get_component_rich_style
        return LadderStyles(
            arrow=style("ladder--arrow", partial=True),
            state=style("ladder--state", partial=True),
            note=style("ladder--note", partial=True),
            mistake=style("ladder--mistake", partial=True),
            reaction=style("ladder--reaction", partial=True),
            lost=style("ladder--lost", partial=True),
            turn=style("ladder--turn", partial=True),
        )

    @property
    def lines(self) -> list[LadderLine]:
        width = self.scrollable_content_region.width or 60
        if self._lines is None or width != self._lines_width:  # a scrollbar came or went
            self._lines_width = width
            self._lines = layout(
                self._timeline, width, your_turn=self.your_turn, styles=self._styles()
            )
            if self.virtual_size.height != len(self._lines):
                self.virtual_size = Size(width, len(self._lines))
        return self._lines

    def _relayout(self) -> None:
        self._lines = None
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.lines))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def watch_your_turn(self) -> None:
        self._relayout()
        self.scroll_end(animate=False, immediate=False)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        lines = self.lines
        if index >= len(lines):
            return Strip.blank(width, self.rich_style)
        line = lines[index]
        text = line.text
        if line.entry is not None and line.entry == self.selected:
            text = text.copy()
            text.plain = "▸" + text.plain[1:]
            text.stylize(self.get_component_rich_style("ladder--selected"))
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.extend_cell_length(width).crop(0, width).apply_style(self.rich_style)

    # --- selection ----------------------------------------------------------------------

    def _selectable(self) -> list[int]:
        return [line.entry for line in self.lines if line.entry is not None]

    def action_move(self, step: int) -> None:
        order = self._selectable()
        if not order:
            return
        if self.selected not in order:
            self.selected = order[-1]
            return
        position = order.index(self.selected) + step
        self.selected = order[max(0, min(position, len(order) - 1))]

    def action_jump(self, position: int) -> None:
        order = self._selectable()
        if order:
            self.selected = order[position]

    def watch_selected(self, selected: int | None) -> None:
        if selected is None:
            return
        for number, line in enumerate(self.lines):
            if line.entry == selected:
                self.scroll_to_region(
                    self._line_region(number), animate=False, immediate=False
                )
                break
        self.refresh()
        self.post_message(self.EntrySelected(self._entries[selected]))

    def _line_region(self, number: int) -> Region:
        return Region(0, number, max(self.scrollable_content_region.width, 1), 1)

    def on_click(self, event: events.Click) -> None:
        number = event.y + self.scroll_offset.y
        if 0 <= number < len(self.lines) and self.lines[number].entry is not None:
            self.selected = self.lines[number].entry


class LadderHeading(Widget):
    """Who is who above the ladder: each side, its address, its state now, and "you"."""

    DEFAULT_CSS = """
    LadderHeading { height: 2; }
    """

    sides: reactive[tuple[SideView, ...]] = reactive(())

    def render(self) -> Text:
        if len(self.sides) != 2:
            return Text()
        width = self.size.width
        client, server = self.sides
        top = _spread(_who(client), _who(server), width)
        bottom = _spread(client.address, server.address, width)
        bottom.stylize("dim")
        if top.cell_len > width:  # long TLS states: "you" stands in for "CLIENT (you)"
            top = _spread(_who(client, short=True), _who(server, short=True), width)
        if top.cell_len > width:  # still too long: the states take the addresses' line
            top = _spread(_who(client, state=False), _who(server, state=False), width)
            bottom = _spread(client.state, server.state, width)
        lines = [top, bottom]
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        return Text("\n", no_wrap=True).join(lines)


def _who(view: SideView, *, short: bool = False, state: bool = True) -> Text:
    if short and view.is_player:
        text = Text("you", style="bold")
    else:
        text = Text(view.side.title, style="bold")
        if view.is_player:
            text.append(" (you)", style="bold")
    if state:
        text.append(f" · {view.state}")
    return text


def _spread(left: Text | str, right: Text | str, width: int) -> Text:
    left_text = Text(left) if isinstance(left, str) else left
    right_text = Text(right) if isinstance(right, str) else right
    gap = max(width - left_text.cell_len - right_text.cell_len - 2, 1)
    return Text.assemble(" ", left_text, " " * gap, right_text, " ")
