"""Which alert a fault calls for: the failure levels run on the engine, the alert read
off the wire (the alert record's description byte)."""

from __future__ import annotations

from engine.quiz.generators.common import Generator, choice, pick, run_seed, shuffled, typed
from engine.quiz.model import Question
from engine.quiz.runs import RunCache
from engine.rng import SeededRandom

# Each failure level, and the fault as the client meets it (what is wrong, not the answer).
FAULTS = {
    "wrong-01-expired": ("tls13", "The server's certificate chains to a trusted CA and names the right host, "
                                  "but its notAfter date has passed."),
    "wrong-02-unknown-ca": ("tls13", "The server's certificate chain ends at a CA that is not among the "
                                     "client's trust anchors."),
    "tls13-06-wrong-name": ("tls13", "The client asked for one name (SNI); the certificate names only another."),
    "wrong-03-downgrade": ("tls13", "Both sides speak TLS 1.3, yet the ServerHello picks TLS 1.2 and its random "
                                    "ends with the bytes 44 4F 57 4E 47 52 44 01 (\"DOWNGRD\")."),
    "wrong-04-bad-finished": ("tls12", "The server's Finished does not match the verify_data the client "
                                       "computes over the transcript."),
    "tls12-06-bad-signature": ("tls12", "The signature in the server's ServerKeyExchange does not verify with "
                                        "the certificate's key."),
}
ALERTS = ("bad_certificate", "certificate_expired", "unknown_ca", "certificate_unknown", "decrypt_error",
          "bad_record_mac", "handshake_failure", "illegal_parameter", "unsupported_certificate",
          "protocol_version", "insufficient_security")
WHY = {
    "certificate_expired": "RFC 8446 §6.2 / RFC 5246 §7.2.2: a certificate that has expired or is not yet valid.",
    "unknown_ca": "§6.2: a valid chain whose CA is not trusted (could not be matched to a known anchor).",
    "bad_certificate": "§6.2: a certificate that is corrupt or whose checks fail, e.g. it is for another name.",
    "decrypt_error": "§6.2: a handshake cryptographic operation failed: a signature or a Finished did not verify.",
    "illegal_parameter": "RFC 8446 §4.1.3: a 1.3 client that sees the downgrade sentinel must abort with "
                         "illegal_parameter.",
}


def _alert(rng: SeededRandom, runs: RunCache, topic: str) -> Question:
    level = pick(rng, [name for name, (version, _) in FAULTS.items() if version == topic])
    run = runs.get(level, run_seed(rng))
    fatal = next(m for m in run.messages if m.kind == "Alert" and m.field("alert.level").startswith("2"))
    answer = fatal.field("alert.description").split("(")[1].rstrip(")")
    fault = FAULTS[level][1]
    why = WHY.get(answer, f"The engine's {fatal.sender.value} answered this fault with {answer}.")
    context = [m.line for m in run.messages[: fatal.index]]
    prompt = f"{fault} Which alert does the {fatal.sender.value} send?"
    if rng.randint(0, 2) == 0:  # one in three typed: name it without a list to pick from
        return typed(kind=f"{topic}.alert", topic=topic, run=run, answer=answer, why=why, context=context,
                     prompt=prompt + " (type the alert's name)")
    return choice(rng, kind=f"{topic}.alert", topic=topic, run=run, answer=answer, why=why,
                  distractors=shuffled(rng, ALERTS), context=context, prompt=prompt)


def alert13(rng: SeededRandom, runs: RunCache) -> Question:
    return _alert(rng, runs, "tls13")


def alert12(rng: SeededRandom, runs: RunCache) -> Question:
    return _alert(rng, runs, "tls12")


GENERATORS = (
    Generator("tls13.alert", ("tls13",), alert13),
    Generator("tls12.alert", ("tls12",), alert12),
)
