"""The help screen: every key that works on the screen below, generated from the bindings.

`help_sections(screen)` reads `screen.active_bindings` (the focused widget's bindings, its
ancestors', the screen's and the app's, as Textual resolves them) and groups them: one
section per node that declares them, one row per action and description, its keys together
("q esc  back"; "1-9  choose" for choose(1) … choose(9)).
A binding's `tooltip` is the longer explanation shown beside its description. Nothing here
is a hand-written list of keys, so the help cannot drift from what the keys do. A screen may
add a legend (the play screen explains how to read the ladder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpRow:
    """One action: its keys as shown ("1-9", "q esc"), what it does, and more words."""

    keys: str
    description: str
    detail: str = ""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class HelpSection:
    title: str
    rows: tuple[HelpRow, ...]


def section_title(node: DOMNode) -> str:
    """A node's `HELP_TITLE`, else its class name in words ("LadderView" → "ladder view")."""
    if isinstance(node, App):
        return "everywhere"
    title = getattr(node, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    name = type(node).__name__
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return words if isinstance(node, Screen) else f"{words} (has the focus)"


def _row(app: App[Any], bindings: Sequence[ActiveBinding]) -> HelpRow:
    first = bindings[0].binding
    if first.key_display and all(not b.binding.show for b in bindings[1:]):
        keys = app.get_key_display(first)  # "1-9" stands for the hidden 2 … 9
    else:
        keys = " ".join(dict.fromkeys(app.get_key_display(b.binding) for b in bindings))
    descriptions = dict.fromkeys(b.binding.description for b in bindings)
    details = dict.fromkeys(b.tooltip or b.binding.tooltip for b in bindings if b.tooltip)
    return HelpRow(
        keys=keys,
        description=" / ".join(descriptions),
        detail="; ".join(details),
        enabled=any(b.enabled for b in bindings),
    )


def _own_actions(node: DOMNode) -> set[str]:
    """Actions bound in synack's own classes (not those Textual's base classes bring)."""
    found: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("textual") or "BINDINGS" not in cls.__dict__:
            continue
        for binding in cls.__dict__["BINDINGS"]:
            action = binding.action if isinstance(binding, Binding) else binding[1]
            found.add(action.partition("(")[0])
    return found


def help_sections(screen: Screen[Any]) -> list[HelpSection]:
    """The screen's active bindings as sections: the screen's own first, then the focused
    widget's (and its ancestors'), then the app's; in each, synack's keys before the ones
    Textual brings. Bindings without a description (Textual's internal ones) are left out."""
    by_node: dict[DOMNode, dict[str, list[ActiveBinding]]] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if not binding.description:
            continue
        action = binding.action.partition("(")[0]
        group = f"{action}\0{binding.description}"  # choose(1) … choose(9): one row
        by_node.setdefault(active.node, {}).setdefault(group, []).append(active)
    nodes = sorted(
        by_node, key=lambda node: 0 if node is screen else 2 if isinstance(node, App) else 1
    )
    sections = []
    for node in nodes:
        own = _own_actions(node)
        groups = sorted(by_node[node].items(),
                        key=lambda item: item[0].partition("\0")[0] not in own)
        sections.append(HelpSection(section_title(node),
                                    tuple(_row(screen.app, group) for _, group in groups)))
    return sections


class HelpScreen(ModalScreen[None]):
    """Keys (and a legend, if the screen has one); any of esc, q or ? closes it."""

    HELP_TITLE = "help"
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "close", key_display="esc",
                tooltip="close the help"),
    ]

    def __init__(
        self,
        sections: Sequence[HelpSection],
        legend: Sequence[tuple[str, str]] = (),
        *,
        title: str = "help",
    ) -> None:
        super().__init__()
        self.sections = tuple(sections)
        self.legend = tuple(legend)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            widths = _column_widths(self.sections)
            for section in self.sections:
                yield Static(_keys_table(section, widths), classes="help-section")
            if self.legend:
                yield Static(_legend_table(self.legend), classes="help-section")
            yield Static(Text("esc, q or ? closes this help · keys in (parentheses) do "
                              "nothing just now", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = self.title_text

    def action_close(self) -> None:
        self.dismiss(None)


def _column_widths(sections: Sequence[HelpSection]) -> tuple[int, int]:
    """The keys' and the descriptions' widths, the same in every section's table."""
    rows = [row for section in sections for row in section.rows]
    keys = max((len(row.keys) + 2 for row in rows), default=4)
    descriptions = max((len(row.description) for row in rows), default=8)
    return keys, min(descriptions, 24)


def _keys_table(section: HelpSection, widths: tuple[int, int]) -> Table:
    table = Table(title=f"keys: {section.title}", title_justify="left", show_header=False,
                  box=None, expand=True, title_style="bold underline")
    table.add_column(style="bold", no_wrap=True, width=widths[0])
    table.add_column(width=widths[1])
    table.add_column(ratio=1, style="dim")
    for row in section.rows:
        keys = row.keys if row.enabled else f"({row.keys})"
        table.add_row(keys, row.description, row.detail)
    return table


def _legend_table(legend: Sequence[tuple[str, str]]) -> Table:
    table = Table(title="reading the ladder", title_justify="left", show_header=False,
                  box=None, expand=True, title_style="bold underline")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for key, words in legend:
        table.add_row(key, words)
    return table
