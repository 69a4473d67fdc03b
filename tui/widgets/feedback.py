"""The feedback line under the play area: the last verdict, hint or problem, in words.

Each kind of line starts with a word or mark that carries its meaning (✓, ✗, "Hint"), and
its kind's colour (the `feedback--good`/`--bad`/`--hint` component styles) only adds to
it. The colour goes on the words, not on the widget through a class: a new class would
restyle the widget and its scrollbars, a pass of its own on the move that changes the
kind (the first of every level); the words are drawn anyway, and drawn again in a new
theme's colours.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.referee import Hint, Judgement
from tui.widgets.component_style import component_style
from tui.widgets.prose import reflow
from tui.widgets.settled import SettledStatic

HINT_NAMES = {1: "nudge", 2: "rule", 3: "answer"}


class FeedbackText(SettledStatic):
    """The feedback's words."""


class FeedbackLine(VerticalScroll, can_focus=False):
    """Shows one message at a time; a long explanation scrolls (mouse wheel)."""

    COMPONENT_CLASSES = {"feedback--good", "feedback--bad", "feedback--hint"}  # app.tcss

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "info"
        """What the line says: "good", "bad", "hint" or "info" (no colour of its own)."""
        self._words = Text()

    def compose(self) -> ComposeResult:
        yield FeedbackText("", id="feedback-text")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._draw())

    @property
    def text(self) -> str:
        """The plain text shown now (for tests and for screen readers' sake)."""
        content = self.query_one("#feedback-text", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def _show(self, text: Text, kind: str) -> None:
        self._words, self.kind = text, kind
        self._draw()
        self.scroll_home(animate=False)

    def _draw(self) -> None:
        text = self._words
        if self.kind != "info":
            text = text.copy()
            text.stylize_before(component_style(self, f"feedback--{self.kind}"))
        self.query_one("#feedback-text", Static).update(text)

    def show_judgement(self, judgement: Judgement) -> None:
        mark = "✓" if judgement.correct else "✗"
        headline = judgement.headline
        if not headline.startswith(("✓", "✗")):
            headline = f"{mark} {headline}"
        text = Text(headline, style="bold")
        if judgement.explanation:
            text.append(f"  {reflow(judgement.explanation)}")
        details = []
        if judgement.expected:
            details.append(f"expected: {judgement.expected}")
        if judgement.rule:
            details.append(judgement.rule)
        if details:
            text.append(f"  [{' · '.join(details)}]", style="italic")
        if judgement.reaction and judgement.reaction != judgement.explanation:
            text.append(f"\n↩ The peer: {reflow(judgement.reaction)}")
        if not judgement.counted:
            text.append("  (not counted as a mistake)", style="italic")
        self._show(text, "good" if judgement.correct else "bad")

    def show_hint(self, hint: Hint) -> None:
        name = HINT_NAMES.get(hint.level, "hint")
        text = Text(f"Hint {hint.level}/3 ({name}, −{hint.cost} points): ", style="bold")
        text.append(reflow(hint.text))
        self._show(text, "hint")

    def show_problem(self, problem: str) -> None:
        self._show(Text(f"✗ {problem}", style="bold"), "bad")

    def show_info(self, info: str) -> None:
        self._show(Text(info), "info")
