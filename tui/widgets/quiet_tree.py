"""A Tree that neither lays the screen out again nor repaints when it is resized, nor lays
it out when its nodes change (`SettledView`: its scrollbar is always shown).

Textual's `Tree` answers every Resize with a layout request, though its lines do not
depend on its size. On the play screen the field and key trees are resized whenever the
panes around them change height (a new message's hex dump, a longer description), which
cost a second layout pass, tens of milliseconds, after every referee answer. The layout
that resized the tree has painted it at its new size already (its drawn lines are cached
by width), so `QuietTree` only lets its line cache hold a screenful; everything else is
Textual's Tree.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.widgets.settled import SettledView

DataType = TypeVar("DataType")


class QuietTree(SettledView, Tree[DataType]):
    def _on_resize(self, event: events.Resize) -> None:
        event.prevent_default()  # Tree._on_resize would ask for a layout
        self._line_cache.grow(event.size.height)

    def get_label_width(self, node: TreeNode[DataType]) -> int:
        """The trees never scroll sideways (`overflow-x: hidden`), so a label's width only
        feeds their virtual width: its words and the fold mark will do, without drawing
        every label again at each rebuild."""
        return node._label.cell_len + 2

    def _invalidate(self) -> None:
        """Tree._invalidate (new nodes, a node opened or closed), asking for a repaint
        only: the tree's height comes from the stylesheet, not from its nodes."""
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()
