"""TLS 1.2 next to TLS 1.3: one run of each with the same seed, and what differs (asked\nfrom the side of the round's topic: a TLS 1.2 round asks about 1.2 against 1.3)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from engine.quiz.generators.common import Generator, choice, pick, run_seed, shuffled
from engine.quiz.model import Question
from engine.quiz.runs import Message, Run, RunCache
from engine.rng import SeededRandom

TOPICS = ("tls12", "tls13")
PAIRS = (("tls12-01-rsa-client", "tls13-01-handshake-client"), ("tls12-03-ecdhe", "tls13-01-handshake-client"),
         ("tls12-02-server", "tls13-02-handshake-server"))
IGNORED = {"ChangeCipherSpec", "ApplicationData", "Alert"}


def _runs(rng: SeededRandom, runs: RunCache) -> tuple[Run, Run]:
    seed = run_seed(rng)
    older, newer = pick(rng, PAIRS)
    return runs.get(older, seed), runs.get(newer, seed)


def _first_encrypted(run: Run) -> Message:
    return next(m for m in run.messages if m.protected_by and m.kind not in IGNORED)


def first_encrypted(rng: SeededRandom, runs: RunCache, topic: str) -> Question:
    tls12, tls13 = _runs(rng, runs)
    asked, other = (tls12, tls13) if topic == "tls12" else (tls13, tls12)
    version = "1.2" if asked is tls12 else "1.3"
    first, theirs = _first_encrypted(asked), _first_encrypted(other)
    answer = f"the {first.sender.value}'s {first.kind}"
    wrong = [f"the {theirs.sender.value}'s {theirs.kind}", "the server's Certificate", "the server's ServerHello",
             "the client's ClientKeyExchange", "the server's Finished"]
    why = (f"In TLS {version} the first encrypted handshake message is the {first.sender.value}'s {first.kind} "
           f"(under {first.protected_by}); in TLS {'1.3' if version == '1.2' else '1.2'} it is the "
           f"{theirs.sender.value}'s {theirs.kind}.")
    question = choice(rng, kind=f"{topic}.first-encrypted", topic=topic, run=asked, answer=answer,
                  distractors=wrong, why=why,
                  prompt=f"In a full TLS {version} handshake, which handshake message is the first one sent encrypted?")
    return replace(question, runs=(asked.ref, other.ref), source=f"{asked.source} vs {other.source}")


def only_in(rng: SeededRandom, runs: RunCache, topic: str) -> Question:
    tls12, tls13 = _runs(rng, runs)
    kinds12 = set(tls12.kinds()) - IGNORED
    kinds13 = set(tls13.kinds()) - IGNORED
    if topic == "tls12":
        has, lacks, version, missing = tls12, tls13, "1.2", sorted(kinds12 - kinds13)
    else:
        has, lacks, version, missing = tls13, tls12, "1.3", sorted(kinds13 - kinds12)
    both = sorted(kinds12 & kinds13)
    answer = pick(rng, missing)
    other = "1.3" if version == "1.2" else "1.2"
    why = (f"Side by side, the TLS {version} run ({has.source}) had {', '.join(missing)}, which the TLS {other} run "
           f"({lacks.source}) never sent; both had {', '.join(both)}.")
    question = choice(rng, kind=f"{topic}.only-in", topic=topic, run=has, answer=answer,
                  distractors=shuffled(rng, both), why=why,
                  prompt=f"Two real handshakes, TLS 1.2 and TLS 1.3, same seed. Which message is in the TLS "
                         f"{version} one but not in the TLS {other} one?")
    return replace(question, runs=(has.ref, lacks.ref), source=f"{has.source} vs {lacks.source}")


GENERATORS = tuple(
    Generator(f"{topic}.{name}", (topic,), partial(make, topic=topic))
    for topic in TOPICS for name, make in (("first-encrypted", first_encrypted), ("only-in", only_in))
)
