"""The live screen: the play screen with the Linux kernel as the opponent.

It is `PlayScreen` (ladder, inspector, move picker, feedback) over a `LiveReferee`, plus a
pane beside the ladder with the kernel side's socket calls (listen(), accept(), recv(),
connect() ... and what they returned). A timer pumps the wire while the player thinks, so
the kernel's retransmissions appear as they happen. Leaving the screen closes the
namespace; nothing stays behind.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.widgets import Static

from engine.live.errors import LiveUnavailable
from engine.live.referee import LiveOptions, LiveReferee, live_level
from engine.referee import RefereeEvent
import tui.app
from tui import messages
from tui.app import SynackApp
from tui.screens.play import PlayScreen
from tui.widgets.feedback import FeedbackLine
from tui.widgets.ladder import LadderHeading
from tui.widgets.move_picker import MovePicker
from tui.widgets.play_header import PlayHeader

if TYPE_CHECKING:
    from engine.live.kernel import KernelCall

PUMP_SECONDS = 0.25


class KernelPane(Static):
    """The kernel side's socket calls, newest last."""

    SCOPED_CSS = False  # the rule below looks at the screen's size class
    DEFAULT_CSS = """
    KernelPane {
        height: 9;
        border: round $foreground 30%;
        padding: 0 1;
        overflow-y: auto;
    }
    LiveScreen.-short KernelPane {  /* no room under the inspector: the calls are on the ladder too */
        display: none;
    }
    """

    def show(self, calls: list[KernelCall]) -> None:
        text = Text()
        for number, call in enumerate(calls[-7:]):
            if number:
                text.append("\n")
            text.append(call.call, style="bold")
            text.append(f" → {call.result}")
        self.update(text if calls else Text("(no socket calls yet)", style="italic"))


class LiveScreen(PlayScreen):
    """Play TCP against the real Linux kernel in a private network namespace."""

    HELP_TITLE = "live"

    def __init__(self, options: LiveOptions) -> None:
        """Raises LiveUnavailable when this system gives no namespace or TUN device."""
        super().__init__(live_level(options), seed=options.seed)
        self.live_referee = LiveReferee(options)
        self.referee = self.live_referee
        self._shown_calls = -1

    def on_mount(self) -> None:
        pane = KernelPane(id="kernel-pane")
        pane.border_title = "Linux · socket calls"
        self.query_one("#side-pane").mount(pane)
        self.set_interval(PUMP_SECONDS, self._pump)

    def on_unmount(self) -> None:
        self.live_referee.close()

    def _pump(self) -> None:
        events: list[RefereeEvent] = self._referee_call(self.live_referee.pump, [])
        if events:
            self.post_message(messages.answer(events))
        self._show_kernel()
        self.query_one(LadderHeading).sides = self.referee.sides

    def _refresh_header(self) -> None:
        super()._refresh_header()
        header = self.query_one(PlayHeader)
        if header.info is not None:
            header.info = replace(header.info, position="live")

    def _settle(self) -> None:
        super()._settle()
        self._show_kernel()

    def _show_kernel(self) -> None:
        calls = self.live_referee.live.kernel_calls
        if len(calls) != self._shown_calls:
            self._shown_calls = len(calls)
            self.query_one(KernelPane).show(calls)

    async def _level_finished(self, message: messages.LevelFinished) -> None:
        """No summary or saved score: a live game is not a campaign level. The ending
        stays on the feedback line; q goes back."""
        ladder = self._ladder
        ladder.your_turn = None
        ladder.flush()
        await self.query_one(MovePicker).set_turn(None, idle="✓ Live game over. q goes back.")
        self.refresh_bindings()
        score = message.score
        self.query_one(FeedbackLine).show_info(
            f"{self.live_referee.live.ending}  Score {score.points} · mistakes {score.mistakes} · "
            f"hints {score.hints_used}."
        )


def open_live(app: App[object], options: LiveOptions) -> bool:
    """Push the live screen; if the system cannot give a namespace, say why and stay."""
    try:
        screen = LiveScreen(options)
    except LiveUnavailable as error:
        app.notify(str(error), title="Live mode is not available here", severity="error", timeout=30)
        return False
    app.push_screen(screen)
    return True


class LiveApp(SynackApp):
    """The game opened straight on a live screen (`synack live tcp`); q goes to the menu."""

    CSS_PATH = str(Path(tui.app.__file__).with_name("app.tcss"))  # relative paths resolve from here

    def __init__(self, options: LiveOptions, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.live_options = options

    def on_mount(self) -> None:  # runs before SynackApp.on_mount (Textual walks the MRO)
        self.call_after_refresh(open_live, self, self.live_options)
