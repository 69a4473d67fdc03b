"""Every generator, many seeds: the stated answer is what the engine's own run shows
(replayed by the test and read from the bytes on the wire), and every wrong choice is wrong."""

from __future__ import annotations

import functools
import re

import pytest

from engine.quiz.generators import GENERATORS
from engine.quiz.generators.common import Generator
from engine.quiz.model import Form, Question
from engine.quiz.runs import RunCache
from engine.rng import SeededRandom
from engine.tcp.segment import Flag, Segment
from engine.tls.alerts import AlertDescription
from engine.tls.constants import CipherSuite
from engine.tls.messages import decode_handshake
from tests.quiz.replay import Replay, replay

TCP_STATES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
              "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
SEEDS = {"tcp": range(16), "tls12": range(8), "tls13": range(8)}
BY_KIND = {g.kind: g for g in GENERATORS}


@functools.lru_cache(maxsize=None)
def cached_replay(level_id: str, seed: int, changes: tuple) -> Replay:  # type: ignore[type-arg]
    return replay(level_id, seed, changes)


def wire(question: Question, which: int = 0) -> Replay:
    return cached_replay(*question.runs[which])


def segment(raw: bytes) -> Segment:
    return Segment.decode(raw, "192.0.2.1", "192.0.2.2", verify_checksum=False)  # type: ignore[arg-type]


def cases() -> list[tuple[str, int]]:
    return [(g.kind, seed) for g in GENERATORS for seed in SEEDS[g.topics[0]]]


RUNS = RunCache()


def make(kind: str, seed: int) -> Question:
    generator: Generator = BY_KIND[kind]
    return generator.make(SeededRandom(seed, f"test/{kind}"), RUNS)


@pytest.mark.parametrize(("kind", "seed"), cases())
def test_the_answer_is_the_runs_and_the_distractors_are_wrong(kind: str, seed: int) -> None:
    question = make(kind, seed)
    assert question.runs, "a generated question names the run it was read from"
    assert question.why and question.prompt
    if question.form is Form.CHOICE:
        assert len(question.choices) == 4 and len(set(question.choices)) == 4
        assert question.answer in question.choices
        assert question.grade(question.key)
        for key in "1234":
            assert question.grade(key) == (key == question.key)
    elif question.form is Form.ORDER:
        assert question.grade(question.key)
        assert list(question.order) != sorted(question.order), "an order question is never shown in order"
    CHECKS[kind.split(".", 1)[1]](question)


def wrong_choices(question: Question) -> list[str]:
    return [choice for choice in question.choices if choice != question.answer]


def check_ack_number(question: Question) -> None:
    run = wire(question)
    target = run.entries[len(question.context) - 1]
    decoded = segment(target.raw)
    assert Flag.ACK in decoded.flags
    assert question.numeric and int(question.answer) == decoded.ack
    assert question.context[-1].endswith(re.sub(r"ack=\d+", "ack=?", target.summary))
    assert not question.grade(str(decoded.ack + 1)) and not question.grade(str(decoded.seq))
    assert question.grade(f"{decoded.ack:,}")  # forgiving: thousands separators


def check_state(question: Question) -> None:
    run = wire(question)
    index = len(question.context) - 1
    side = "server" if "is the server in" in question.prompt else "client"
    assert question.answer == run.states[index][side]
    assert set(question.choices) <= TCP_STATES
    if question.form is Form.TYPED:
        assert question.grade(question.answer.lower().replace("-", " "))
        assert not any(question.grade(other) for other in TCP_STATES - {question.answer})
    assert run.states[index][side] not in wrong_choices(question)


def check_next(question: Question) -> None:
    upcoming = wire(question).entries[len(question.context)]
    assert question.answer == f"the {upcoming.sender.value} sends {upcoming.kind}"
    for choice in wrong_choices(question):
        assert choice != f"the {upcoming.sender.value} sends {upcoming.kind}"


def check_order(question: Question) -> None:
    run = wire(question)
    start = len(question.context)
    truth = [f"{e.sender.value} {e.kind}" for e in run.entries[start:start + len(question.choices)]]
    assert [question.choices[n - 1] for n in question.order] == truth
    shown_order = "".join(str(n) for n in range(1, len(question.choices) + 1))
    assert not question.grade(shown_order)


POST_HANDSHAKE = {"NewSessionTicket", "ApplicationData", "Alert", "KeyUpdate"}


