"""A hex dump of one message with a byte range highlighted (the field under the cursor).

Drawn a row at a time (`render_line`): a message of a few kilobytes (a certificate chain)
is hundreds of rows, of which the pane shows a handful, and only those are drawn. The view
scrolls itself and its height comes from the stylesheet, so a message with more or fewer
rows than the one before changes only its scrollbar's numbers, never the screen's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.component_style import component_style
from tui.widgets.settled import SettledView

OFFSET_WIDTH = 6  # "0010  "


def bytes_per_row(width: int) -> int:
    """The widest power of two from 16 down to 4 whose hex and ASCII columns fit."""
    for count in (16, 8, 4):
        if OFFSET_WIDTH + 3 * count + 1 + count <= width:
            return count
    return 4


def _printable(byte: int) -> str:
    return chr(byte) if 0x20 <= byte < 0x7F else "."


class HexView(SettledView, ScrollView):
    """Offsets, hex bytes and ASCII; bytes [start, end) of `highlight` stand out."""

    COMPONENT_CLASSES = {"hexview--offset", "hexview--highlight"}

    DEFAULT_CSS = """
    HexView {
        overflow-x: hidden;
        overflow-y: scroll;  /* always shown: no scrollbar to come or go with a long message */
        scrollbar-size-vertical: 1;
        & > .hexview--offset { color: $text-muted; }
        & > .hexview--highlight { background: $accent; color: $text; text-style: bold underline; }
    }
    """

    data: reactive[bytes] = reactive(b"")
    """The bytes shown."""
    highlight: reactive[tuple[int, int] | None] = reactive(None)

    @dataclass
    class ByteClicked(Message):
        """The player clicked the byte at `offset`."""

        offset: int

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        data = self.data
        offset_style = component_style(self, "hexview--offset")
        per_row = bytes_per_row(width)
        y += self.scroll_offset.y
        row_start = y * per_row
        if not data and y == 0:
            segments = [Segment("(no bytes)", offset_style)]
        elif row_start >= len(data):
            segments = []
        else:
            segments = self._row(data[row_start:row_start + per_row], row_start, per_row,
                                 offset_style)
        strip = Strip(segments).extend_cell_length(width).crop(0, width)
        return strip.apply_style(self.rich_style)

    def _row(self, row: bytes, row_start: int, per_row: int, offset_style: Style) -> list[Segment]:
        """Offset, hex and ASCII of one row; the highlighted bytes (and the spaces between
        them) in the highlight style."""
        mark = component_style(self, "hexview--highlight")
        start, end = self.highlight or (0, 0)
        plain = Style()
        hex_part = [Segment(f"{row_start:04x}  ", offset_style)]
        ascii_part = [Segment(" ")]
        for offset, byte in enumerate(row, row_start):
            marked = start <= offset < end
            hex_part.append(Segment(f"{byte:02x}", mark if marked else plain))
            hex_part.append(Segment(" ", mark if start <= offset < end - 1 else plain))
            ascii_part.append(Segment(_printable(byte), mark if marked else plain))
        hex_part.append(Segment(" " * (3 * (per_row - len(row)))))
        return list(Segment.simplify(hex_part + ascii_part))

    def watch_data(self) -> None:
        self._measure()
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        event.prevent_default()  # ScrollView's would ask for a layout: the rows are ours
        self._measure()

    def _measure(self) -> None:
        """The rows the data needs at this width: the scrollbar's numbers."""
        width = self.scrollable_content_region.width
        rows = max(1, -(-len(self.data) // bytes_per_row(width)))
        self.virtual_size = Size(width, rows)

    def row_region(self, offset: int) -> Region:
        """The region (in the whole dump, scrolled or not) of the row that holds byte `offset`."""
        width = self.scrollable_content_region.width
        return Region(0, offset // bytes_per_row(width), max(width, 1), 1)

    def on_click(self, event: events.Click) -> None:
        offset = self.offset_at(event.x, event.y + self.scroll_offset.y)
        if offset is not None:
            self.post_message(self.ByteClicked(offset))

    def offset_at(self, x: int, y: int) -> int | None:
        """The byte under column x of the dump's row y (hex or ASCII column), if any."""
        per_row = bytes_per_row(self.scrollable_content_region.width)
        column: int | None = None
        hex_x = x - OFFSET_WIDTH
        ascii_x = x - (OFFSET_WIDTH + 3 * per_row + 1)
        if 0 <= hex_x < 3 * per_row:
            column = hex_x // 3
        elif 0 <= ascii_x < per_row:
            column = ascii_x
        if column is None:
            return None
        offset = y * per_row + column
        return offset if offset < len(self.data) else None
