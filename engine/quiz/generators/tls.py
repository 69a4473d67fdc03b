"""TLS 1.2 and 1.3 questions from real runs of the TLS levels: which key protects a
message, where the key shares travel, what ClientKeyExchange carries, the order of the
handshake, and what comes next."""

from __future__ import annotations

from engine.quiz.generators.common import Generator, choice, pick, run_seed, shuffled, typed
from engine.quiz.generators.sequences import next_question, order_question
from engine.quiz.model import Question
from engine.quiz.runs import Message, RunCache
from engine.referee import Side
from engine.rng import SeededRandom

CLEAR = "nothing: it is sent in the clear"
TLS13_LEVELS = ("tls13-01-handshake-client", "tls13-02-handshake-server", "tls13-03-hello-retry",
                "tls13-04-client-auth")
TLS12_LEVELS = ("tls12-01-rsa-client", "tls12-02-server", "tls12-03-ecdhe", "tls12-04-mutual")
TLS13_KEYS = (CLEAR, "server_handshake_traffic_secret", "client_handshake_traffic_secret",
              "server_application_traffic_secret_0", "client_application_traffic_secret_0")
TLS12_KEYS = (CLEAR, "client_write_key", "server_write_key", "the pre-master secret", "the master secret")
TLS13_MESSAGES = ("ClientHello", "ServerHello", "HelloRetryRequest", "EncryptedExtensions", "CertificateRequest",
                  "Certificate", "CertificateVerify", "Finished", "NewSessionTicket")
TLS12_MESSAGES = ("ClientHello", "ServerHello", "Certificate", "ServerKeyExchange", "CertificateRequest",
                  "ServerHelloDone", "ClientKeyExchange", "CertificateVerify", "ChangeCipherSpec", "Finished")


def _protection(rng: SeededRandom, runs: RunCache, topic: str) -> Question:
    tls13 = topic == "tls13"
    run = runs.get(pick(rng, TLS13_LEVELS if tls13 else TLS12_LEVELS), run_seed(rng))
    message = pick(rng, [m for m in run.messages if m.kind != "ChangeCipherSpec"])
    answer = message.protected_by or CLEAR
    keys = TLS13_KEYS if tls13 else TLS12_KEYS
    mirror = answer.replace("server", "@").replace("client", "server").replace("@", "client")
    wrong = [mirror, *shuffled(rng, keys)]  # the other direction's key is the likeliest slip
    why = _protection_why(message, tls13)
    context = [m.line for m in run.messages[: message.index]]
    return choice(rng, kind=f"{topic}.protection", topic=topic, run=run, answer=answer, distractors=wrong,
                  why=why, context=[*context, f"{message.sender.value} → {message.sender.other.value}  "
                                              f"{message.summary}  🔒 ?"],
                  prompt=f"Which key protects the {message.sender.value}'s {message.kind} in this run?")


def _protection_why(message: Message, tls13: bool) -> str:
    who, kind, key = message.sender.value, message.kind, message.protected_by
    if tls13:
        if key is None:
            return f"The {kind} goes out before any key exists: only ClientHello, ServerHello (and HRR) are clear."
        phase = "handshake" if "handshake" in key else "application"
        return (f"In TLS 1.3 everything after ServerHello is encrypted; the {who}'s {kind} is a {phase} "
                f"{'message' if phase == 'handshake' else 'record'}, so it uses the {who}'s {phase} traffic secret.")
    if key is None:
        return f"In TLS 1.2 the {who} encrypts only after its own ChangeCipherSpec; the {kind} comes before it."
    return (f"After its ChangeCipherSpec the {who} writes with its own write key from the key block "
            f"({key}); Finished is the first message under it.")


def protection13(rng: SeededRandom, runs: RunCache) -> Question:
    return _protection(rng, runs, "tls13")


def protection12(rng: SeededRandom, runs: RunCache) -> Question:
    return _protection(rng, runs, "tls12")


def key_share(rng: SeededRandom, runs: RunCache) -> Question:
    """Which message carries the server's key share (read off the byte maps)."""
    run = runs.get(pick(rng, ("tls13-01-handshake-client", "tls13-02-handshake-server", "tls13-03-hello-retry")),
                   run_seed(rng))
    carrier = next(m for m in run.messages if m.sender is Side.SERVER
                   and any(path.endswith("server_share.key_exchange") for path in m.fields))
    why = (f"In TLS 1.3 the server's share rides in the {carrier.kind}'s key_share extension "
           f"({carrier.summary}), so both sides have the handshake secret right after it; "
           "TLS 1.2 needed a separate ServerKeyExchange.")
    if "HelloRetryRequest" in run.kinds():
        why += " A HelloRetryRequest only names the group; it carries no share."
    context = [m.line for m in run.messages if m.sender is Side.CLIENT and m.index < carrier.index][:1]
    prompt = "Which message carries the server's key share in this TLS 1.3 handshake?"
    if rng.randint(0, 1):
        return typed(kind="tls13.key-share", topic="tls13", run=run, answer=carrier.kind, why=why, context=context,
                     accept=("server hello",), prompt=prompt + " (type the message name)")
    wrong = ["ServerKeyExchange", "EncryptedExtensions", *(["HelloRetryRequest"] if "HelloRetryRequest" in run.kinds()
                                                         else []), "Certificate", "Finished"]
    return choice(rng, kind="tls13.key-share", topic="tls13", run=run, answer=carrier.kind, why=why,
                  distractors=wrong, context=context, prompt=prompt)


