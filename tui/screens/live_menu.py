"""The Live menu: which game to play against the real Linux kernel."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from engine.side import Side

INTRO = """\
Live: the other side is the real Linux TCP stack, in a private network namespace
(192.0.2.0/24 only, nothing leaves it) reached through a TUN device. Every segment
it sends is the kernel's own; beside the ladder you see its socket calls. For TLS,
OpenSSL (Python's ssl) answers on the kernel's socket."""

CHOICES: tuple[tuple[str, str], ...] = (
    ("client", "You are the client   Linux listens with an echo service"),
    ("server", "You are the server   a program on Linux calls connect() to you"),
    ("closed", "A closed port        send a SYN where nothing listens"),
    ("tls13", "TLS 1.3              TCP with Linux, then TLS against OpenSSL"),
    ("tls12", "TLS 1.2              the classic handshake against OpenSSL"),
)


class LiveMenu(Screen[None]):
    """Choose a live game."""

    HELP_TITLE = "live menu"
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", tooltip="back to the main menu"),
    ]
    DEFAULT_CSS = """
    LiveMenu #live-box { align: center middle; height: 1fr; }
    LiveMenu #live-intro { width: auto; margin-bottom: 1; }
    LiveMenu #live-choices { width: auto; min-width: 60; height: auto; }
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__()
        self.seed = seed

    def compose(self) -> ComposeResult:
        with Vertical(id="live-box"):
            with Center():
                yield Static(INTRO, id="live-intro")
            with Center():
                yield OptionList(*(Option(text, id=key) for key, text in CHOICES), id="live-choices")
        yield Footer()

    @on(OptionList.OptionSelected, "#live-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        from engine.live.referee import LiveOptions
        from tui.screens.live import open_live

        key = event.option.id or "client"
        seed = self.seed or 1
        if key.startswith("tls"):
            options = LiveOptions(seed=seed, tls=True, tls_version="1.3" if key == "tls13" else "1.2")
        else:
            role = Side.SERVER if key == "server" else Side.CLIENT
            options = LiveOptions(role=role, closed_port=key == "closed", seed=seed)
        open_live(self.app, options)
