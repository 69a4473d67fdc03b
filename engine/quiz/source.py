"""The questions of a round, in order: the same settings give the same questions.

The round's topics (and the bank, as one more group) take turns in a seeded shuffle dealt
again each time it runs out, so an "all topics" round is a fair mix; within a group the
generators (or the bank's questions) take turns the same way. Question n draws everything
from its own stream (`SeededRandom(seed, "question/n")`), so asking for question 7 first
gives the same question 7 as asking for 0 to 7 in order. Questions are made on demand (each may play a
handshake) and kept; a lock makes a background prefetch safe.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from engine.quiz.bank import Bank, BankQuestion, QuizBankError, question_from
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
    def __init__(self, settings: RoundSettings, bank: Bank | None = None, bank_name: str = "",
                 lock: AbstractContextManager[object] | None = None) -> None:
        """`lock`: held while a question is made, for a caller that makes them from more
        than one thread (the app's worker prefetches); none is needed otherwise."""
        self.settings = settings
        self.runs = RunCache()
        self._made: dict[int, Question] = {}
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self._groups = self._groups_for(settings, bank, bank_name)
        if not self._groups:
            raise QuizError("no questions for these topics")

    @staticmethod
    def _groups_for(settings: RoundSettings, bank: Bank | None, bank_name: str) -> dict[str, list[_Entry]]:
        groups: dict[str, list[_Entry]] = {}
        if not settings.bank_only:
            for topic in settings.topics:
                entries = [_Entry(g.kind, g.make) for g in GENERATORS if topic in g.topics]
                if entries:
                    groups[topic] = entries
        if bank is not None:
            entries = [_Entry(f"bank.{i + 1}", _bank_maker(entry, i, bank_name))
                       for i, entry in enumerate(bank.question) if entry.topic in settings.topics]
            if entries:
                groups["bank"] = entries
        return groups

    def question(self, number: int) -> Question:
        """Question `number` (from 0) of the round."""
        made = self._made.get(number)  # a question already made never waits for one being made
        if made is not None:
            return made
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

    def _group_of(self, number: int) -> str:
        names = list(self._groups)
        deal = shuffled(SeededRandom(self.settings.seed, f"deal/groups/{number // len(names)}"), names)
        return deal[number % len(names)]

    def _deal(self, number: int) -> _Entry:
        group = self._group_of(number)
        turn = sum(self._group_of(earlier) == group for earlier in range(number))
        entries = self._groups[group]
        deal = shuffled(SeededRandom(self.settings.seed, f"deal/{group}/{turn // len(entries)}"), entries)
        return deal[turn % len(entries)]


def _bank_maker(entry: BankQuestion, index: int, bank_name: str) -> Callable[[SeededRandom, RunCache], Question]:
    def make(rng: SeededRandom, runs: RunCache) -> Question:
        run = runs.get(entry.run, run_seed(rng)) if entry.run else None
        try:
            return question_from(entry, index, run, bank_name, rng)
        except QuizBankError as error:
            raise QuizError("; ".join(error.problems)) from None

    return make
