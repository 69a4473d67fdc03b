"""The main menu: Play and Quit (room for Quiz and Live later). No engine/ imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from tui.screens._nav import Navigator

LOGO = """\
s y n a c k

  CLIENT                        SERVER
    │ ── SYN ─────────────────────▶ │
    │ ◀───────────────── SYN-ACK ── │
    │ ── ACK ─────────────────────▶ │"""

TAGLINE = "Be the client or the server. Every move is a real segment on a real wire."

MENU: tuple[tuple[str, str], ...] = (
    ("play", "Play       the campaign, level by level"),
    ("quit", "Quit"),
)


class MainMenu(Screen[None]):
    """The first screen."""

    BINDINGS = [
        Binding("p", "choose('play')", "play"),
        Binding("q", "choose('quit')", "quit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="menu-box"):
            yield Static(LOGO, id="logo")
            yield Static(TAGLINE, id="tagline")
            with Center():
                yield OptionList(*(Option(text, id=key) for key, text in MENU), id="menu")
            yield Static("", id="menu-progress")
        yield Footer()

    def on_screen_resume(self) -> None:
        stars = self.nav.progress.total_stars
        done = len(self.nav.progress.levels)
        line = f"{done} level{'s' if done != 1 else ''} done · {stars} ★" if done else ""
        # A resume can arrive while the screen is being torn down (the app quitting at
        # once): then there is nothing left to update.
        for progress in self.query("#menu-progress").results(Static):
            progress.update(line)

    @property
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    @on(OptionList.OptionSelected, "#menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "")

    def action_choose(self, key: str) -> None:
        if key == "play":
            self.nav.open_level_list()
        elif key == "quit":
            self.app.exit()
