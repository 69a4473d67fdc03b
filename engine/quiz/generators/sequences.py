"""Questions about the order of things, for any protocol: what comes next, and putting
a stretch of a real run back in order."""

from __future__ import annotations

from engine.quiz.generators.common import MAX_ORDER_ITEMS, choice, label, ordering, pick, run_seed, shuffled
from engine.quiz.model import Question
from engine.quiz.runs import Message, Run, RunCache
from engine.rng import SeededRandom

# Messages that are not part of the handshake proper: left out of orderings.
NOT_HANDSHAKE = {"ApplicationData", "Alert", "DATA", "ChangeCipherSpec"}


def order_question(rng: SeededRandom, runs: RunCache, *, kind: str, topic: str, levels: tuple[str, ...],
                   what: str) -> Question:
    """A window of 3 to 6 consecutive messages of a real run, shuffled."""
    run = runs.get(pick(rng, levels), run_seed(rng))
    windows = _windows(run)
    start, end = pick(rng, windows)
    chosen = run.messages[start:end]
    items = [label(m) for m in chosen]
    before = [m.line for m in run.messages[:start]]
    why = (f"In this run ({run.source}) they went out as: " + ", ".join(items) + ". "
           + _reason(chosen))
    return ordering(rng, kind=kind, topic=topic, run=run, items=items, why=why, context=before,
                    prompt=f"Put these {what} in the order they go on the wire (type their numbers, "
                           "first to last).")


def _windows(run: Run) -> list[tuple[int, int]]:
    """[start, end) ranges of handshake messages with different labels, longest first."""
    found: list[tuple[int, int]] = []
    messages = run.messages
    for start in range(len(messages)):
        end = start
        seen: set[str] = set()
        while (end < len(messages) and end - start < MAX_ORDER_ITEMS and messages[end].kind not in NOT_HANDSHAKE
               and label(messages[end]) not in seen):
            seen.add(label(messages[end]))
            end += 1
        if end - start >= 4 or (end - start >= 3 and not found):
            found.append((start, end))
    if not found:
        raise ValueError(f"{run.source}: no stretch of three different messages to order")
    return found


def _reason(chosen: tuple[Message, ...]) -> str:
    senders = {m.sender for m in chosen}
    if len(senders) == 1:
        return f"The {chosen[0].sender.value} sends them as one flight, each building on the one before."
    return "Each side answers only what it has received: the order follows the round trips."


def next_question(rng: SeededRandom, runs: RunCache, *, kind: str, topic: str, levels: tuple[str, ...],
                  vocabulary: tuple[str, ...]) -> Question:
    """The run up to a message; which message, from which side, comes next."""
    run = runs.get(pick(rng, levels), run_seed(rng))
    at = rng.randint(1, len(run.messages) - 1)
    upcoming = run.messages[at]
    answer = _said(upcoming.sender.value, upcoming.kind)
    # Likeliest mistakes first: the right sender with another kind the run uses, the other
    # side sending it, then the rest of the vocabulary.
    used = [k for k in dict.fromkeys(run.kinds()) if k != upcoming.kind]
    wrong = [_said(upcoming.sender.value, k) for k in shuffled(rng, used)]
    wrong.insert(1, _said(upcoming.sender.other.value, upcoming.kind))
    wrong += [_said(side, k) for k in shuffled(rng, vocabulary) for side in ("client", "server")]
    why = f"In the real run the next message is the {label(upcoming)}: {upcoming.summary}."
    return choice(rng, kind=kind, topic=topic, run=run, answer=answer, distractors=wrong, why=why,
                  context=[m.line for m in run.messages[:at]],
                  prompt="What goes on the wire next, and from which side?")


def _said(side: str, kind: str) -> str:
    return f"the {side} sends {kind}"

