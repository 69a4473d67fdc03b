"""The help screen: every key of the screen below, and how to read the ladder."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

LEGEND: tuple[tuple[str, str], ...] = (
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


class HelpScreen(ModalScreen[None]):
    """Keys and legend; any of esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(_table("keys", self.keys))
            yield Static(_table("reading the ladder", list(LEGEND)))
            yield Static(Text("esc closes this help", style="italic"))

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "help"

    def action_close(self) -> None:
        self.dismiss(None)


def _table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for key, words in rows:
        table.add_row(key, words)
    return table
