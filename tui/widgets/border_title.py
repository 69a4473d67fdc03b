"""New words in a pane's border without repainting the pane.

Textual's `border_title` setter repaints the whole widget: for the inspector, a pane of some
thirty lines drawn again (and every line of the screen it covers composed again) for one
line of words, after every move. `retitle` stores the title as that setter does and
repaints the border row alone.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget


def retitle(widget: Widget, title: str, *, subtitle: bool = False) -> None:
    """Set the widget's border title (or subtitle) to `title`, repainting only its row."""
    size = widget.outer_size
    if not size:  # not laid out yet: the whole widget is to be painted anyway
        if subtitle:
            widget.border_subtitle = title
        else:
            widget.border_title = title
        return
    name = "_border_subtitle" if subtitle else "_border_title"
    content = widget.render_str(title).expand_tabs(4).split()[0]  # as the setter stores it
    if getattr(widget, name) == content:
        return
    setattr(widget, name, content)
    offset = widget.content_offset  # refresh() takes regions of the content area
    row = size.height - 1 if subtitle else 0
    widget.refresh(Region(-offset.x, row - offset.y, size.width, 1))
