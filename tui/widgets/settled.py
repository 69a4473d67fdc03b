"""Widgets whose new size or new words do not ask for a needless layout of the whole screen.

When a layout gives a widget a new size, Textual stores it as the widget's virtual size
through a reactive that requests *another* layout. For a widget that does not scroll (the
move chips, a line of text, a pane that stacks widgets) that second pass
changes nothing: the first one already placed every widget around it and inside it. On the
play screen it cost a second layout and paint after most moves. `Settled` stores the size
without the request; mix it in first.

A scrolling view (the ladder, a tree, the hex dump) asks for a layout whenever its content grows or
shrinks, though with its vertical scrollbar always shown and no horizontal one
(`overflow-y: scroll; overflow-x: hidden` in its stylesheet) only the scrollbar's numbers
change. `SettledView` gives the scrollbar its new numbers and
asks for no layout (nor a repaint: the new content asks for its own).

A `Static` asks for a layout at every new text, though most new texts take the same room
(a prompt of two lines after another). `SettledStatic` asks for one
only when the new text needs another width or height, and is repainted otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.css.scalar import Scalar
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


class Settled(Widget):
    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


if TYPE_CHECKING:
    _ViewBase = ScrollView
else:
    _ViewBase = object


class SettledView(_ViewBase):
    """Mix in first, before the scrolling widget's class (it is no widget itself, so the
    widget keeps its own class's styles)."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # The content's height is the view's own (below), not the layout's idea of it: only
        # a new size or container repaints the scrollbar.
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)

    def watch_virtual_size(self, old: Size, size: Size) -> None:
        bar = self.vertical_scrollbar
        if max(old.height, size.height) < bar.window_size:
            # Shorter than the view before and after: Textual draws the same bar for both
            # (a thumb its whole length), so the new number needs no repaint.
            bar.set_reactive(ScrollBar.window_virtual_size, size.height)
        else:
            bar.window_virtual_size = size.height


class SettledStatic(Settled, Static):
    """A line or block of text that does not scroll."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)
        if layout and not self._keeps_its_size():
            self.refresh(layout=True)

    def _keeps_its_size(self) -> bool:
        """Would a layout give the new text the room the old one has now?"""
        region = self.content_region
        parent = self.parent
        if not region or not isinstance(parent, Widget):
            return False  # not laid out yet
        styles = self.styles
        container = parent.content_region.size
        viewport = self.screen.size

        def bounded(length: int, least: Scalar | None, most: Scalar | None) -> int:
            if least is not None:
                length = max(length, int(least.resolve(container, viewport)))
            if most is not None:
                length = min(length, int(most.resolve(container, viewport)))
            return length

        if styles.width is not None and styles.width.is_auto:
            width = self.get_content_width(container, viewport)
            if bounded(width, styles.min_width, styles.max_width) != region.width:
                return False
        if styles.height is not None and styles.height.is_auto:
            height = self.get_content_height(container, viewport, region.width)
            if bounded(height, styles.min_height, styles.max_height) != region.height:
                return False
        return True

