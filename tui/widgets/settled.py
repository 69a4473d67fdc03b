"""Leaf widgets whose new size does not ask for a second layout of the whole screen.

When a layout gives a widget a new size, Textual stores it as the widget's virtual size
through a reactive that requests *another* layout. For a widget that does not scroll (a
move chip, a line of text, the hex dump, a pane that stacks widgets) that second pass
changes nothing: the first one already placed every widget around it and inside it. On the
play screen it cost a second layout and paint after most moves. `Settled` stores the size
without the request; mix it in first.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.containers import VerticalScroll
from textual.widgets import Static


class Settled(Widget):
    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class SettledStatic(Settled, Static):
    """A line or block of text that does not scroll."""


class SettledScroll(Settled, VerticalScroll):
    """A scrolling pane whose stylesheet shows its scrollbar always (`overflow-y: scroll`):
    with no scrollbar to come or go, its new content height needs no second layout."""
