"""The feedback line under the play area: the last verdict, hint or problem, in words.

Each kind of line starts with a word or mark that carries its meaning (✓, ✗, "Hint"), and
a `-good`/`-bad`/`-hint` class only adds colour on top.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.referee import Hint, Judgement
from tui.widgets.prose import reflow
from tui.widgets.settled import SettledStatic

HINT_NAMES = {1: "nudge", 2: "rule", 3: "answer"}
KINDS = ("-good", "-bad", "-hint", "-info")  # the classes that colour a line (app.tcss)


class FeedbackText(SettledStatic):
    """The feedback's words."""


class FeedbackLine(VerticalScroll, can_focus=False):
    """Shows one message at a time; a long explanation scrolls (mouse wheel)."""

    def compose(self) -> ComposeResult:
        yield FeedbackText("", id="feedback-text")

    @property
    def text(self) -> str:
        """The plain text shown now (for tests and for screen readers' sake)."""
        content = self.query_one("#feedback-text", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def _show(self, text: Text, kind: str) -> None:
        if not self.has_class(kind):  # one restyle, not one per class swapped
            self.set_classes((set(self.classes) - set(KINDS)) | {kind})
        self.query_one("#feedback-text", Static).update(text)
        self.scroll_home(animate=False)

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
        self._show(text, "-good" if judgement.correct else "-bad")

    def show_hint(self, hint: Hint) -> None:
        name = HINT_NAMES.get(hint.level, "hint")
        text = Text(f"Hint {hint.level}/3 ({name}, −{hint.cost} points): ", style="bold")
        text.append(reflow(hint.text))
        self._show(text, "-hint")

    def show_problem(self, problem: str) -> None:
        self._show(Text(f"✗ {problem}", style="bold"), "-bad")

    def show_info(self, info: str) -> None:
        self._show(Text(info), "-info")
