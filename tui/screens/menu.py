"""The main menu: Play and Quit (room for Quiz and Live later), and the campaign overview.

No engine/ imports at start-up: the overview needs the level catalogue (engine.levels and
pydantic, about 0.2 s to import), so on the first showing it is filled in only after the
menu has been drawn; later showings have the catalogue already.
"""

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
    ("quiz", "Quiz       timed drills, real handshakes"),
    ("live", "Live       against the Linux kernel"),
    ("quit", "Quit"),
)


class MainMenu(Screen[None]):
    """The first screen."""

    HELP_TITLE = "main menu"
    BINDINGS = [
        Binding("p", "choose('play')", "play", tooltip="the level list, the next level highlighted"),
        Binding("z", "choose('quiz')", "quiz", tooltip="a timed quiz drawn from real handshakes"),
        Binding("l", "choose('live')", "live", tooltip="play TCP against the real Linux kernel"),
        Binding("q", "choose('quit')", "quit", tooltip="leave synack (your progress is saved)"),
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
        if self.nav.catalog_loaded:
            self._show_overview()
        else:  # draw the menu first; the catalogue loads once it is on screen
            self.call_after_refresh(self._show_overview)

    def _show_overview(self) -> None:
        """E.g. "3 of 29 levels done · 8 of 87 ★ · 0 of 5 chapters complete", then the
        suggested next level (or, at the end, a word that the campaign is complete)."""
        # A resume can arrive while the screen is being torn down (the app quitting at
        # once): then there is nothing left to update.
        lines = self.query("#menu-progress").results(Static)
        if not self.is_attached or not self.is_current:
            return
        campaign = self.nav.campaign()
        if campaign.total == 0:
            return
        suggested = self.nav.suggested_level()
        following = f"next: {suggested.title}" if suggested else "✓ campaign complete"
        for line in lines:
            line.update(f"{campaign.overview()}\n{following}")

    @property
    def nav(self) -> Navigator:
        return cast("Navigator", self.app)

    @on(OptionList.OptionSelected, "#menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "")

    def action_choose(self, key: str) -> None:
        if key == "play":
            self.nav.open_level_list()
        elif key == "quiz":
            from tui.screens.quiz_setup import QuizSetupScreen

            self.app.push_screen(QuizSetupScreen())
        elif key == "live":
            from tui.screens.live_menu import LiveMenu

            self.app.push_screen(LiveMenu(seed=getattr(self.app, "seed", None)))
        elif key == "quit":
            self.app.exit()
