"""Component styles that stay legible in every theme.

`get_component_rich_style(name, partial=True)` resolves colours such as `$text` and
`$text-muted` (which contrast automatically with the background) without knowing the
background, and in a light theme comes out white on white. `component_style` resolves them
against the widget's real background instead, and keeps a background only where the
component's CSS sets one, so the style can be laid over text like a partial one.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def component_style(widget: Widget, name: str) -> Style:
    """The component's style: colours resolved for this theme, background only if set."""
    style = widget.get_component_rich_style(name)
    if widget.get_component_styles(name).has_rule("background"):
        return style
    return _without_background(style)


def _without_background(style: Style) -> Style:
    return Style(
        color=style.color,
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        strike=style.strike,
        reverse=style.reverse,
    )
