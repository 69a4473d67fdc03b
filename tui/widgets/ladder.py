"""The ladder diagram: every message of the game as an arrow between client and server.

`LadderView` keeps the timeline the play screen feeds it (messages, state changes, notes),
draws it with `ladder_layout.layout` at its current width, and lets the player select an
arrow with ↑↓ (or the mouse); the selected arrow drives the inspector through
`LadderView.EntrySelected`. `LadderHeading` is the line above it: who is who, and where
each side stands now.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive, var
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from engine.referee import LadderEntry, Side, SideView
from tui.widgets.component_style import component_style
from tui.widgets.ladder_layout import (
    LadderLine,
    LadderStyles,
    NoteMark,
    StateMark,
    TimelineItem,
    layout,
)
from tui.widgets.settled import SettledView

LADDER_LEGEND: tuple[tuple[str, str], ...] = (
    ("SYN ──▶", "a segment from the client to the server"),
    ("◀── SYN-ACK", "a segment from the server to the client"),
    ("✗ ACK ──▶", "your wrong move, played against a copy of the peer"),
    ("◀── ↩ RST", "the real peer's reaction to that wrong move"),
    ("SYN ╌╌✕", "a segment the wire lost"),
    ("SYN-SENT", "a side's new connection state, in order with the segments"),
    ("WAIT_EE › WAIT_CV", "one side's states, one after the other, with nothing sent between"),
    ("Finished · 🔒 s hs", "a TLS record encrypted under a key: here the server's handshake "
     "traffic key (c = client, s = server; hs handshake, ap application; c key / s key in "
     "TLS 1.2)"),
    ("ServerHello · clear", "a TLS record sent in the clear: no key protects it"),
    ("▸", "the selected segment: the inspector shows its fields and bytes"),
)
"""How to read the diagram: the help screen shows it under the play screen's keys."""


MAX_DRAWN = 2048  # drawn lines kept for reuse
Key = tuple[object, ...]


