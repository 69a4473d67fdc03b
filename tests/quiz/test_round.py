"""A round on a frozen clock: countdowns, time-outs, the end, and the score."""

from __future__ import annotations

import pytest

from engine.quiz import QuestionSource, QuizRound, RoundSettings, points_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(settings: RoundSettings) -> tuple[QuizRound, Clock]:
    clock = Clock()
    return QuizRound(settings, QuestionSource(settings), clock), clock


def test_streak_bonus_grows_and_is_capped() -> None:
    assert [points_for(n) for n in (1, 2, 3, 6, 7, 20)] == [100, 120, 140, 200, 200, 200]


def test_right_answers_build_a_streak_and_a_miss_ends_it() -> None:
    quiz, clock = make(RoundSettings(seed=5, topics=("tcp",), questions=4))
    quiz.start()
    first = quiz.answer(quiz.current.key)
    assert (first.correct, first.points, first.streak) == (True, 100, 1)
    assert quiz.next() is not None
    second = quiz.answer(quiz.current.key)
    assert (second.points, second.streak) == (120, 2)
    quiz.next()
    wrong = "nonsense" if quiz.current.form.value == "typed" else ("9" if quiz.current.form.value == "choice" else "0")
    third = quiz.answer(wrong)
    assert (third.correct, third.points, third.streak) == (False, 0, 0)
    assert quiz.score == 220


def test_a_question_times_out_on_its_own_countdown() -> None:
    quiz, clock = make(RoundSettings(seed=5, topics=("tcp",), questions=2, question_seconds=30))
    quiz.start()
    clock.now += 29.5
    assert quiz.tick() is None and quiz.question_left() == pytest.approx(0.5)
    clock.now += 0.5
    timed_out = quiz.tick()
    assert timed_out is not None and timed_out.response is None and not timed_out.correct
    assert timed_out.seconds == pytest.approx(30.0)
    assert quiz.question_left() is None  # the feedback is not timed
    clock.now += 100
    assert quiz.tick() is None and quiz.next() is not None
    assert quiz.question_left() == pytest.approx(30.0)  # the next question's countdown starts when shown
    quiz.answer(quiz.current.key)
    assert quiz.next() is None and quiz.finished
    result = quiz.result()
    assert (result.ended_by, result.correct, len(result.answers)) == ("questions", 1, 2)


def test_the_round_ends_when_its_clock_runs_out() -> None:
    quiz, clock = make(RoundSettings(seed=5, topics=("tcp",), round_seconds=60))
    quiz.start()
    quiz.answer(quiz.current.key)
    clock.now += 20
    quiz.next()
    clock.now += 40
    assert quiz.round_left() == 0
    assert quiz.tick() is None and quiz.finished
    result = quiz.result()
    assert result.ended_by == "time" and len(result.answers) == 1 and result.seconds == pytest.approx(60)
    with pytest.raises(RuntimeError):
        quiz.answer("1")


def test_results_say_what_to_review() -> None:
    quiz, clock = make(RoundSettings(seed=5, topics=("tcp",), questions=3))
    quiz.start()
    missed = quiz.current
    quiz.answer("definitely wrong 0")
    quiz.next()
    quiz.answer(quiz.current.key)
    quiz.next()
    quiz.answer(quiz.current.key)
    assert quiz.next() is None
    result = quiz.result()
    assert result.review() == [(missed.skill, 1)]
    assert result.accuracy == pytest.approx(2 / 3)
    document = result.to_json()
    assert document["settings"]["seed"] == 5
    assert [a["correct"] for a in document["answers"]] == [False, True, True]
    assert document["score"] == 220 and document["review"] == [missed.skill]
