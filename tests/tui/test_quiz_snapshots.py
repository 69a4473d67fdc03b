"""Snapshots of the quiz: a question, the feedback, the results (fixed seed, frozen clock).

Review the SVG (or a PNG of it) before `--snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from engine.quiz import RoundSettings
from tests.tui.test_quiz import answer, question_on_screen, quiz_app, until, wrong_answer
from tui.screens.quiz_results import QuizResultsScreen

ROUND = RoundSettings(seed=31, topics=("tcp",), questions=2, question_seconds=30)  # a choice, then a typed state


def first_of(seed: int, topic: str) -> RoundSettings:
    """A round whose first question is the one the snapshot names (the seed fixes it)."""
    return RoundSettings(seed=seed, topics=(topic,), questions=2, question_seconds=30)


class TestQuizSnapshots:
    def test_question(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        async def first_question(pilot: Pilot[None]) -> None:
            await question_on_screen(pilot, 0)

        app, _ = quiz_app(tmp_path, first_of(31, "tcp"))  # what comes next: a multiple choice
        assert snap_compare(app, run_before=first_question, terminal_size=(100, 30))

    def test_feedback_after_a_wrong_answer(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        async def answered_wrong(pilot: Pilot[None]) -> None:
            question = await question_on_screen(pilot, 0)
            await answer(pilot, question, wrong_answer(question))

        app, _ = quiz_app(tmp_path, first_of(38, "tcp"))  # which TCP state
        assert snap_compare(app, run_before=answered_wrong, terminal_size=(100, 30))

    def test_results(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        async def round_played(pilot: Pilot[None]) -> None:
            first = await question_on_screen(pilot, 0)
            await answer(pilot, first, first.key)
            await pilot.press("enter")
            second = await question_on_screen(pilot, 1)
            await answer(pilot, second, wrong_answer(second))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, QuizResultsScreen), "the results")

        app, _ = quiz_app(tmp_path, ROUND)
        assert snap_compare(app, run_before=round_played, terminal_size=(100, 30))

    def test_question_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        async def first_question(pilot: Pilot[None]) -> None:
            await question_on_screen(pilot, 0)

        app, _ = quiz_app(tmp_path, first_of(52, "tls12"))  # ClientKeyExchange for a suite
        assert snap_compare(app, run_before=first_question, terminal_size=(80, 24))

    def test_typed_question_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        async def first_question(pilot: Pilot[None]) -> None:
            await question_on_screen(pilot, 0)

        app, _ = quiz_app(tmp_path, first_of(30, "tcp"))  # an ack number, typed
        assert snap_compare(app, run_before=first_question, terminal_size=(80, 24))
