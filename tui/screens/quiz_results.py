"""The end of a quiz round: the score, each answer with its time, what to review, and the
personal bests of this kind of round. Also where a finished round is saved (bests table
and --export file), each written in one atomic step."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.quiz_records import QuizRecords, Recorded

from engine.quiz import Form
from engine.files import write_atomically
from engine.quiz.model import TOPIC_NAMES
from tui.progress import data_dir

if TYPE_CHECKING:
    from engine.quiz import Answer, Bank, RoundResult


def save_round(app: App[None], result: RoundResult, export: Path | None) -> tuple[Recorded, list[str]]:
    """Record the round in the bests table and write the export file; problems as notices."""
    store = getattr(app, "store", None)
    directory = store.directory if store is not None else data_dir()
    recorded = QuizRecords(directory).record(result)
    notices = [recorded.notice] if recorded.notice else []
    if export is not None:
        try:
            write_atomically(export, json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
            notices.append(f"Result written to {export}")
        except OSError as error:
            notices.append(f"Could not write {export}: {error.strerror}")
    return recorded, notices


def _answer_cell(answer: Answer) -> Text:
    question = answer.question
    if answer.response is None:
        return Text(f"✗ time's up · right: {question.answer_text}")
    if answer.correct:
        return Text(f"✓ {question.answer_text}")
    given = answer.response.strip()
    if question.form is Form.CHOICE and given.isdigit() and 1 <= int(given) <= len(question.choices):
        given = f"{given}. {question.choices[int(given) - 1]}"
    return Text(f"✗ you: {given} · right: {question.answer_text}")


class QuizResultsScreen(Screen[None]):
    HELP_TITLE = "quiz results"
    DEFAULT_CSS = """
    #results-header { height: 1; background: $panel; text-style: bold; }
    #results-body { height: 1fr; padding: 0 1; }
    #results-body > Static { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("enter,escape,q", "leave", "menu", tooltip="back to where the quiz started"),
        Binding("r", "again(False)", "new round", tooltip="the same kind of round with new questions"),
        Binding("s", "again(True)", "same seed", tooltip="the very same questions again"),
        Binding("question_mark", "app.help", "help", key_display="?", show=False),
    ]

    def __init__(self, result: RoundResult, recorded: Recorded, notices: list[str], bank: Bank | None = None,
                 bank_name: str = "", *, export: Path | None = None, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.result = result
        self.recorded = recorded
        self.notices = notices
        self.bank = bank
        self.bank_name = bank_name
        self.export = export
        self._clock = clock

    def compose(self) -> ComposeResult:
        result = self.result
        yield Static(Text(f" Quiz results · {result.settings.mode} · seed {result.settings.seed}"),
                     id="results-header")
        with VerticalScroll(id="results-body"):
            yield Static(self._summary(), id="results-summary")
            yield Static(self._answers(), id="results-answers")
            yield Static(self._review(), id="results-review")
            yield Static(self._bests(), id="results-bests")
            if self.notices:
                yield Static(Text("\n".join(self.notices)), id="results-notices")
        yield Footer()

    def _summary(self) -> Text:
        r = self.result
        ended = {"time": "time ran out", "stopped": "stopped early"}.get(r.ended_by, "")
        text = Text.assemble((f"Score {r.score}", "bold"))
        text.append(f"   {r.correct} of {len(r.answers)} right ({r.accuracy:.0%})   best streak {r.best_streak}"
                    f"   {r.mean_seconds:.1f} s a question" + (f"   ({ended})" if ended else ""))
        topics = self.result.by_topic()
        if len(topics) > 1:
            text.append("\nby topic: " + " · ".join(f"{name} {right}/{asked}" for name, (right, asked) in topics.items()))
        if self.recorded.place == 1:
            text.append("\n★ A new personal best for this kind of round!", style="bold")
        return text

    def _answers(self) -> Table:
        table = Table(box=None, pad_edge=False, show_edge=False, expand=True)
        table.add_column("#", justify="right", width=3)
        table.add_column("topic", width=8)
        table.add_column("time", justify="right", width=7)
        table.add_column("answer", ratio=1)
        for number, answer in enumerate(self.result.answers, 1):
            table.add_row(str(number), TOPIC_NAMES.get(answer.question.topic, answer.question.topic),
                          f"{answer.seconds:.1f} s", _answer_cell(answer))
        if not self.result.answers:
            table.add_row("", "", "", Text("no answers"))
        return table

    def _review(self) -> Text:
        review = self.result.review()
        if not review:
            return Text("Nothing to review: every answer was right." if self.result.answers else "")
        text = Text.assemble(("To review:", "bold"), "\n")
        for skill, misses in review:
            text.append(f"  · {skill} ({misses} missed)\n")
        return text

    def _bests(self) -> Text:
        rows = self.recorded.table.modes.get(self.result.settings.mode, [])
        text = Text.assemble((f"Personal bests · {self.result.settings.mode}", "bold"), "\n")
        for place, row in enumerate(rows, 1):
            mark = "  ◀ this round" if place == self.recorded.place else ""
            text.append(f"  {place}. {row.score:5d} points  {row.correct}/{row.asked} right ({row.accuracy:.0%})  "
                        f"{row.seconds:.0f} s  seed {row.seed}{mark}\n")
        return text

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_again(self, same_seed: bool) -> None:
        import secrets

        from tui.screens.quiz import QuizScreen

        settings = self.result.settings
        if not same_seed:
            settings = dataclasses.replace(settings, seed=secrets.randbelow(1_000_000))
        self.app.switch_screen(QuizScreen(settings, self.bank, self.bank_name, export=self.export, clock=self._clock))