class LadderView(SettledView, ScrollView, can_focus=True):
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

    HELP_TITLE = "the ladder (has the focus)"
    BINDINGS = [
        Binding("up", "move(-1)", "previous", show=False,
                tooltip="select the message before (the inspector follows)"),
        Binding("down", "move(1)", "next", show=False, tooltip="select the message after"),
        Binding("home", "jump(0)", "first", show=False, tooltip="select the first message"),
        Binding("end", "jump(-1)", "last", show=False, tooltip="select the latest message"),
    ]

    selected: reactive[int | None] = reactive(None, always_update=True)
    """Index (`LadderEntry.index`) of the selected arrow, or None before the first one."""

    your_turn: var[Side | None] = var(None, always_update=True)
    """The side whose move the game awaits, shown as a "your move" line; None otherwise.
    Set at every turn (even to the same side): the ladder then scrolls to its end at the
    next `flush`, which repaints the rows that changed."""

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
        self._strips: dict[int, tuple[Key, Strip]] = {}  # drawn lines, by line number
        self._painted: dict[int, Key | None] = {}  # what each row of the view shows
        # Drawn lines by what they show: a new arrow or a moved selection redraws only the
        # lines that changed, not the whole visible diagram.
        self._drawn: dict[tuple[object, ...], Strip] = {}
        self._arrived: int | None = None  # the newest arrow, selected at the next flush
        self._to_end = False  # scroll to the end at the next flush

    # --- feeding the timeline -----------------------------------------------------------
    #
    # Feeding only records: nothing is laid out until `flush`, which the play screen calls
    # once per referee answer, so a flight of ten messages costs one layout, not ten, and
    # one repaint of the rows that changed.

    def add_entry(self, entry: LadderEntry) -> None:
        """A new arrow; at the next flush it becomes the selection (the inspector shows the
        latest message)."""
        self._timeline.append(entry)
        self._entries[entry.index] = entry
        self._arrived = entry.index
        self._lines = None

    def add_state(self, side: Side, state: str) -> None:
        self._timeline.append(StateMark(side, state))
        self._lines = None

    def add_note(self, text: str) -> None:
        self._timeline.append(NoteMark(text))
        self._lines = None

    def set_initial_states(self, sides: tuple[SideView, SideView]) -> None:
        for view in sides:
            self._timeline.append(StateMark(view.side, view.state))
        self._invalidate()

    def flush(self) -> LadderEntry | None:
        """Lay out what was fed since the last flush, select the newest arrow and scroll to
        it (or to the end, at the player's turn). Returns the newly selected entry, if any;
        no EntrySelected is posted for it: the caller shows it."""
        _ = self.lines  # one layout, and the virtual size set for the scroll below
        arrived, self._arrived = self._arrived, None
        if arrived is not None:
            self.set_reactive(LadderView.selected, arrived)
            self._strips.clear()
        if self._to_end:
            self._to_end = False
            self.scroll_end(animate=False, immediate=True)
        elif arrived is not None:
            self._scroll_to_entry(arrived)
        self._repaint_changed_rows()
        return self._entries[arrived] if arrived is not None else None

    def _repaint_changed_rows(self) -> None:
        """Repaint the rows of the view whose drawing changed (a new arrow below the last,
        the selection mark moved), not all of them. A scroll repaints the whole view by
        itself."""
        width = self.scrollable_content_region.width
        lines = self.lines
        top = self.scroll_offset.y
        for y in range(self.scrollable_content_region.height):
            index = y + top
            key = self._key(lines[index], width) if index < len(lines) else None
            if self._painted.get(y, ()) != key:
                self.refresh(Region(0, y, width, 1))

    @property
    def entries(self) -> list[LadderEntry]:
        return list(self._entries.values())

    # --- drawing ------------------------------------------------------------------------

    def _styles(self) -> LadderStyles:
        def style(name: str) -> Style:
            return component_style(self, name)

        return LadderStyles(
            arrow=style("ladder--arrow"),
            state=style("ladder--state"),
            note=style("ladder--note"),
            mistake=style("ladder--mistake"),
            reaction=style("ladder--reaction"),
            lost=style("ladder--lost"),
            turn=style("ladder--turn"),
        )

    @property
    def lines(self) -> list[LadderLine]:
        width = self.scrollable_content_region.width or 60
        if self._lines is None or width != self._lines_width:  # a scrollbar came or went
            self._lines_width = width
            self._strips.clear()
            self._lines = layout(
                self._timeline, width, your_turn=self.your_turn, styles=self._styles()
            )
            size = Size(width, len(self._lines))
            if self.virtual_size != size:
                self.virtual_size = size
        return self._lines

    def _invalidate(self) -> None:
        """The timeline changed: lay it out again when next needed (drawn or flushed)."""
        self._lines = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._invalidate()
        _ = self.lines  # the virtual size follows the new width now: no stray scrollbar

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None
        self._strips.clear()
        self._drawn.clear()

    def watch_your_turn(self) -> None:
        self._lines = None
        self._to_end = True

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        lines = self.lines
        if index >= len(lines):
            self._painted[y] = None
            return Strip.blank(width, self.rich_style)
        drawn = self._strips.get(index)
        if drawn is None:
            drawn = self._strips[index] = self._draw(lines[index], width)
        self._painted[y] = drawn[0]
        return drawn[1]

    def _key(self, line: LadderLine, width: int) -> Key:
        """What a line's drawing depends on."""
        text = line.text
        selected = line.entry is not None and line.entry == self.selected
        return (text.plain, tuple(text.spans), text.style, selected, self.has_focus, width)

    def _draw(self, line: LadderLine, width: int) -> tuple[Key, Strip]:
        key = self._key(line, width)
        strip = self._drawn.get(key)
        if strip is not None:
            return key, strip
        text = line.text
        selected = bool(key[3])
        if selected:
            text = text.copy()
            text.plain = "▸" + text.plain[1:]
            text.stylize(self.get_component_rich_style("ladder--selected"))
        strip = Strip(text.render(self.app.console), text.cell_len)
        strip = strip.extend_cell_length(width).crop(0, width).apply_style(self.rich_style)
        if len(self._drawn) > MAX_DRAWN:
            self._drawn.clear()
        self._drawn[key] = strip
        return key, strip

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
        self._strips.clear()
        if selected is None:
            return
        self._scroll_to_entry(selected)
        self.refresh()
        self.post_message(self.EntrySelected(self._entries[selected]))

    def _scroll_to_entry(self, index: int) -> None:
        for number, line in enumerate(self.lines):
            if line.entry == index:
                self.scroll_to_region(self._line_region(number), animate=False, immediate=False)
                break

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
