"""Instructors' question banks: a TOML file of fixed and templated questions, and the
round settings a class should use.

Read and reported exactly like levels (`engine.levels.source`): one problem per line,
`file:line: key.path: expected ..., found ...`. A templated question names a built-in
level (`run = "tcp-01-handshake-client"`); its `{client.SYN.seq}`-style placeholders are
filled from that level played on the engine with the round's seed. `load_bank` plays
each named run once (seed 1) so that a placeholder the run cannot fill is caught when
the bank is loaded, not in front of a class.

    title = "Week 3: the handshake"
    [round]
    questions = 5
    seconds_per_question = 30
    topic = "tcp"

    [[question]]
    topic = "tcp"
    form = "typed"
    numeric = true
    run = "tcp-01-handshake-client"
    prompt = "The client's SYN has seq={client.SYN.seq}. What ack does the SYN-ACK carry?"
    answer = "{server.SYN-ACK.ack}"
    why = "The SYN takes one sequence number: the ack is the SYN's seq + 1."
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.levels import load_builtin
from engine.levels.source import Problem, SourceError, TomlDocument, did_you_mean, read_document, validate
from engine.quiz.generators.common import shuffled
from engine.quiz.model import TOPIC_NAMES, TOPICS, Form, Question
from engine.quiz.runs import Message, Run, RunCache
from engine.referee import Side
from engine.rng import SeededRandom

MAX_BANK_BYTES = 256 * 1024
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDER_FORM = re.compile(r"^(client|server)\.([A-Za-z][A-Za-z-]*)\.([a-z_]+)$")
# Placeholder fields that are not byte-map fields.
SPECIAL_FIELDS = ("summary", "key", "state")


class QuizBankError(SourceError):
    """A bank that cannot be used: one `Problem` per mistake."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BankRound(_Strict):
    """How a round from this bank runs; command-line flags override it."""

    questions: Annotated[int, Field(ge=1, le=200)] | None = None
    minutes: Annotated[float, Field(gt=0, le=120)] | None = None
    seconds_per_question: Annotated[float, Field(ge=5, le=600)] | None = None
    topic: Literal["tcp", "tls12", "tls13", "all"] = "all"
    generated: bool = Field(default=True, description="Mix in generated questions too.")

    @model_validator(mode="after")
    def _one_length(self) -> BankRound:
        if self.questions is not None and self.minutes is not None:
            raise ValueError("give questions or minutes, not both")
        return self


class BankQuestion(_Strict):
    """One question: fixed, or templated from a run when `run` names a level."""

    topic: Literal["tcp", "tls12", "tls13"]
    form: Literal["choice", "typed", "order"]
    prompt: Annotated[str, Field(min_length=1)]
    answer: str | list[str] = Field(description="choice: the right choice's text; typed: the answer; "
                                                "order: the items, in the right order.")
    choices: list[str] = Field(default=[], description="choice: two to four options (the answer among them); "
                                                       "order: leave out.")
    accept: list[str] = Field(default=[], description="typed: other spellings that count as right.")
    numeric: bool = Field(default=False, description="typed: the answer is a whole number.")
    why: Annotated[str, Field(min_length=1)]
    skill: str = Field(default="", description="What a miss should send the student to review.")
    run: str | None = Field(default=None, description="A built-in level id: placeholders are filled from "
                                                      "its run with the round's seed.")

    @model_validator(mode="after")
    def _fits_its_form(self) -> BankQuestion:
        if self.form == "order":
            if not isinstance(self.answer, list) or len(self.answer) < 3 or len(set(self.answer)) != len(self.answer):
                raise ValueError("answer: expected three or more different items in the right order for form = \"order\"")
            if self.choices:
                raise ValueError("choices: an order question takes its items from answer; leave choices out")
            return self
        if isinstance(self.answer, list):
            raise ValueError(f"answer: expected text for form = {self.form!r}, found a list")
        if self.form == "choice":
            if not 2 <= len(self.choices) <= 4 or len(set(self.choices)) != len(self.choices):
                raise ValueError("choices: expected two to four different options for form = \"choice\"")
            if self.answer not in self.choices:
                raise ValueError(f"answer: expected one of the choices, found {self.answer!r}")
        elif self.choices:
            raise ValueError("choices: only a choice question has choices")
        if self.numeric and self.form == "typed" and not self.run and not re.fullmatch(r"\d+", self.answer):
            raise ValueError(f"answer: expected a whole number (numeric = true), found {self.answer!r}")
        return self

    def texts(self) -> list[str]:
        answers = self.answer if isinstance(self.answer, list) else [self.answer]
        return [self.prompt, self.why, *answers, *self.choices, *self.accept]


class Bank(_Strict):
    title: Annotated[str, Field(min_length=1, max_length=80)]
    round: BankRound = BankRound()
    question: list[BankQuestion] = Field(min_length=1)


