"""The questions of a round, in order: the same settings give the same questions.

Generators (and the bank's questions) take turns in a seeded shuffle that is dealt again
each time it runs out; question n draws everything from its own stream
(`SeededRandom(seed, "question/n")`), so asking for question 7 first gives the same
question 7 as asking for 0 to 7 in order. Questions are made on demand (each may play a
handshake) and kept; a lock makes a background prefetch safe.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from engine.quiz.bank import Bank, BankQuestion, question_from
from engine.quiz.generators import GENERATORS
from engine.quiz.generators.common import run_seed, shuffled
from engine.quiz.model import Question, RoundSettings
from engine.quiz.runs import RunCache
from engine.rng import SeededRandom


class QuizError(Exception):
    """A round that cannot be made (e.g. a bank question its run cannot fill)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """One thing that makes questions: a generator, or a bank question."""

    name: str
    make: Callable[[SeededRandom, RunCache], Question]


class QuestionSource:
    def __init__(self, settings: RoundSettings, bank: Bank | None = None, bank_name: str = "") -> None:
        self.settings = settings
        self.runs = RunCache()
        self._made: dict[int, Question] = {}
        self._lock = threading.Lock()
        self._entries = self._entries_for(settings, bank, bank_name)
        if not self._entries:
            raise QuizError("no questions for these topics")

    @staticmethod
    def _entries_for(settings: RoundSettings, bank: Bank | None, bank_name: str) -> list[_Entry]:
        entries: list[_Entry] = []
        if not settings.bank_only:
            entries += [_Entry(g.kind, g.make) for g in GENERATORS if set(g.topics) & set(settings.topics)]
        if bank is not None:
            entries += [_Entry(f"bank.{i + 1}", _bank_maker(entry, i, bank_name))
                        for i, entry in enumerate(bank.question) if entry.topic in settings.topics]
        return entries

    def question(self, number: int) -> Question:
        """Question `number` (from 0) of the round."""
        with self._lock:
            if number not in self._made:
                entry = self._deal(number)
                try:
                    self._made[number] = entry.make(SeededRandom(self.settings.seed, f"question/{number}"), self.runs)
                except QuizError:
                    raise
                except Exception as error:  # a generator's bug must not end the program with a traceback
                    raise QuizError(f"question {number + 1} ({entry.name}) could not be made: "
                                    f"{type(error).__name__}: {error}") from error
            return self._made[number]

    def _deal(self, number: int) -> _Entry:
        size = len(self._entries)
        deal = shuffled(SeededRandom(self.settings.seed, f"deal/{number // size}"), self._entries)
        return deal[number % size]


def _bank_maker(entry: BankQuestion, index: int, bank_name: str) -> Callable[[SeededRandom, RunCache], Question]:
    def make(rng: SeededRandom, runs: RunCache) -> Question:
        from engine.quiz.bank import QuizBankError

        run = runs.get(entry.run, run_seed(rng)) if entry.run else None
        try:
            return question_from(entry, index, run, bank_name, rng)
        except QuizBankError as error:
            raise QuizError("; ".join(error.problems)) from None

    return make
