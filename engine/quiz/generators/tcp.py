"""TCP questions from real runs of the TCP levels: numbers, states, next segment, order."""

from __future__ import annotations

from engine.quiz.generators.common import Generator, choice, hide, pick, run_seed, shuffled, typed
from engine.quiz.generators.sequences import next_question, order_question
from engine.quiz.model import Question
from engine.quiz.runs import Message, Run, RunCache
from engine.rng import SeededRandom

TOPIC = "tcp"
# Levels whose runs have the numbers worth asking about (handshake, data, teardown).
NUMBERS = ("tcp-01-handshake-client", "tcp-02-handshake-server", "tcp-03-teardown-client",
           "tcp-04-teardown-server", "tcp-07-data")
STATES = ("tcp-01-handshake-client", "tcp-03-teardown-client", "tcp-04-teardown-server",
          "tcp-08-simultaneous-open")
SEGMENTS = ("SYN", "SYN-ACK", "ACK", "FIN", "RST", "DATA")
SHORT_NAMES = {"SYN-RECEIVED": ("SYN-RCVD",), "ESTABLISHED": ("ESTAB",)}  # as netstat and RFC 793 write them
# The states learners mix up with each one, likeliest first (RFC 9293 §3.3.2's diagram).
CONFUSED = {
    "LISTEN": ("SYN-RECEIVED", "CLOSED", "SYN-SENT"),
    "SYN-SENT": ("SYN-RECEIVED", "LISTEN", "ESTABLISHED"),
    "SYN-RECEIVED": ("SYN-SENT", "ESTABLISHED", "LISTEN"),
    "ESTABLISHED": ("SYN-RECEIVED", "SYN-SENT", "CLOSE-WAIT"),
    "FIN-WAIT-1": ("FIN-WAIT-2", "CLOSE-WAIT", "CLOSING"),
    "FIN-WAIT-2": ("FIN-WAIT-1", "TIME-WAIT", "CLOSE-WAIT"),
    "CLOSE-WAIT": ("LAST-ACK", "FIN-WAIT-2", "TIME-WAIT"),
    "LAST-ACK": ("CLOSE-WAIT", "TIME-WAIT", "CLOSING"),
    "TIME-WAIT": ("CLOSED", "FIN-WAIT-2", "LAST-ACK"),
    "CLOSING": ("TIME-WAIT", "FIN-WAIT-1", "LAST-ACK"),
    "CLOSED": ("TIME-WAIT", "LISTEN", "LAST-ACK"),
}


def seg_len(message: Message) -> int:
    """How much sequence space a segment takes: its data, plus one each for SYN and FIN."""
    payload = message.fields.get("tcp.payload", "0 bytes")
    flags = message.field("tcp.flags")
    return int(payload.split()[0]) + ("SYN" in flags) + ("FIN" in flags)


def ack_number(rng: SeededRandom, runs: RunCache) -> Question:
    run = runs.get(pick(rng, NUMBERS), run_seed(rng))
    targets = [m for m in run.messages[1:] if _acks_something_new(run, m)]
    target = pick(rng, targets)
    answer = target.number("tcp.ack")
    acked = _last_from(run, target)
    why = (f"The ack names the next byte the {target.sender.value} expects: the {acked.sender.value}'s "
           f"{acked.kind} had seq={acked.number('tcp.seq')} and took {seg_len(acked)} "
           f"({_takes(acked)}), so {acked.number('tcp.seq')} + {seg_len(acked)} = {answer}.")
    if (acked.number("tcp.seq") + seg_len(acked)) % 2**32 != answer:  # a cumulative ack further back
        why = f"The ack is the next byte the {target.sender.value} has not yet received: {answer}."
    context = [m.line for m in run.messages[: target.index]]
    return typed(kind="tcp.ack-number", topic=TOPIC, run=run, numeric=True, answer=str(answer), why=why,
                 context=[*context, f"{target.sender.value} → {target.sender.other.value}  "
                                    f"{hide(target.summary, 'ack')}"],
                 prompt=f"What ack number does the {target.sender.value}'s {target.kind} carry?")


