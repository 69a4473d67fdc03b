"""The turn's options as chips ("1 SYN  2 SYN-ACK …") on as many rows as the width needs.

One widget draws every chip (`render_line`), so a new turn is new words on the rows already
there: no widget mounted, no stylesheet applied again for a chip marked or unmarked, and a
layout only when the number of rows changes. A click chooses the chip under the mouse; the
chip under the mouse stands out and its option's label is the tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from engine.referee import MoveOption
from tui.widgets.component_style import component_style
from tui.widgets.settled import Settled

CHIP_GAP = 1  # the columns between two chips
MAX_OPTIONS = 9  # number keys 1-9


def chip_text(number: int, key: str, *, chosen: bool = False) -> str:
    return f"{'▸' if chosen else ' '}{number} {key} "


def pack_rows(widths: Sequence[int], room: int) -> list[list[int]]:
    """Indexes of chips per row: as many as fit in `room` columns, in order (at least one)."""
    rows: list[list[int]] = []
    used = room + 1
    for index, width in enumerate(widths):
        if rows and used + width <= room:
            rows[-1].append(index)
            used += width + CHIP_GAP
        else:
            rows.append([index])
            used = width + CHIP_GAP
    return rows


class MoveChips(Settled, Widget):
    """The chips of one turn's options; the chosen one is marked (▸ and its colour)."""

    COMPONENT_CLASSES = {"move-chips--chip", "move-chips--hover", "move-chips--chosen"}

    DEFAULT_CSS = """
    MoveChips {
        height: auto;
        & > .move-chips--chip { background: $boost; }
        & > .move-chips--hover { background: $primary 40%; }
        & > .move-chips--chosen { background: $primary; color: $text; text-style: bold; }
    }
    """

    @dataclass
    class Clicked(Message):
        """The player clicked chip `number` (1-based)."""

        number: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._options: tuple[MoveOption, ...] = ()
        self._chosen: int | None = None
        self._hover: int | None = None
        self._rows: list[list[int]] = []

    def show(self, options: Sequence[MoveOption], chosen: int | None = None) -> None:
        """Show these options (the first nine), `chosen` marked; a layout only if the rows
        they need are more or fewer than now."""
        options = tuple(options[:MAX_OPTIONS])
        if options == self._options and chosen == self._chosen:
            return
        self._options, self._chosen = options, chosen
        rows = self._rows_at(self.size.width)
        self.refresh(layout=len(rows) != len(self._rows) or not self.size.width)
        self._rows = rows

    def _rows_at(self, width: int) -> list[list[int]]:
        widths = [len(chip_text(number, option.key)) for number, option in enumerate(self._options, 1)]
        return pack_rows(widths, width or max(self.app.size.width - 4, 1)) if widths else []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rows_at(width))

    def _on_resize(self, event: events.Resize) -> None:
        self._rows = self._rows_at(event.size.width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        styles = {name: component_style(self, f"move-chips--{name}") for name in ("chip", "hover", "chosen")}
        gap = Segment(" " * CHIP_GAP)
        segments: list[Segment] = []
        for index in self._rows[y]:
            number = index + 1
            chosen = number == self._chosen
            style = styles["chosen" if chosen else "hover" if number == self._hover else "chip"]
            segments += [Segment(chip_text(number, self._options[index].key, chosen=chosen), style), gap]
        strip = Strip(segments).crop(0, width).extend_cell_length(width)
        return strip.apply_style(self.rich_style)

    def chip_at(self, x: int, y: int) -> int | None:
        """The number of the chip at column x of row y, if any."""
        if not 0 <= y < len(self._rows):
            return None
        left = 0
        for index in self._rows[y]:
            right = left + len(chip_text(index + 1, self._options[index].key))
            if left <= x < right:
                return index + 1
            left = right + CHIP_GAP
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_over(self.chip_at(event.x, event.y))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_over(None)

    def _hover_over(self, number: int | None) -> None:
        if number != self._hover:
            self._hover = number
            self.tooltip = None if number is None else Text(self._options[number - 1].label)
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        number = self.chip_at(event.x, event.y)
        if number is not None:
            event.stop()
            self.post_message(self.Clicked(number))
