"""The quiz round: one question at a time, a countdown, and feedback after each answer.

Everything about the round (questions, grading, clocks, score) is engine.quiz's; this
screen shows it and passes keys on. Questions are made in a worker thread (each may play a
real handshake), so the screen never freezes while the next one is prepared; a question's
countdown starts only once it is on screen. The clock is injected (the app's, or the
`clock` argument), so pilot tests freeze it and move it by hand.

Quitting mid-round (q, escape) writes nothing: the personal bests and the --export file
are written only when a round ends, each in one atomic step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from engine.quiz import Form, QuestionSource, QuizError, QuizRound

if TYPE_CHECKING:
    from engine.quiz import Answer, Bank, Question, RoundSettings

TICK_SECONDS = 0.2


def countdown(seconds: float) -> str:
    whole = int(seconds + 0.999)  # 0.2 s left still shows 00:01
    return f"{whole // 60:02d}:{whole % 60:02d}"


class QuizScreen(Screen[None]):
    """A round of the quiz."""

    HELP_TITLE = "quiz"
    DEFAULT_CSS = """
    QuizScreen { layout: vertical; }
    #quiz-header { height: 1; background: $panel; text-style: bold; }
    #quiz-body { height: 1fr; padding: 0 1; }
    #quiz-context { border: round $foreground 30%; padding: 0 1; height: auto; max-height: 12; }
    #quiz-context.-empty { display: none; }
    #quiz-prompt { margin-top: 1; text-style: bold; }
    #quiz-choices { margin-top: 1; }
    #quiz-input { margin-top: 1; width: 60; }
    #quiz-input.-hidden { display: none; }
    #quiz-feedback { margin-top: 1; }
    """
    BINDINGS = [
        Binding("1", "choose(1)", "answer", key_display="1-4", tooltip="answer a multiple-choice question"),
        Binding("2", "choose(2)", "choose", show=False),
        Binding("3", "choose(3)", "choose", show=False),
        Binding("4", "choose(4)", "choose", show=False),
        Binding("enter", "next", "next", tooltip="after the feedback: the next question"),
        Binding("escape,q", "quit_round", "quit", tooltip="leave the round (nothing is saved)"),
        Binding("question_mark", "app.help", "help", key_display="?", show=False),
    ]
    HELP_LEGEND = (
        ("1-4", "answer a multiple-choice question"),
        ("type + enter", "answer a typed question, or type the numbers of an order (e.g. 3142)"),
    )

    def __init__(
        self,
        settings: RoundSettings,
        bank: Bank | None = None,
        bank_name: str = "",
        *,
        export: Path | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.bank = bank
        self.bank_name = bank_name
        self.export = export
        self._clock = clock
        self.round: QuizRound | None = None
        self.feedback: Answer | None = None
        self._ready: set[int] = set()
        self._waiting_for: int | None = None  # a question being prepared that should be shown

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="quiz-header")
        with VerticalScroll(id="quiz-body"):
            yield Static("", id="quiz-context", classes="-empty")
            yield Static("Playing real handshakes for your questions…", id="quiz-prompt")
            yield Static("", id="quiz-choices")
            yield Input(placeholder="your answer, then enter", id="quiz-input", classes="-hidden")
            yield Static("", id="quiz-feedback")
        yield Footer()

    def on_mount(self) -> None:
        clock = self._clock or getattr(self.app, "clock", None) or time.monotonic
        try:
            source = QuestionSource(self.settings, self.bank, self.bank_name, lock=threading.Lock())
        except QuizError as error:
            self._fail(str(error))
            return
        self.round = QuizRound(self.settings, source, clock)
        self._prepare(0)
        self.set_interval(TICK_SECONDS, self.tick)
        self._header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show "next" only with feedback on screen (the footer lists what works now)."""
        if action == "next":
            return self.feedback is not None
        if action == "choose":
            return self._answerable() and self.round is not None and self.round.current.form is Form.CHOICE
        return True

    # --- questions ------------------------------------------------------------------

    @work(thread=True, group="prepare")
    def _prepare(self, number: int) -> None:
        assert self.round is not None
        try:
            self.round.source.question(number)
        except QuizError as error:
            self._back_on_screen(self._fail, str(error))
            return
        self._back_on_screen(self._prepared, number)

    def _back_on_screen(self, callback: Callable[..., None], *arguments: object) -> None:
        """Hand a worker's result to the screen, unless the player has left it (or the app
        has quit) while the question was being made."""
        if get_current_worker().is_cancelled or not self.is_attached:
            return
        try:
            self.app.call_from_thread(callback, *arguments)
        except RuntimeError:  # the app stopped in the meantime
            pass

    def _prepared(self, number: int) -> None:
        self._ready.add(number)
        if number == 0 and self.round is not None and self.round.started is None:
            self._show(self.round.start())
        elif self._waiting_for == number:
            self._waiting_for = None
            self.action_next()

    def _show(self, question: Question) -> None:
        self.feedback = None
        self.refresh_bindings()
        context = self.query_one("#quiz-context", Static)
        context.update(Text("\n".join(question.context)))
        context.set_class(not question.context, "-empty")
        self.query_one("#quiz-prompt", Static).update(Text(question.prompt))
        choices = self.query_one("#quiz-choices", Static)
        box = self.query_one("#quiz-input", Input)
        box.value = ""
        if question.form is Form.CHOICE:
            choices.update(Text("\n".join(f" {n}  {text}" for n, text in enumerate(question.choices, 1))))
            box.set_class(True, "-hidden")
            self.set_focus(None)
        else:
            lines = [f" [{n}] {text}" for n, text in enumerate(question.choices, 1)]
            choices.update(Text("\n".join(lines)))
            box.placeholder = ("the numbers in order, first to last, then enter" if question.form is Form.ORDER else
                               "a number, then enter" if question.numeric else "a name, then enter")
            box.set_class(False, "-hidden")
            box.disabled = False
            box.focus()
        self.query_one("#quiz-feedback", Static).update("")
        self.query_one("#quiz-body", VerticalScroll).scroll_home(animate=False)
        self._header()

    # --- answering ------------------------------------------------------------------

    def action_choose(self, key: int) -> None:
        if self._answerable() and self.round is not None and self.round.current.form is Form.CHOICE:
            if key <= len(self.round.current.choices):
                self._answered(self.round.answer(str(key)))

    @on(Input.Submitted, "#quiz-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.feedback is not None:
            self.action_next()
            return
        if self._answerable() and self.round is not None and event.value.strip():
            self._answered(self.round.answer(event.value))

    def _answerable(self) -> bool:
        return (self.round is not None and self.round.started is not None and not self.round.waiting
                and not self.round.finished)

    def _answered(self, answer: Answer) -> None:
        self.feedback = answer
        self.refresh_bindings()
        question = answer.question
        if answer.response is None:
            head = ("✗ Time's up. ", "bold $text-warning")
        elif answer.correct:
            streak = f" (streak {answer.streak})" if answer.streak > 1 else ""
            head = (f"✓ Right! +{answer.points}{streak}  ", "bold $text-success")
        else:
            head = ("✗ Wrong. ", "bold $text-error")
        told = "" if answer.correct else f"The answer: {question.answer_text}. "
        after = "enter: your results" if self._last() else "enter: next question"
        feedback = Content.assemble(head, told, question.why, "\n", (after, "dim"))
        self.query_one("#quiz-feedback", Static).update(feedback)
        self.query_one("#quiz-input", Input).disabled = True
        self.set_focus(None)
        self._header()
        assert self.round is not None
        if not self._last():
            self._prepare(self.round.number + 1)

    def _last(self) -> bool:
        assert self.round is not None
        total = self.round.total
        return total is not None and len(self.round.answers) >= total

    def action_next(self) -> None:
        round_ = self.round
        if round_ is None or self.feedback is None and not round_.finished:
            return
        following = len(round_.answers)
        if not round_.finished and not self._last() and following not in self._ready:
            self._waiting_for = following
            self.query_one("#quiz-feedback", Static).update(Text("Playing a real handshake for the next question…"))
            return
        question = round_.next()
        if question is None:
            self._finish()
        else:
            self._show(question)

    # --- time -----------------------------------------------------------------------

    def tick(self) -> None:
        round_ = self.round
        if round_ is None or round_.started is None or round_.finished:
            return
        timed_out = round_.tick()
        if timed_out is not None:
            self._answered(timed_out)
        if round_.finished:
            self._finish()
            return
        self._header()

    def _header(self) -> None:
        round_ = self.round
        text = Text(" Quiz")
        if round_ is not None and round_.started is not None:
            total = f"/{round_.total}" if round_.total else ""
            text.append(f" · question {round_.number + 1}{total} · score {round_.score}")
            if round_.streak > 1:
                text.append(f" · streak {round_.streak}")
            clocks = []
            if (left := round_.question_left()) is not None:
                clocks.append(f"{countdown(left)} left for this question")
            if (left := round_.round_left()) is not None:
                clocks.append(f"{countdown(left)} left in the round")
            if clocks:
                text.append("   " + "   ".join(clocks))
        text.append(f"   seed {self.settings.seed}")
        self.query_one("#quiz-header", Static).update(text)

    # --- the end --------------------------------------------------------------------

    def _finish(self) -> None:
        from tui.screens.quiz_results import QuizResultsScreen, save_round

        assert self.round is not None
        result = self.round.result()
        recorded, notices = save_round(self.app, result, self.export)
        self.app.switch_screen(QuizResultsScreen(result, recorded, notices, self.bank, self.bank_name,
                                                 export=self.export, clock=self._clock))

    def action_quit_round(self) -> None:
        """Leave mid-round: nothing is written."""
        self.workers.cancel_group(self, "prepare")
        self.app.pop_screen()

    def _fail(self, message: str) -> None:
        self.query_one("#quiz-prompt", Static).update(Text(f"✗ The quiz cannot go on: {message}", style="bold"))
        self.query_one("#quiz-feedback", Static).update(Text("escape: back", style="dim"))