def _acks_something_new(run: Run, message: Message) -> bool:
    """An ACK-bearing segment that is the first to acknowledge the other side's latest
    segment (a later one repeats the number, which the ladder above would give away)."""
    if "ACK" not in message.field("tcp.flags"):
        return False
    earlier = _last_from(run, message, missing_ok=True)
    repeated = any(m.sender is message.sender and m.fields.get("tcp.ack") == message.field("tcp.ack")
                   for m in run.messages[: message.index])
    return earlier is not None and seg_len(earlier) > 0 and not repeated


def _last_from(run: Run, message: Message, missing_ok: bool = False) -> Message:
    for earlier in reversed(run.messages[: message.index]):
        if earlier.sender is not message.sender:
            return earlier
    if missing_ok:
        return None  # type: ignore[return-value]
    raise KeyError(f"{run.source}: nothing before {message.kind}")


def _takes(message: Message) -> str:
    flags = message.field("tcp.flags")
    parts = [name for name in ("SYN", "FIN") if name in flags]
    data = seg_len(message) - len(parts)
    words = [f"the {name} counts one" for name in parts] + ([f"{data} data bytes"] if data else [])
    return ", ".join(words)


def state(rng: SeededRandom, runs: RunCache) -> Question:
    run = runs.get(pick(rng, STATES), run_seed(rng))
    message = pick(rng, run.messages)
    side = pick(rng, (message.sender, message.sender.other))
    answer = message.states[side]
    seen_in_run = [m.states[s] for m in run.messages for s in m.states]
    wrong = [*CONFUSED.get(answer, ()), *shuffled(rng, list(dict.fromkeys(seen_in_run)))]
    underway = "" if side is message.sender else f" (it has not reached the {side.value} yet)"
    why = (f"In the real run the {side.value} was in {answer} when this {message.kind} left: "
           + _state_reason(answer))
    context = [m.line for m in run.messages[: message.index + 1]]
    prompt = (f"The {message.sender.value} has just sent this {message.kind}{underway}. "
              f"Which TCP state is the {side.value} in now?")
    if rng.randint(0, 2) == 0:  # one in three typed, the RFC 793 short names accepted too
        return typed(kind="tcp.state", topic=TOPIC, run=run, answer=answer, why=why, context=context,
                     accept=SHORT_NAMES.get(answer, ()), prompt=prompt + " (type the state's name)")
    return choice(rng, kind="tcp.state", topic=TOPIC, run=run, answer=answer, distractors=wrong, why=why,
                  context=context, prompt=prompt)


def _state_reason(name: str) -> str:
    return {
        "LISTEN": "waiting for a SYN.",
        "SYN-SENT": "it sent its SYN and waits for the answer.",
        "SYN-RECEIVED": "it got a SYN and answered; it waits for the ACK of its own SYN.",
        "ESTABLISHED": "both SYNs are acknowledged; data can flow.",
        "FIN-WAIT-1": "it sent its FIN; that FIN is not acknowledged yet.",
        "FIN-WAIT-2": "its FIN is acknowledged; it waits for the peer's FIN.",
        "CLOSE-WAIT": "the peer closed its half; this side's application has not closed yet.",
        "LAST-ACK": "it closed after the peer did and waits for the ACK of its FIN.",
        "TIME-WAIT": "both FINs are done; it waits 2 MSL in case its last ACK is lost.",
        "CLOSING": "both sent FIN at once; it waits for the ACK of its own.",
        "CLOSED": "there is no connection (any more).",
    }.get(name, "")


def next_segment(rng: SeededRandom, runs: RunCache) -> Question:
    return next_question(rng, runs, kind="tcp.next-message", topic=TOPIC,
                         levels=(*NUMBERS, "tcp-05-closed-port"), vocabulary=SEGMENTS, either=frozenset(SEGMENTS))


def order(rng: SeededRandom, runs: RunCache) -> Question:
    return order_question(rng, runs, kind="tcp.order", topic=TOPIC, what="segments",
                          levels=("tcp-03-teardown-client", "tcp-04-teardown-server", "tcp-07-data"))


GENERATORS = (
    Generator("tcp.ack-number", (TOPIC,), ack_number),
    Generator("tcp.state", (TOPIC,), state),
    Generator("tcp.next-message", (TOPIC,), next_segment),
    Generator("tcp.order", (TOPIC,), order),
)
