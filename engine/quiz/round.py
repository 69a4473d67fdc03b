"""A timed round: the questions one at a time, the countdowns, the score and the result.

The clock is injected (seconds, monotonic), so tests freeze it. There are two kinds of
countdown: one for the whole round (`round_seconds`), one per question
(`question_seconds`); a round can have either or both. `tick()` is what a UI calls
often: it times out the question or ends the round when their time is up.

Scoring: 100 points for a right answer, plus a streak bonus of 20 for each right answer
in a row before it (at most 100); a wrong answer or a time-out ends the streak.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.quiz.model import TOPIC_NAMES, Answer, Question, RoundSettings
from engine.quiz.source import QuestionSource

POINTS = 100
STREAK_STEP = 20
STREAK_CAP = 100
MAX_TIMED_QUESTIONS = 200  # a round by minutes stops here even if time is left


def points_for(streak: int) -> int:
    """The points of a right answer that makes a streak of `streak`."""
    return POINTS + min(STREAK_CAP, STREAK_STEP * (streak - 1))


@dataclass(frozen=True, slots=True)
class RoundResult:
    settings: RoundSettings
    answers: tuple[Answer, ...]
    seconds: float
    ended_by: str  # "questions" (all answered), "time" (the round's clock ran out)

    @property
    def score(self) -> int:
        return sum(answer.points for answer in self.answers)

    @property
    def correct(self) -> int:
        return sum(answer.correct for answer in self.answers)

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.answers) if self.answers else 0.0

    @property
    def mean_seconds(self) -> float:
        return sum(a.seconds for a in self.answers) / len(self.answers) if self.answers else 0.0

    @property
    def best_streak(self) -> int:
        return max((a.streak for a in self.answers), default=0)

    def review(self) -> list[tuple[str, int]]:
        """The skills behind the missed questions, most missed first."""
        misses = Counter(a.question.skill for a in self.answers if not a.correct)
        return misses.most_common()

    def by_topic(self) -> dict[str, tuple[int, int]]:
        """Topic name → (right, asked)."""
        table: dict[str, tuple[int, int]] = {}
        for answer in self.answers:
            name = TOPIC_NAMES.get(answer.question.topic, answer.question.topic)
            right, asked = table.get(name, (0, 0))
            table[name] = (right + answer.correct, asked + 1)
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "synack-quiz-result/1",
            "settings": self.settings.to_json(),
            "score": self.score,
            "correct": self.correct,
            "asked": len(self.answers),
            "accuracy": round(self.accuracy, 4),
            "seconds": round(self.seconds, 2),
            "ended_by": self.ended_by,
            "best_streak": self.best_streak,
            "review": [skill for skill, _ in self.review()],
            "answers": [answer.to_json() for answer in self.answers],
        }


@dataclass
class QuizRound:
    settings: RoundSettings
    source: QuestionSource
    clock: Callable[[], float] = time.monotonic
    answers: list[Answer] = field(default_factory=list)
    started: float | None = None
    question_started: float = 0.0
    ended: float | None = None
    ended_by: str = ""
    waiting: bool = False  # an answer was given; the next question has not been shown yet

    def start(self) -> Question:
        self.started = self.question_started = self.clock()
        return self.current

    @property
    def number(self) -> int:
        """The current question's number, from 0."""
        return len(self.answers) - (1 if self.waiting else 0)

    @property
    def current(self) -> Question:
        return self.source.question(self.number)

    @property
    def finished(self) -> bool:
        return self.ended is not None

    @property
    def streak(self) -> int:
        return self.answers[-1].streak if self.answers else 0

    @property
    def score(self) -> int:
        return sum(answer.points for answer in self.answers)

    @property
    def total(self) -> int | None:
        """How many questions the round has (None: as many as the time allows)."""
        return self.settings.questions

    def round_left(self) -> float | None:
        if self.settings.round_seconds is None or self.started is None:
            return None
        end = self.ended if self.ended is not None else self.clock()
        return max(0.0, self.settings.round_seconds - (end - self.started))

    def question_left(self) -> float | None:
        if self.settings.question_seconds is None or self.waiting or self.finished:
            return None
        return max(0.0, self.settings.question_seconds - (self.clock() - self.question_started))

    def answer(self, response: str) -> Answer:
        """Grade `response` to the current question and count it."""
        return self._count(response, self.current.grade(response))

    def tick(self) -> Answer | None:
        """Time the round: the answer recorded for a question whose time ran out, if any.
        Ends the round when its own clock has run out."""
        if self.finished:
            return None
        left = self.round_left()
        if left is not None and left <= 0:
            self._end("time")
            return None
        question_left = self.question_left()
        if question_left is not None and question_left <= 0:
            return self._count(None, False)
        return None

    def next(self) -> Question | None:
        """Move on from the feedback: the next question, or None when the round is over."""
        self.waiting = False
        if self.finished:
            return None
        total = self.total if self.total is not None else MAX_TIMED_QUESTIONS
        if len(self.answers) >= total:
            self._end("questions")
            return None
        left = self.round_left()
        if left is not None and left <= 0:
            self._end("time")
            return None
        self.question_started = self.clock()
        return self.current

    def stop(self) -> None:
        """End the round now (the player gave up); the answers so far count."""
        if not self.finished:
            self._end("stopped")

    def result(self) -> RoundResult:
        end = self.ended if self.ended is not None else self.clock()
        return RoundResult(self.settings, tuple(self.answers), end - (self.started or end), self.ended_by or "running")

    def _count(self, response: str | None, correct: bool) -> Answer:
        if self.waiting or self.finished:
            raise RuntimeError("no question is waiting for an answer")
        question = self.current
        streak = self.streak + 1 if correct else 0
        answer = Answer(question, response, correct, self.clock() - self.question_started,
                        points_for(streak) if correct else 0, streak)
        self.answers.append(answer)
        self.waiting = True
        return answer

    def _end(self, why: str) -> None:
        self.ended = self.clock()
        self.ended_by = why
