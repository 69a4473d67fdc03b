"""A full TLS 1.3 handshake by the engine next to the same handshake by OpenSSL, same run.

Both handshakes are client and server in this one process, bytes handed across in memory:

- engine: `TlsClient` and `TlsServer`, X25519, TLS_AES_128_GCM_SHA256, a server
  certificate under a generated (ECDSA P-256) CA: (a) an ECDSA P-256 one, (b) an Ed25519
  one; the client checks the whole chain (trust path, dates, purpose, name, RFC 5280 path
  validation), the CertificateVerify and the Finished.
- OpenSSL: Python's `ssl`, an SSLObject client and an SSLObject server over MemoryBIOs, the
  same credential and CA, CA-verified with the hostname checked, X25519, the same suite
  (pinned through an OpenSSL configuration file, since `ssl` cannot set TLS 1.3 suites),
  no session tickets (the engine server issues none without a ticket store).

What is made once, as a server makes it once: the CA, the credential, OpenSSL's two
contexts. What every timed handshake makes afresh: both endpoints (engine configs and
connections; OpenSSL SSLObjects and BIOs) and so both ephemeral key shares.

The "cryptography floor" is what the engine's handshake cannot do without, timed alone
with `cryptography`: two X25519 key pairs and exchanges, the CertificateVerify signed and
verified (ECDSA P-256 or Ed25519), the leaf's certificate signature verified (ECDSA P-256,
the CA's), the HKDF calls of the
key schedule, the Finished HMACs, the transcript hash, eight AES-GCM keys and the five
encrypted handshake records, each sealed and opened. The rest of the engine's time is
ours (x509 parsing and cryptography's path-validation policy checks included: a raw
signature check is all the floor counts of the chain).
Target (issue 3 §5): engine ≤ 1.0x OpenSSL, for both certificates.

    python bench/tls13.py [--handshakes 400] [--profile]
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# Pin OpenSSL's TLS 1.3 suite and group before `ssl` loads its configuration (this
# process only: the file is removed on exit).
_CONF = tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False)
_CONF.write(
    "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
    "[ssl_sect]\nsystem_default = tls_sect\n"
    "[tls_sect]\nCiphersuites = TLS_AES_128_GCM_SHA256\nGroups = X25519\n"
)
_CONF.close()
atexit.register(os.unlink, _CONF.name)
os.environ["OPENSSL_CONF"] = _CONF.name

import itertools  # noqa: E402
import ssl  # noqa: E402

from cryptography.hazmat.primitives import hashes, hmac, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from bench.common import HOST  # noqa: E402
from engine.rng import SeededRandom  # noqa: E402
from engine.tls.certs import CertificateAuthority, Credential, KeyKind  # noqa: E402
from engine.tls.client13 import TlsClient  # noqa: E402
from engine.tls.config import TlsConfig  # noqa: E402
from engine.tls.constants import CipherSuite, NamedGroup  # noqa: E402
from engine.tls.server13 import TlsServer  # noqa: E402

SUITE = CipherSuite.TLS_AES_128_GCM_SHA256
CASES: dict[KeyKind, str] = {  # the server's certificate: the title of its case
    "ecdsa": "(a) X25519, AES-128-GCM, ECDSA P-256 certificate",
    "ed25519": "(b) X25519, AES-128-GCM, Ed25519 certificate",
}


# --- the engine --------------------------------------------------------------------------


def engine_pair(ca: CertificateAuthority, credential: Credential, seed: int) -> tuple[TlsClient, TlsServer]:
    """Fresh endpoints (and so, once they run, fresh key shares) from `seed`."""
    client = TlsClient(TlsConfig(
        SeededRandom(seed, "client"), server_name=HOST, trust_anchors=(ca.certificate,),
        cipher_suites=(SUITE,), key_share_groups=(NamedGroup.x25519,),
    ))
    server = TlsServer(TlsConfig(SeededRandom(seed, "server"), credential=credential, cipher_suites=(SUITE,)))
    return client, server


def check_engine(ca: CertificateAuthority, credential: Credential) -> tuple[str, list[bytes]]:
    """One untimed handshake, looked at: what was negotiated, that no alert was sent, and
    the handshake messages the transcript hashes (for the floor's transcript hashing)."""
    client, server = engine_pair(ca, credential, 0)
    common.check_engine_handshake(client, server)
    assert (client.cipher_suite, client.group) == (SUITE, NamedGroup.x25519)
    return f"{CipherSuite(SUITE).name}, {NamedGroup.x25519.name}", list(client.transcript)


# --- the cryptography floor -----------------------------------------------------------------


def floor_handshake(signing_key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
                    ca_public: ec.EllipticCurvePublicKey, leaf_tbs: bytes, leaf_signature: bytes,
                    transcript: list[bytes]) -> None:
    """The primitives one handshake needs, with no protocol around them."""
    # two ephemeral X25519 key pairs, each side's exchange
    client_key = x25519.X25519PrivateKey.from_private_bytes(os.urandom(32))
    server_key = x25519.X25519PrivateKey.from_private_bytes(os.urandom(32))
    client_public = client_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    server_public = server_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    shared = server_key.exchange(x25519.X25519PublicKey.from_public_bytes(client_public))
    client_key.exchange(x25519.X25519PublicKey.from_public_bytes(server_public))
    hashes_seen: list[bytes] = []
    for _side in range(2):
        # the transcript, hashed once as it grows: a digest after SH, Certificate, CV,
        # server Finished, client Finished
        running = hashes.Hash(hashes.SHA256())
        for message in transcript:
            running.update(message)
            hashes_seen.append(running.copy().finalize())
        th = hashes_seen[-1]
        # the key schedule: 3 extracts, 18 expands (secrets, "derived", traffic keys and
        # IVs, finished keys), 2 Finished HMACs
        early = HKDF.extract(hashes.SHA256(), bytes(32), bytes(32))
        handshake = HKDF.extract(hashes.SHA256(), _expand(early, b"derived", 32, EMPTY), shared)
        for label in (b"c hs traffic", b"s hs traffic"):
            traffic = _expand(handshake, label, 32, th)
            _expand(traffic, b"key", 16), _expand(traffic, b"iv", 12)
            mac = hmac.HMAC(_expand(traffic, b"finished", 32), hashes.SHA256())
            mac.update(th)
            mac.finalize()
        master = HKDF.extract(hashes.SHA256(), _expand(handshake, b"derived", 32, EMPTY), bytes(32))
        for label in (b"c ap traffic", b"s ap traffic"):
            traffic = _expand(master, label, 32, th)
            _expand(traffic, b"key", 16), _expand(traffic, b"iv", 12)
        _expand(master, b"exp master", 32, th), _expand(master, b"res master", 32, th)
    # the server's CertificateVerify, checked by the client; the leaf's signature by the CA
    content = b" " * 64 + b"TLS 1.3, server CertificateVerify\x00" + th
    if isinstance(signing_key, ed25519.Ed25519PrivateKey):
        signing_key.public_key().verify(signing_key.sign(content), content)
    else:
        signature = signing_key.sign(content, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        signing_key.public_key().verify(signature, content, ec.ECDSA(hashes.SHA256()))
    ca_public.verify(leaf_signature, leaf_tbs, ec.ECDSA(hashes.SHA256()))
    # AES-128-GCM: 8 keys (each side: handshake and application, read and write); the
    # server's EncryptedExtensions, Certificate, CertificateVerify and Finished records and
    # the client's Finished, each sealed by one side and opened by the other
    secrets = [os.urandom(16) for _ in range(4)]
    writers, readers = [AESGCM(k) for k in secrets], [AESGCM(k) for k in secrets]
    nonce = bytes(12)
    for size in (12, 900, 80, 36, 36):
        sealed = writers[0].encrypt(nonce, bytes(size), b"\x17\x03\x03\x00\x00")
        readers[0].decrypt(nonce, sealed, b"\x17\x03\x03\x00\x00")


EMPTY = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")  # SHA-256("")


def _expand(secret: bytes, label: bytes, length: int, context: bytes = b"") -> bytes:
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


# --- the run --------------------------------------------------------------------------------


def set_up(kind: KeyKind, ca: CertificateAuthority, credential: Credential) -> tuple[str, dict[str, Callable[[], None]]]:
    """What the engine negotiates, and one case's three timed runs (engine, OpenSSL,
    floor), each looked at once untimed."""
    client_context, server_context = common.openssl_contexts(ca, credential, ssl.TLSVersion.TLSv1_3)
    common.check_openssl_handshake(client_context, server_context, SUITE.name, "TLSv1.3")
    signing_key = credential.private_key
    assert isinstance(signing_key, (ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)), kind
    ca_public = ca.private_key.public_key()
    assert isinstance(ca_public, ec.EllipticCurvePublicKey)
    leaf_tbs, leaf_signature = credential.leaf.tbs_certificate_bytes, credential.leaf.signature
    description, transcript = check_engine(ca, credential)
    seeds = itertools.count(1000)  # every engine handshake its own seed: its own key shares

    def engine() -> None:
        seed = next(seeds)
        common.engine_handshake(*engine_pair(ca, credential, seed), seed)

    def openssl() -> None:
        common.openssl_handshake(client_context, server_context)

    def floor() -> None:
        floor_handshake(signing_key, ca_public, leaf_tbs, leaf_signature, transcript)

    return description, {"engine": engine, "OpenSSL": openssl, "floor": floor}


def main() -> None:
    args = common.arguments(__doc__ or "")
    ca, credentials = common.authority(*CASES)
    set_ups = {kind: set_up(kind, ca, credentials[kind]) for kind in CASES}
    cases = {kind: runs for kind, (_, runs) in set_ups.items()}

    if args.profile:
        for kind, runs in cases.items():
            print(f"=== {CASES[kind]}: engine, {args.handshakes} handshakes")
            common.profile(runs["engine"], args.handshakes)
        return

    common.print_header("1.3")
    description = set_ups["ecdsa"][0]  # the same suite and group for both certificates
    print(f"  engine negotiates {description}; OpenSSL negotiates {SUITE.name}, X25519 (pinned)")
    results = common.measure({(kind, name): run for kind, runs in cases.items() for name, run in runs.items()},
                             args.handshakes)
    ratios: dict[str, float] = {}
    for kind, title in CASES.items():
        print(title)
        ratios[kind] = common.report(results[kind, "engine"], results[kind, "OpenSSL"], results[kind, "floor"],
                                     indent="  ")
    listed = ", ".join(f"{kind} {ratio:.2f}x" for kind, ratio in ratios.items())
    met = max(ratios.values()) <= 1.0
    print(f"ratios engine/OpenSSL (medians): {listed}   target ≤ 1.0x -> {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
