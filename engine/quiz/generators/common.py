"""What every generator shares: its registration, seeded shuffles, and the three forms.

A generator turns a seeded stream and the round's runs into one `Question`. It must read
every fact it states off a real run (`engine.quiz.runs`), never from a list of answers;
the wrong choices it offers are the mistakes a learner plausibly makes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.quiz.model import Form, Question
from engine.quiz.runs import Message, Run, RunCache
from engine.rng import SeededRandom

T = TypeVar("T")
MAX_ORDER_ITEMS = 6


@dataclass(frozen=True, slots=True)
class Generator:
    kind: str  # "tcp.ack-number"
    topics: tuple[str, ...]  # the round topics it serves
    make: Callable[[SeededRandom, RunCache], Question]


def shuffled(rng: SeededRandom, items: Sequence[T]) -> list[T]:
    """Fisher-Yates on the seeded stream."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = rng.randint(0, i)
        out[i], out[j] = out[j], out[i]
    return out


def pick(rng: SeededRandom, items: Sequence[T]) -> T:
    if not items:
        raise ValueError("nothing to pick from")
    return items[rng.randint(0, len(items) - 1)]


def run_seed(rng: SeededRandom) -> int:
    """The seed a question's run is played with, drawn from the question's stream."""
    return rng.randint(0, 2**31 - 1)


def choice(
    rng: SeededRandom, *, kind: str, topic: str, prompt: str, answer: str,
    distractors: Sequence[str], why: str, run: Run, context: Sequence[str] = (),
) -> Question:
    """A four-way multiple choice: the answer and three of `distractors` (earlier ones
    first: list the likeliest mistakes first), shown in a seeded order."""
    wrong: list[str] = []
    for text in distractors:
        if text != answer and text not in wrong:
            wrong.append(text)
    if len(wrong) < 3:
        raise ValueError(f"{kind}: fewer than three wrong choices for {answer!r}: {wrong}")
    options = shuffled(rng, [answer, *wrong[:3]])
    return Question(kind, topic, SKILLS[kind], Form.CHOICE, prompt, answer, why,
                    tuple(context), tuple(options), source=run.source, runs=(run.ref,))


def typed(
    *, kind: str, topic: str, prompt: str, answer: str, why: str, run: Run,
    context: Sequence[str] = (), accept: Sequence[str] = (), numeric: bool = False,
) -> Question:
    return Question(kind, topic, SKILLS[kind], Form.TYPED, prompt, answer, why, tuple(context),
                    accept=tuple(accept), numeric=numeric, source=run.source, runs=(run.ref,))


def ordering(
    rng: SeededRandom, *, kind: str, topic: str, prompt: str, items: Sequence[str], why: str,
    run: Run, context: Sequence[str] = (),
) -> Question:
    """Put `items` (given in their true order, all different) in order again."""
    if len(set(items)) != len(items) or len(items) < 3:
        raise ValueError(f"{kind}: an ordering needs three or more different items: {items}")
    shown = shuffled(rng, items)
    while shown == list(items):  # never already in order
        shown = shuffled(rng, items)
    order = tuple(shown.index(item) + 1 for item in items)
    return Question(kind, topic, SKILLS[kind], Form.ORDER, prompt, " → ".join(items), why,
                    tuple(context), tuple(shown), order=order, source=run.source, runs=(run.ref,))


def label(message: Message) -> str:
    """ "the server's SYN-ACK" style label, used in prompts and choices."""
    return f"{message.sender.value} {message.kind}"


def hide(summary: str, field: str) -> str:
    """The summary with one `name=value` replaced by `name=?`."""
    words = [f"{field}=?" if word.startswith(f"{field}=") else word for word in summary.split(" ")]
    return " ".join(words)


# What to review after a miss, per kind of question.
SKILLS = {
    "tcp.ack-number": "TCP: sequence and acknowledgement numbers",
    "tcp.next-message": "TCP: which segment comes next",
    "tcp.state": "TCP: the connection states (RFC 9293 §3.3.2)",
    "tcp.order": "TCP: the order of segments",
    "tls13.protection": "TLS 1.3: which key protects which message",
    "tls13.key-share": "TLS 1.3: where the key shares travel",
    "tls13.order": "TLS 1.3: the order of the handshake messages",
    "tls13.next-message": "TLS 1.3: which message comes next",
    "tls12.next-message": "TLS 1.2: which message comes next",
    "tls13.alert": "TLS 1.3: which alert a fault calls for",
    "tls12.protection": "TLS 1.2: which key protects which message",
    "tls12.cke": "TLS 1.2: ClientKeyExchange for each key exchange",
    "tls12.order": "TLS 1.2: the order of the handshake messages",
    "tls12.alert": "TLS 1.2: which alert a fault calls for",
    "tls12.first-encrypted": "TLS 1.2 vs 1.3: when encryption starts",
    "tls13.first-encrypted": "TLS 1.2 vs 1.3: when encryption starts",
    "tls12.only-in": "TLS 1.2 vs 1.3: which messages each version has",
    "tls13.only-in": "TLS 1.2 vs 1.3: which messages each version has",
}