# The TLS 1.2 suites a ClientKeyExchange question is played with, and the certificate each needs.
CKE_SUITES = {
    "TLS_RSA_WITH_AES_128_GCM_SHA256": "rsa",
    "TLS_RSA_WITH_AES_256_GCM_SHA384": "rsa",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": "rsa",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "rsa",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ecdsa",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "rsa",
}
# What a ClientKeyExchange holds, by the field its byte map shows.
CKE_CONTENT = {
    "client_key_exchange.encrypted_pre_master_secret":
        "the pre-master secret, encrypted with the server's RSA public key",
    "client_key_exchange.ecdh_Yc": "the client's ephemeral ECDH public key (a curve point)",
    "client_key_exchange.dh_Yc": "the client's ephemeral Diffie-Hellman public value Yc = g^x mod p",
}
CKE_MISTAKES = (
    "the master secret, encrypted with the server's public key",
    "nothing: the client's key share already went in its ClientHello",
    "a signature over both randoms with the client's certificate key",
)
CKE_WHY = {
    "client_key_exchange.encrypted_pre_master_secret":
        "With RSA key exchange the client makes the 48-byte pre-master secret itself and sends it "
        "encrypted to the key in the server's certificate; there is no ServerKeyExchange.",
    "client_key_exchange.ecdh_Yc":
        "With ECDHE the server sent its curve point in ServerKeyExchange; the client answers with its own "
        "ephemeral point, and both compute the shared secret as the pre-master secret.",
    "client_key_exchange.dh_Yc":
        "With DHE the server sent p, g and Ys in ServerKeyExchange; the client answers with Yc = g^x mod p, "
        "and both compute g^xy mod p as the pre-master secret.",
}


def client_key_exchange(rng: SeededRandom, runs: RunCache) -> Question:
    suite = pick(rng, list(CKE_SUITES))
    changes = (("client_suites", (suite,)), ("server_suites", (suite,)), ("certificate", CKE_SUITES[suite]))
    run = runs.get("tls12-01-rsa-client", run_seed(rng), changes)
    cke = run.find("ClientKeyExchange", Side.CLIENT)
    path = next(path for path in CKE_CONTENT if path in cke.fields)
    chosen = run.find("ServerHello").field("server_hello.cipher_suite").split(" (")[0]
    others = [text for key, text in CKE_CONTENT.items() if key != path]
    return choice(rng, kind="tls12.cke", topic="tls12", run=run, answer=CKE_CONTENT[path], why=CKE_WHY[path],
                  distractors=[*shuffled(rng, others), *shuffled(rng, CKE_MISTAKES)],
                  context=[m.line for m in run.messages[: cke.index]],
                  prompt=f"The server chose {chosen}. What does the client put in its ClientKeyExchange?")


def order13(rng: SeededRandom, runs: RunCache) -> Question:
    return order_question(rng, runs, kind="tls13.order", topic="tls13", levels=TLS13_LEVELS,
                          what="TLS 1.3 messages")


def order12(rng: SeededRandom, runs: RunCache) -> Question:
    return order_question(rng, runs, kind="tls12.order", topic="tls12", levels=(*TLS12_LEVELS, "tls12-07-dhe-server-mutual"),
                          what="TLS 1.2 messages")


SKIPPED_NEXT = frozenset({"ChangeCipherSpec", "ApplicationData", "Alert"})
EITHER_SIDE = frozenset({"Certificate", "CertificateVerify", "Finished", "ChangeCipherSpec", "Alert",
                         "ApplicationData", "KeyUpdate"})


def next13(rng: SeededRandom, runs: RunCache) -> Question:
    return next_question(rng, runs, kind="tls13.next-message", topic="tls13", levels=TLS13_LEVELS,
                         vocabulary=TLS13_MESSAGES, either=EITHER_SIDE, skip=SKIPPED_NEXT)


def next12(rng: SeededRandom, runs: RunCache) -> Question:
    return next_question(rng, runs, kind="tls12.next-message", topic="tls12", levels=TLS12_LEVELS,
                         vocabulary=TLS12_MESSAGES, either=EITHER_SIDE, skip=SKIPPED_NEXT - {"ChangeCipherSpec"})


GENERATORS = (
    Generator("tls13.protection", ("tls13",), protection13),
    Generator("tls13.next-message", ("tls13",), next13),
    Generator("tls12.next-message", ("tls12",), next12),
    Generator("tls13.key-share", ("tls13",), key_share),
    Generator("tls13.order", ("tls13",), order13),
    Generator("tls12.protection", ("tls12",), protection12),
    Generator("tls12.cke", ("tls12",), client_key_exchange),
    Generator("tls12.order", ("tls12",), order12),
)
