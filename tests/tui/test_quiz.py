"""The quiz in the app, driven by key presses on a frozen clock that the test moves."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from typing import Any
from pathlib import Path

from textual.pilot import Pilot

from engine.quiz import Form, Question, RoundSettings
from tests.tui.driving import type_text
from tui.quiz_records import FILE_NAME
from tui.screens.menu import MainMenu
from tui.screens.quiz import QuizScreen
from tui.screens.quiz_app import QuizApp
from tui.screens.quiz_results import QuizResultsScreen


def played(test: Callable[[Path], Coroutine[Any, Any, None]]) -> Callable[[Path], None]:
    """Run an async pilot test (the suite runs them with asyncio.run, no plugin)."""

    @functools.wraps(test)
    def run(tmp_path: Path) -> None:
        asyncio.run(test(tmp_path))

    return run


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def quiz_app(tmp_path: Path, settings: RoundSettings, export: Path | None = None) -> tuple[QuizApp, Clock]:
    clock = Clock()
    return QuizApp(settings, export=export, data_dir=tmp_path / "data", clock=clock), clock


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def quiz_screen(pilot: Pilot[None]) -> QuizScreen:
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen), screen
    return screen


async def question_on_screen(pilot: Pilot[None], number: int) -> Question:
    """Wait for question `number` (from 0) to be shown and waiting for an answer."""
    await until(pilot, lambda: isinstance(pilot.app.screen, QuizScreen) and quiz_screen(pilot).round is not None
                and quiz_screen(pilot).round.started is not None  # type: ignore[union-attr]
                and quiz_screen(pilot).feedback is None and quiz_screen(pilot).round.number == number,  # type: ignore[union-attr]
                f"question {number + 1}")
    round_ = quiz_screen(pilot).round
    assert round_ is not None
    return round_.current


async def answer(pilot: Pilot[None], question: Question, text: str) -> None:
    if question.form is Form.CHOICE:
        await pilot.press(text)
    else:
        await type_text(pilot, text)
        await pilot.press("enter")
    await pilot.pause()


def wrong_answer(question: Question) -> str:
    if question.form is Form.CHOICE:
        return next(key for key in "1234" if key != question.key)
    if question.form is Form.ORDER:
        return "".join(str(n) for n in range(1, len(question.choices) + 1))
    return "12345" if not question.numeric or question.answer != "12345" else "54321"


def feedback_text(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#quiz-feedback").render())


def left_in_data_dir(tmp_path: Path) -> list[str]:
    directory = tmp_path / "data"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


TCP_ROUND = RoundSettings(seed=31, topics=("tcp",), questions=3, question_seconds=30)


@played
async def test_a_full_round_with_a_time_out(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    app, clock = quiz_app(tmp_path, TCP_ROUND, export)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await question_on_screen(pilot, 0)
        await answer(pilot, first, first.key)
        assert "✓ Right! +100" in feedback_text(pilot) and first.why[:40] in feedback_text(pilot)
        await pilot.press("enter")

        second = await question_on_screen(pilot, 1)
        clock.now += 29
        quiz_screen(pilot).tick()
        assert quiz_screen(pilot).feedback is None  # one second left
        assert "00:01 left for this question" in str(pilot.app.screen.query_one("#quiz-header").render())
        clock.now += 1
        await pilot.pause(0.3)  # the screen's own timer notices
        assert "✗ Time's up." in feedback_text(pilot) and second.answer_text[:30] in feedback_text(pilot)
        await pilot.press("enter")

        third = await question_on_screen(pilot, 2)
        await answer(pilot, third, wrong_answer(third))
        assert "✗ Wrong. The answer: " + third.answer_text in feedback_text(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuizResultsScreen), "the results")

        result = pilot.app.screen.result  # type: ignore[attr-defined]
        assert [(a.correct, a.response is None) for a in result.answers] == [(True, False), (False, True), (False, False)]
        assert result.score == 100 and result.ended_by == "questions"
        assert [a.seconds for a in result.answers] == [0.0, 30.0, 0.0]
        body = pilot.app.screen.query_one("#results-summary").render()
        assert "Score 100" in str(body) and "1 of 3 right (33%)" in str(body)
        review = str(pilot.app.screen.query_one("#results-review").render())
        assert second.skill in review and third.skill in review

    document = json.loads(export.read_text(encoding="utf-8"))
    assert document["settings"]["seed"] == 31 and document["score"] == 100
    assert [a["timed_out"] for a in document["answers"]] == [False, True, False]
    assert document["answers"][0]["response"] == first.key
    bests = json.loads((tmp_path / "data" / FILE_NAME).read_text(encoding="utf-8"))
    assert bests["modes"]["3 questions · tcp"][0]["score"] == 100
    assert left_in_data_dir(tmp_path) == [FILE_NAME]  # no temporary file left behind


@played
async def test_the_round_ends_when_its_clock_runs_out(tmp_path: Path) -> None:
    app, clock = quiz_app(tmp_path, RoundSettings(seed=4, topics=("tcp",), round_seconds=60))
    async with app.run_test(size=(100, 30)) as pilot:
        first = await question_on_screen(pilot, 0)
        assert "01:00 left in the round" in str(pilot.app.screen.query_one("#quiz-header").render())
        await answer(pilot, first, first.key)
        await pilot.press("enter")
        await question_on_screen(pilot, 1)
        clock.now += 61
        await until(pilot, lambda: isinstance(pilot.app.screen, QuizResultsScreen), "the results")
        result = pilot.app.screen.result  # type: ignore[attr-defined]
        assert result.ended_by == "time" and len(result.answers) == 1 and result.score == 100
        assert "time ran out" in str(pilot.app.screen.query_one("#results-summary").render())


@played
async def test_quitting_mid_round_writes_nothing(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    app, _ = quiz_app(tmp_path, TCP_ROUND, export)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await question_on_screen(pilot, 0)
        await answer(pilot, first, first.key)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainMenu)
    assert not export.exists()
    assert FILE_NAME not in left_in_data_dir(tmp_path)
    assert not [name for name in left_in_data_dir(tmp_path) if name.endswith(".tmp")]


@played
async def test_leaving_while_a_question_is_being_made(tmp_path: Path) -> None:
    app, _ = quiz_app(tmp_path, RoundSettings(seed=1, topics=("tls12",), questions=2, question_seconds=30))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")  # at once: the worker is still playing a TLS handshake
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainMenu)
        await pilot.pause(1.0)  # the worker ends after the screen has gone: nothing breaks
        assert isinstance(pilot.app.screen, MainMenu)
    assert left_in_data_dir(tmp_path) == []


@played
async def test_a_resize_mid_round_loses_nothing(tmp_path: Path) -> None:
    app, _ = quiz_app(tmp_path, TCP_ROUND)
    async with app.run_test(size=(100, 30)) as pilot:
        first = await question_on_screen(pilot, 0)
        await pilot.resize_terminal(60, 18)
        await pilot.pause()
        await answer(pilot, first, first.key)
        await pilot.resize_terminal(140, 45)
        await pilot.pause()
        assert "✓ Right!" in feedback_text(pilot)
        await pilot.press("enter")
        second = await question_on_screen(pilot, 1)
        await pilot.resize_terminal(80, 24)
        await answer(pilot, second, second.key)
        round_ = quiz_screen(pilot).round
        assert round_ is not None and [a.correct for a in round_.answers] == [True, True] and round_.score == 220


@played
async def test_a_damaged_bests_file_is_moved_aside_and_reported(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / FILE_NAME).write_text("{not json", encoding="utf-8")
    app, _ = quiz_app(tmp_path, RoundSettings(seed=2, topics=("tcp",), questions=1, question_seconds=30))
    async with app.run_test(size=(100, 30)) as pilot:
        only = await question_on_screen(pilot, 0)
        await answer(pilot, only, only.key)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, QuizResultsScreen), "the results")
        notices = str(pilot.app.screen.query_one("#results-notices").render())
        assert "damaged" in notices and "moved to quiz-bests.json.corrupt-" in notices
    names = left_in_data_dir(tmp_path)
    assert FILE_NAME in names and any(name.startswith(f"{FILE_NAME}.corrupt-") for name in names)
    assert json.loads((tmp_path / "data" / FILE_NAME).read_text(encoding="utf-8"))["version"] == 1


@played
async def test_the_main_menu_opens_a_quiz(tmp_path: Path) -> None:
    from tui.app import SynackApp
    from tui.screens.quiz_setup import QuizSetupScreen

    app = SynackApp(seed=5, data_dir=tmp_path, clock=Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(pilot.app.screen, QuizSetupScreen)
        await pilot.press("down", "enter")  # "10 questions · 30 s each · all topics"
        first = await question_on_screen(pilot, 0)
        assert quiz_screen(pilot).settings.questions == 10 and quiz_screen(pilot).settings.seed == 5
        assert first.prompt in str(pilot.app.screen.query_one("#quiz-prompt").render())
        await pilot.press("escape")  # q would be typed into an answer box; escape always leaves
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainMenu)
