"""The end-of-level summary: the score, the stars and the level's debrief.

A modal that dismisses with "next", "retry" or "list"; the play screen acts on it. "Next"
(enter) is the campaign's suggestion: the first level in play order not finished yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from tui.widgets.comparison import comparison_table
from tui.widgets.play_header import clock_text, stars_text
from tui.widgets.prose import reflow

if TYPE_CHECKING:
    from engine.levels import Level
    from engine.referee import Score
    from engine.referee.compare import Figures


class SummaryScreen(ModalScreen[str]):
    """How the level went."""

    HELP_TITLE = "summary"
    BINDINGS = [
        Binding("enter", "finish('next')", "next level",
                tooltip="play the suggested level: the first one not finished yet"),
        Binding("r", "finish('retry')", "play again", tooltip="play this level again"),
        Binding("escape,q", "finish('list')", "level list", tooltip="back to the level list"),
        Binding("x", "save_capture", "save for Wireshark", show=False,
                tooltip="the game you just played, mistakes included, as a .pcapng capture and its TLS key log"),
        Binding("question_mark", "app.help", "help", key_display="?", show=False,
                tooltip="every key of this screen"),
    ]

    def __init__(
        self,
        level: Level,
        score: Score,
        debrief: str,
        *,
        seed: int,
        next_title: str | None,
        next_skips_back: bool = False,
        best_stars: int,
        new_best: bool,
        comparison: tuple[Figures, Figures] | None = None,
    ) -> None:
        super().__init__()
        self.level = level
        self.score = score
        self.debrief = debrief
        self.seed = seed
        self.next_title = next_title
        self.next_skips_back = next_skips_back
        self.best_stars = best_stars
        self.new_best = new_best
        self.comparison = comparison  # Compare levels: two runs, counted side by side

    def compose(self) -> ComposeResult:
        score = self.score
        with Vertical(id="summary-box"):
            yield Static(Text(f"✓ Level complete: {self.level.title}", style="bold"),
                         id="summary-title")
            stars = Text(stars_text(score.stars), style="bold")
            stars.append(f"  {score.stars} of 3 stars · {score.points} points")
            if self.new_best:
                stars.append(" · new best!", style="italic")
            yield Static(stars, id="summary-stars")
            yield Static(
                f"mistakes {score.mistakes} · hints {score.hints_used} · "
                f"time {clock_text(score.seconds)} · seed {self.seed}",
                id="summary-score",
            )
            with VerticalScroll(id="summary-debrief"):
                if self.comparison is not None:
                    yield Static(comparison_table(self.comparison), id="summary-comparison")
                yield Static(reflow(self.debrief) or "Well played.", markup=False)
            yield Static(self._next_words(), id="summary-next", markup=False)
            with Horizontal(id="summary-buttons"):
                label = "Next level ▶" if self.next_title else "Level list ▶"
                yield Button(label, id="next", variant="primary", compact=True)
                yield Button("Play again", id="retry", compact=True)
                yield Button("Level list", id="list", compact=True)
        yield Footer()

    def _next_words(self) -> str:
        if self.next_title is None:
            return "✓ Campaign complete: every level is done. Replay any from the list."
        if self.next_skips_back:
            return f"Next: {self.next_title} (the first level you have not finished)"
        return f"Next: {self.next_title}"

    def on_mount(self) -> None:
        box = self.query_one("#summary-box")
        box.border_title = "summary"
        box.set_class(self.comparison is not None, "-compare")
        self.query_one("#next", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_finish(event.button.id or "list")

    def action_save_capture(self) -> None:
        """The game is the play screen's, just beneath this summary."""
        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        save = getattr(below, "action_save_capture", None)
        if save is not None:
            save()

    def action_finish(self, choice: str) -> None:
        if choice == "next" and self.next_title is None:
            choice = "list"
        self.dismiss(choice)
