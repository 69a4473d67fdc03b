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
                  vocabulary: tuple[str, ...], either: frozenset[str],
                  skip: frozenset[str] = frozenset()) -> Question:
    """The run up to a message; which message, from which side, comes next (never one of
    the `skip` kinds, e.g. TLS 1.3's compatibility ChangeCipherSpec). `either` are the
    kinds both roles may send (all of TCP's; TLS's Certificate, Finished, ...)."""
    run = runs.get(pick(rng, levels), run_seed(rng))
    upcoming = pick(rng, [m for m in run.messages[1:] if m.kind not in skip])
    at = upcoming.index
    answer = _said(upcoming.sender.value, upcoming.kind)
    # Likeliest mistakes first: the right sender with another kind the run uses, the other
    # side sending it, then the rest of the vocabulary; only what that side could send
    # (a kind it sends in this run, or one either side may send).
    used = [k for k in dict.fromkeys(run.kinds()) if k != upcoming.kind]
    me, peer = upcoming.sender, upcoming.sender.other
    pairs = [(me, k) for k in shuffled(rng, used)]
    pairs.insert(1, (peer, upcoming.kind))
    pairs += [(side, k) for k in shuffled(rng, vocabulary) for side in (me, peer)]
    wrong = [_said(side.value, k) for side, k in pairs if k in either or k in run.kinds(side)]
    why = f"In the real run the next message is the {label(upcoming)}: {upcoming.summary}."
    return choice(rng, kind=kind, topic=topic, run=run, answer=answer, distractors=wrong, why=why,
                  context=[m.line for m in run.messages[:at]],
                  prompt="What goes on the wire next, and from which side?")


def _said(side: str, kind: str) -> str:
    return f"the {side} sends {kind}"