def check_protection(question: Question) -> None:
    entry = wire(question).entries[len(question.context) - 1]
    protected = entry.protected_by or "nothing: it is sent in the clear"
    assert question.answer == protected
    assert protected not in wrong_choices(question)
    # The bytes agree: an encrypted record is longer than the message it carries (AEAD tag,
    # and an inner type byte or an explicit nonce); a clear one is the message plus a header.
    encrypted = len(entry.wire) - 5 > len(entry.raw)
    assert encrypted == (entry.protected_by is not None), (entry.kind, len(entry.wire), len(entry.raw))
    if entry.kind in ("ClientHello", "ServerHello", "HelloRetryRequest"):
        assert not encrypted  # and the rule agrees: hellos go in the clear
    if encrypted:
        assert entry.protected_by.startswith(entry.sender.value)  # type: ignore[union-attr]  # each side its own key
        if question.topic == "tls13":
            assert entry.wire[0] == 0x17  # TLS 1.3 hides the real type behind application_data
            phase = "application" if entry.kind in POST_HANDSHAKE else "handshake"
            assert f"_{phase}_traffic_secret" in protected


def check_key_share(question: Question) -> None:
    run = wire(question)
    carriers = [e.kind for e in run.entries if e.sender.value == "server" and e.kind == "ServerHello"
                and any(hasattr(ext, "server_share") for ext in getattr(decode_handshake(e.raw), "extensions", ()))]
    assert carriers and question.answer == carriers[0] == "ServerHello"
    assert "ServerHello" not in wrong_choices(question)
    if question.form is Form.TYPED:
        assert question.grade("server hello") and question.grade("SERVERHELLO") and not question.grade("ServerKeyExchange")


KEY_EXCHANGE_WORDS = {"RSA": "RSA public key", "DHE": "Diffie-Hellman", "ECDHE": "ECDH"}


def check_cke(question: Question) -> None:
    run = wire(question)
    hello = next(e for e in run.entries if e.kind == "ServerHello").raw
    session_id_length = hello[4 + 2 + 32]
    at = 4 + 2 + 32 + 1 + session_id_length
    suite = CipherSuite(int.from_bytes(hello[at:at + 2], "big")).name
    exchange = suite.removeprefix("TLS_").split("_")[0]
    word = KEY_EXCHANGE_WORDS[exchange]
    assert word in question.answer and suite in question.prompt
    assert all(word not in choice for choice in wrong_choices(question))
    cke = next(e for e in run.entries if e.kind == "ClientKeyExchange").raw
    body = int.from_bytes(cke[1:4], "big")
    assert body == {"RSA": 258, "DHE": 258, "ECDHE": body}[exchange]  # RSA-2048 / ffdhe2048: 2 + 256 bytes


def check_alert(question: Question) -> None:
    run = wire(question)
    fatal = next(e for e in run.entries if e.kind == "Alert" and e.raw[0] == 2)
    assert question.answer == AlertDescription(fatal.raw[1]).name
    assert all(AlertDescription[choice] != fatal.raw[1] for choice in wrong_choices(question))
    assert question.answer not in question.prompt  # the fault is described, not named
    if question.form is Form.TYPED:
        assert question.grade(question.answer.replace("_", " ").upper())
        assert not any(question.grade(a.name) for a in AlertDescription if a.name != question.answer)


def check_first_encrypted(question: Question) -> None:
    asked = wire(question, 0)
    first = next(e for e in asked.entries if e.protected_by and e.kind not in ("ChangeCipherSpec", "ApplicationData"))
    assert question.answer == f"the {first.sender.value}'s {first.kind}"
    assert all(choice != question.answer for choice in wrong_choices(question))


def check_only_in(question: Question) -> None:
    has, lacks = wire(question, 0), wire(question, 1)
    assert question.answer in {e.kind for e in has.entries}
    assert question.answer not in {e.kind for e in lacks.entries}
    for choice in wrong_choices(question):
        assert choice in {e.kind for e in lacks.entries}, f"{choice} is in both runs, so it is a wrong answer"


CHECKS = {
    "ack-number": check_ack_number,
    "state": check_state,
    "next-message": check_next,
    "order": check_order,
    "protection": check_protection,
    "key-share": check_key_share,
    "cke": check_cke,
    "alert": check_alert,
    "first-encrypted": check_first_encrypted,
    "only-in": check_only_in,
}


def test_state_and_alert_questions_come_in_both_forms() -> None:
    for kind in ("tcp.state", "tls13.alert"):
        forms = {make(kind, seed).form for seed in range(12)}
        assert forms == {Form.CHOICE, Form.TYPED}, (kind, forms)


def test_every_generator_is_checked() -> None:
    names = {g.kind.split(".", 1)[1] for g in GENERATORS}
    assert names <= set(CHECKS), names - set(CHECKS)


def test_the_cke_question_covers_every_key_exchange() -> None:
    seen = {re.sub(r"_WITH_.*", "", make("tls12.cke", seed).prompt.split("chose ")[1]) for seed in range(40)}
    assert {"TLS_RSA", "TLS_DHE_RSA", "TLS_ECDHE_RSA", "TLS_ECDHE_ECDSA"} <= seen