def load_bank(path: Path, *, check_runs: bool = True) -> tuple[Bank, str]:
    """The bank in `path` and its file name; raises QuizBankError listing every problem."""
    try:
        document = read_document(path, max_bytes=MAX_BANK_BYTES, what="a quiz bank")
        bank = validate(Bank, document)
    except SourceError as error:
        raise QuizBankError(error.issues) from None
    problems = _placeholder_problems(bank, document)
    if check_runs:
        broken = {issue.path[1] for issue in problems if len(issue.path) > 1}
        problems += _run_problems(bank, document, skip=broken)
    if problems:
        raise QuizBankError(problems)
    return bank, document.name


def _placeholder_problems(bank: Bank, document: TomlDocument) -> list[Problem]:
    known = [level.id for level in load_builtin().levels]
    problems: list[Problem] = []
    for index, entry in enumerate(bank.question):
        where = ("question", index)
        if entry.run is not None and entry.run not in known:
            problems.append(document.problem((*where, "run"), f"expected a built-in level id, found "
                                             f"{entry.run!r}{did_you_mean(entry.run, known)}"))
        for text in entry.texts():
            for name in PLACEHOLDER.findall(text):
                if entry.run is None:
                    problems.append(document.problem(where, f"{{{name}}} is a placeholder, but the question "
                                                            "has no run = \"level-id\" to fill it from"))
                elif not PLACEHOLDER_FORM.match(name):
                    problems.append(document.problem(where, f"expected a placeholder like {{client.SYN.seq}} "
                                                            f"(side.Message.field), found {{{name}}}"))
    return problems


def _run_problems(bank: Bank, document: TomlDocument, skip: set[str | int]) -> list[Problem]:
    runs = RunCache()
    problems: list[Problem] = []
    for index, entry in enumerate(bank.question):
        if entry.run is None or index in skip:
            continue
        run = runs.get(entry.run, 1)
        for name in dict.fromkeys(n for text in entry.texts() for n in PLACEHOLDER.findall(text)):
            try:
                _value(run, name, document.name, index)
            except QuizBankError as error:
                problems += [document.problem(("question", index), issue.message) for issue in error.issues]
    return problems


def question_from(entry: BankQuestion, index: int, run: Run | None, name: str,
                  rng: SeededRandom | None = None) -> Question:
    """The bank entry as a question, its placeholders filled from `run`. An order question's
    items are shown in a seeded shuffle (`rng`; without one, reversed); choices stay in
    the author's order."""
    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda match: _value(run, match.group(1), name, index), text) if run else text

    kind = f"bank.{index + 1}"
    skill = entry.skill or f"{TOPIC_NAMES[entry.topic]}: your instructor's question {index + 1}"
    source = f"{name}, question {index + 1}" + (f", run {run.source}" if run else "")
    runs = (run.ref,) if run else ()
    form = Form(entry.form)
    if form is Form.ORDER:
        items = [fill(item) for item in entry.answer]
        shown = shuffled(rng, items) if rng is not None else items[::-1]
        if shown == items:
            shown = shown[1:] + shown[:1]
        return Question(kind, entry.topic, skill, form, fill(entry.prompt), " → ".join(items), fill(entry.why),
                        choices=tuple(shown), order=tuple(shown.index(item) + 1 for item in items), source=source,
                        runs=runs)
    answer = fill(str(entry.answer))
    return Question(kind, entry.topic, skill, form, fill(entry.prompt), answer, fill(entry.why),
                    choices=tuple(fill(c) for c in entry.choices), accept=tuple(fill(a) for a in entry.accept),
                    numeric=entry.numeric, source=source, runs=runs)


def _value(run: Run, name: str, file: str, index: int) -> str:
    match = PLACEHOLDER_FORM.match(name)
    if match is None:
        raise QuizBankError([Problem(file, f"cannot fill {{{name}}}", ("question", index))])
    side, kind, field = Side(match.group(1)), match.group(2), match.group(3)
    try:
        message = run.find(kind, side)
    except KeyError:
        sent = ", ".join(dict.fromkeys(run.kinds(side))) or "nothing"
        raise QuizBankError([Problem(file, f"{{{name}}}: the run of {run.level_id} has no {side.value} {kind}; "
                                           f"the {side.value} sends {sent}", ("question", index))]) from None
    return _field(message, field, name, file, index)


def _field(message: Message, field: str, name: str, file: str, index: int) -> str:
    if field == "summary":
        return message.summary
    if field == "key":
        return message.protected_by or "none"
    if field == "state":
        return message.states[message.sender]
    paths = [path for path in message.fields if path.split(".")[-1] == field]
    if not paths:
        fields = sorted({path.split(".")[-1] for path in message.fields if "[" not in path} | set(SPECIAL_FIELDS))
        raise QuizBankError([Problem(file, f"{{{name}}}: expected a field of {message.kind} "
                                           f"({', '.join(fields)}), found {field!r}{did_you_mean(field, fields)}",
                                     ("question", index))])
    return message.fields[min(paths, key=len)].split(" (")[0]


def bank_topics(bank: Bank) -> tuple[str, ...]:
    return TOPICS if bank.round.topic == "all" else (bank.round.topic,)
