"""A quiz question and how an answer to it is graded.

Three forms: multiple choice (the player presses 1-4), typed (a number or a name, matched
forgivingly: case, spaces, hyphens and underscores do not count, nor do thousands
separators in numbers), and ordering (the player types the items' numbers in order,
e.g. "3142").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

TOPICS = ("tcp", "tls12", "tls13")
TOPIC_NAMES = {"tcp": "TCP", "tls12": "TLS 1.2", "tls13": "TLS 1.3"}


class Form(enum.Enum):
    CHOICE = "choice"
    TYPED = "typed"
    ORDER = "order"


@dataclass(frozen=True, slots=True)
class Question:
    """One question, with its answer key and where its facts came from.

    For CHOICE, `choices` are the options as shown (1-based keys) and `answer` is the text
    of the right one. For TYPED, `answer` is the canonical answer and `accept` other
    spellings that count. For ORDER, `choices` are the items as shown and `order` the
    right sequence of their 1-based numbers.
    """

    kind: str  # the generator or bank entry: "tcp.ack-number"
    topic: str  # one of TOPICS
    skill: str  # what a miss says to review: "TCP sequence and acknowledgement numbers"
    form: Form
    prompt: str
    answer: str
    why: str  # one line: why that is the answer
    context: tuple[str, ...] = ()  # the run so far, one line per message, shown above the prompt
    choices: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    order: tuple[int, ...] = ()
    numeric: bool = False  # TYPED: the answer is a whole number
    source: str = ""  # "tcp-01-handshake-client, seed 1234" (or the bank file)
    runs: tuple[tuple[str, int, tuple[tuple[str, Any], ...]], ...] = ()  # (level id, seed, changes) read

    @property
    def key(self) -> str:
        """The answer as the player would enter it: "2" for a choice, "3142" for an order."""
        if self.form is Form.CHOICE:
            return str(self.choices.index(self.answer) + 1)
        if self.form is Form.ORDER:
            return "".join(str(n) for n in self.order)
        return self.answer

    @property
    def answer_text(self) -> str:
        """The right answer in words, for feedback and the answer key."""
        if self.form is Form.CHOICE:
            return f"{self.key}. {self.answer}"
        if self.form is Form.ORDER:
            return f"{self.key}: " + " → ".join(self.choices[n - 1] for n in self.order)
        return self.answer

    def grade(self, response: str) -> bool:
        """Whether `response` (as typed or pressed) is right."""
        if self.form is Form.CHOICE:
            text = response.strip()
            if text.isdigit():
                return text == self.key
            return fold(text) == fold(self.answer)
        if self.form is Form.ORDER:
            return tuple(int(d) for d in re.findall(r"\d", response)) == self.order
        if self.numeric:
            number = parse_number(response)
            return number is not None and number == parse_number(self.answer)
        return fold(response) in {fold(text) for text in (self.answer, *self.accept)}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind, "topic": self.topic, "skill": self.skill, "form": self.form.value,
            "prompt": self.prompt, "context": list(self.context), "answer": self.answer,
            "key": self.key, "why": self.why, "source": self.source,
        }
        if self.choices:
            data["choices"] = list(self.choices)
        if self.accept:
            data["accept"] = list(self.accept)
        if self.form is Form.TYPED:
            data["numeric"] = self.numeric
        return data


def fold(text: str) -> str:
    """Case, spaces, hyphens, underscores and a trailing full stop do not count."""
    return re.sub(r"[\s_\-]+", "", text.strip().rstrip(".").lower())


def parse_number(text: str) -> int | None:
    """'1,234', '1 234', '0x4d2' → 1234; anything else → None."""
    cleaned = re.sub(r"[\s,_']", "", text.strip())
    try:
        return int(cleaned, 16) if cleaned.lower().startswith("0x") else int(cleaned)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Answer:
    """What the player did with one question."""

    question: Question
    response: str | None  # None: the time ran out
    correct: bool
    seconds: float
    points: int  # points this answer earned, streak bonus included
    streak: int  # right answers in a row, this one included (0 after a miss)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question.to_json(), "response": self.response, "correct": self.correct,
            "timed_out": self.response is None, "seconds": round(self.seconds, 2),
            "points": self.points, "streak": self.streak,
        }


@dataclass(frozen=True, slots=True)
class RoundSettings:
    """How a round runs: how many questions or how long, which topics, which seed."""

    seed: int
    topics: tuple[str, ...] = TOPICS
    questions: int | None = None  # None: as many as the time allows
    round_seconds: float | None = None  # a countdown for the whole round
    question_seconds: float | None = None  # a countdown per question
    bank: str | None = None  # the bank file, if any
    bank_only: bool = False  # only the bank's questions, none generated
    title: str = ""

    @property
    def mode(self) -> str:
        """A name for the personal-best table: rounds of the same mode compete."""
        if self.round_seconds is not None:
            size = f"{self.round_seconds / 60:g} min"
        else:
            size = f"{self.questions} question{'s' if self.questions != 1 else ''}"
        topics = "all" if set(self.topics) == set(TOPICS) else "+".join(self.topics)
        bank = f" · {self.title or self.bank}" if self.bank else ""
        return f"{size} · {topics}{bank}"

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed, "topics": list(self.topics), "questions": self.questions,
            "round_seconds": self.round_seconds, "question_seconds": self.question_seconds,
            "bank": self.bank, "mode": self.mode,
        }

