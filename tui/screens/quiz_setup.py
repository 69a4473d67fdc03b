"""The quiz entry of the main menu: pick a kind of round, then play it."""

from __future__ import annotations

import secrets

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

# id → (label, topics, questions, round minutes, seconds per question)
PRESETS: dict[str, tuple[str, tuple[str, ...], int | None, float | None, float | None]] = {
    "sprint": ("2-minute round · all topics", ("tcp", "tls12", "tls13"), None, 2.0, None),
    "ten": ("10 questions · 30 s each · all topics", ("tcp", "tls12", "tls13"), 10, None, 30.0),
    "tcp": ("10 questions · TCP", ("tcp",), 10, None, 30.0),
    "tls12": ("10 questions · TLS 1.2", ("tls12",), 10, None, 30.0),
    "tls13": ("10 questions · TLS 1.3", ("tls13",), 10, None, 30.0),
}


class QuizSetupScreen(Screen[None]):
    HELP_TITLE = "quiz"
    DEFAULT_CSS = """
    QuizSetupScreen { align: center middle; }
    #quiz-setup { width: auto; height: auto; }
    #quiz-setup-title { text-align: center; width: 100%; text-style: bold; margin-bottom: 1; }
    #quiz-presets { width: 46; height: auto; }
    """
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "back", tooltip="back to the main menu"),
        Binding("question_mark", "app.help", "help", key_display="?", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="quiz-setup"):
            yield Static("Quiz: questions from real handshakes", id="quiz-setup-title")
            with Center():
                yield OptionList(*(Option(label, id=key) for key, (label, *_) in PRESETS.items()), id="quiz-presets")
        yield Footer()

    @on(OptionList.OptionSelected, "#quiz-presets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        from engine.quiz import RoundSettings
        from tui.screens.quiz import QuizScreen

        _, topics, questions, minutes, per_question = PRESETS[event.option.id or "sprint"]
        seed = getattr(self.app, "seed", None)
        settings = RoundSettings(seed=seed if seed is not None else secrets.randbelow(1_000_000), topics=topics,
                                 questions=questions, round_seconds=None if minutes is None else minutes * 60,
                                 question_seconds=per_question)
        self.app.switch_screen(QuizScreen(settings))
