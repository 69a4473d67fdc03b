"""A full TLS 1.2 handshake by the engine next to the same handshake by OpenSSL, same run.

Two key exchanges, each client and server in this one process, bytes handed across in memory:

(a) ECDHE_ECDSA: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 over secp256r1 (P-256) on both
    sides (the engine offers and accepts only P-256; OpenSSL's curve is pinned with
    `set_ecdh_curve` on both contexts and checked in its ServerKeyExchange), an ECDSA P-256
    server certificate.
(b) RSA key exchange: TLS_RSA_WITH_AES_128_GCM_SHA256, an RSA-2048 server certificate; the
    client encrypts the pre-master secret to it (PKCS#1 v1.5), the server decrypts it.

Both under the same generated ECDSA P-256 CA, both with extended_master_secret and
renegotiation_info (each side's default), no session tickets (the engine server issues none
without a ticket store; OpenSSL's server has OP_NO_TICKET), no client certificate.

- engine: `TlsClient` and `TlsServer` held to TLS 1.2 and the one suite; the client checks
  the whole chain (trust path, dates, purpose, name, RFC 5280 path validation), the
  ServerKeyExchange signature (a) and the Finished.
- OpenSSL: Python's `ssl`, an SSLObject client and an SSLObject server over MemoryBIOs, the
  same credential and CA, CA-verified with the hostname checked, held to TLS 1.2, the suite
  pinned with `set_ciphers`.

What is made once, as a server makes it once: the CA, the credentials, OpenSSL's contexts.
What every timed handshake makes afresh: both endpoints (engine configs and connections;
OpenSSL SSLObjects and BIOs) and so, for (a), both ephemeral key pairs.

The "cryptography floor" is what the engine's handshake cannot do without, timed alone with
`cryptography`: (a) two P-256 key pairs and exchanges, one ECDSA signature over the
ServerKeyExchange parameters and its verification; (b) one RSA-2048 PKCS#1 v1.5 encryption
and decryption; both: the leaf's certificate signature checked, each side's transcript
hashed once as it grows (to the ClientKeyExchange for the extended master secret and the
client's Finished, to the client's Finished for the server's), its PRF calls (extended master
secret, key block, both Finished: 24 HMACs in all), and the two Finished records, each sealed
by one side and opened by the other under its own AES-GCM key. The rest of the engine's time
is ours (x509 parsing and cryptography's path-validation policy checks included).
Target (issue 4 §4): engine ≤ 1.0x OpenSSL.

    python bench/tls12.py [--handshakes 400] [--profile]
"""

from __future__ import annotations

import itertools
import os
import ssl
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from bench.common import HOST  # noqa: E402
from engine.rng import SeededRandom  # noqa: E402
from engine.tls.certs import CertificateAuthority, Credential, KeyKind  # noqa: E402
from engine.tls.client13 import TlsClient  # noqa: E402
from engine.tls.config import TlsConfig  # noqa: E402
from engine.tls.constants import CipherSuite, HandshakeType, NamedGroup, ProtocolVersion  # noqa: E402
from engine.tls.server13 import TlsServer  # noqa: E402

TLS12 = (ProtocolVersion.TLS1_2,)
GROUPS = (NamedGroup.secp256r1,)  # offered and accepted by the engine; OpenSSL's pinned curve
OPENSSL_CURVE = "prime256v1"
NAMED_CURVE_P256 = b"\x03\x00\x17"  # ECParameters: curve_type named_curve, secp256r1 (RFC 8422 §5.4)


@dataclass(frozen=True)
class Case:
    label: str
    title: str
    suite: CipherSuite
    openssl_suite: str
    key_kind: KeyKind
    ecdhe: bool


CASES = (
    Case("ECDHE_ECDSA", "(a) ECDHE_ECDSA, AES-128-GCM, P-256 key exchange, ECDSA P-256 certificate",
         CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa", True),
    Case("RSA", "(b) RSA key exchange, AES-128-GCM, RSA-2048 certificate",
         CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", "rsa", False),
)


# --- the engine --------------------------------------------------------------------------


def engine_pair(case: Case, ca: CertificateAuthority, credential: Credential, seed: int) -> tuple[TlsClient, TlsServer]:
    """Fresh endpoints (and so, once they run, fresh key pairs) from `seed`."""
    client = TlsClient(TlsConfig(
        SeededRandom(seed, "client"), versions=TLS12, tls12_suites=(case.suite,), groups=GROUPS,
        server_name=HOST, trust_anchors=(ca.certificate,),
    ))
    server = TlsServer(TlsConfig(
        SeededRandom(seed, "server"), versions=TLS12, tls12_suites=(case.suite,), groups=GROUPS, credential=credential,
    ))
    return client, server


def check_engine(case: Case, ca: CertificateAuthority, credential: Credential) -> tuple[str, list[bytes]]:
    """One untimed handshake, looked at: what was negotiated, that no alert was sent, and
    the handshake messages the transcript hashes (for the floor's transcript hashing)."""
    client, server = engine_pair(case, ca, credential, 0)
    common.check_engine_handshake(client, server)
    group = NamedGroup.secp256r1 if case.ecdhe else None
    assert (client.version, client.cipher_suite, client.group) == (ProtocolVersion.TLS1_2, case.suite, group)
    assert (server.version, server.cipher_suite, server.group) == (ProtocolVersion.TLS1_2, case.suite, group)
    return f"{case.suite.name}, {group.name if group else 'no ECDHE'}", list(client.transcript)


# --- OpenSSL -------------------------------------------------------------------------------


def check_openssl(case: Case, client_context: ssl.SSLContext, server_context: ssl.SSLContext) -> str:
    """One untimed handshake, looked at: suite, version, name, and the curve OpenSSL's
    server put in its ServerKeyExchange (`ssl` has no public way to ask for it)."""
    seen: list[bytes] = []

    def watch(_conn: object, direction: str, _version: object, _content: object, message: object, data: bytes) -> None:
        if direction == "read" and message == HandshakeType.server_key_exchange:
            seen.append(bytes(data))

    setattr(client_context, "_msg_callback", watch)  # CPython's debugging hook, untyped
    try:
        common.check_openssl_handshake(client_context, server_context, case.openssl_suite, "TLSv1.2")
    finally:
        setattr(client_context, "_msg_callback", None)
    if not case.ecdhe:
        assert not seen, seen
        return f"{case.openssl_suite}, no ServerKeyExchange"
    assert len(seen) == 1 and seen[0][4:7] == NAMED_CURVE_P256, seen  # after the 4-byte handshake header
    return f"{case.openssl_suite}, secp256r1 (pinned, seen in its ServerKeyExchange)"


# --- the cryptography floor -----------------------------------------------------------------


@dataclass(frozen=True)
class FloorKeys:
    """What the floor's handshakes use and a server has made once: its key, the CA's public
    key, the leaf's signed part and signature."""

    private_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ca_public: ec.EllipticCurvePublicKey
    leaf_tbs: bytes
    leaf_signature: bytes

    @classmethod
    def of(cls, ca: CertificateAuthority, credential: Credential) -> FloorKeys:
        key = credential.private_key
        assert isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey))
        return cls(key, ca.private_key.public_key(), credential.leaf.tbs_certificate_bytes, credential.leaf.signature)


def floor_handshake(keys: FloorKeys, transcript: list[bytes]) -> None:
    """The primitives one handshake needs, with no protocol around them."""
    randoms = os.urandom(64)  # client_random + server_random, as the signature and key block see them
    key = keys.private_key
    if isinstance(key, rsa.RSAPrivateKey):
        # the client encrypts 48 bytes to the certificate's key, the server decrypts them
        pre_master = b"\x03\x03" + os.urandom(46)
        encrypted = key.public_key().encrypt(pre_master, padding.PKCS1v15())
        key.decrypt(encrypted, padding.PKCS1v15())
    else:
        # two ephemeral P-256 key pairs; the server signs its point, the client checks it;
        # each side's exchange with the other's point
        client_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        client_point, server_point = (k.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
                                      for k in (client_key, server_key))
        signed = randoms + NAMED_CURVE_P256 + bytes([len(server_point)]) + server_point
        key.public_key().verify(key.sign(signed, ec.ECDSA(hashes.SHA256())), signed, ec.ECDSA(hashes.SHA256()))
        pre_master = server_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), client_point))
        client_key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_point))
    # the leaf's signature by the CA
    keys.ca_public.verify(keys.leaf_signature, keys.leaf_tbs, ec.ECDSA(hashes.SHA256()))
    for _side in range(2):
        # the transcript hashed once as it grows: to the ClientKeyExchange (the session hash
        # and the client's Finished), to the client's Finished (the server's Finished)
        running = hashes.Hash(hashes.SHA256())
        for message in transcript[:-2]:
            running.update(message)
        session_hash = running.copy().finalize()
        running.update(transcript[-2])
        finished_hash = running.finalize()
        master = _prf(pre_master, b"extended master secret", session_hash, 48)
        _prf(master, b"key expansion", randoms, 40)
        _prf(master, b"client finished", session_hash, 12)
        _prf(master, b"server finished", finished_hash, 12)
    # AES-128-GCM: the client's and the server's write key; each side's Finished record
    # (16 bytes of handshake message) sealed by its writer, opened by the peer's reader
    nonce, aad = bytes(12), bytes(13)
    for write_key in (os.urandom(16), os.urandom(16)):
        sealed = AESGCM(write_key).encrypt(nonce, bytes(16), aad)
        AESGCM(write_key).decrypt(nonce, sealed, aad)


def _prf(secret: bytes, label: bytes, seed: bytes, length: int) -> bytes:
    """The TLS 1.2 PRF with SHA-256 (RFC 5246 §5): P_SHA256(secret, label + seed)."""
    seed = label + seed
    output, a = b"", seed
    while len(output) < length:
        a = _hmac(secret, a)
        output += _hmac(secret, a + seed)
    return output[:length]


def _hmac(secret: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(secret, hashes.SHA256())
    mac.update(data)
    return mac.finalize()


# --- the run --------------------------------------------------------------------------------


@dataclass
class Bench:
    """One case, set up: its three timed runs and what the untimed checks found."""

    case: Case
    engine: Callable[[], None]
    openssl: Callable[[], None]
    floor: Callable[[], None]
    engine_negotiates: str
    openssl_context_pair: tuple[ssl.SSLContext, ssl.SSLContext]


def set_up(case: Case, ca: CertificateAuthority, credential: Credential) -> Bench:
    curve = OPENSSL_CURVE if case.ecdhe else None
    contexts = common.openssl_contexts(ca, credential, ssl.TLSVersion.TLSv1_2, ciphers=case.openssl_suite, curve=curve)
    keys = FloorKeys.of(ca, credential)
    engine_negotiates, transcript = check_engine(case, ca, credential)
    seeds = itertools.count(1000)  # every engine handshake its own seed: its own key pairs

    def engine() -> None:
        seed = next(seeds)
        common.engine_handshake(*engine_pair(case, ca, credential, seed), seed)

    def openssl() -> None:
        common.openssl_handshake(*contexts)

    def floor() -> None:
        floor_handshake(keys, transcript)

    return Bench(case, engine, openssl, floor, engine_negotiates, contexts)


def main() -> None:
    args = common.arguments(__doc__ or "")
    ca, credentials = common.authority(*(case.key_kind for case in CASES))
    rsa_key = credentials["rsa"].leaf.public_key()
    assert isinstance(rsa_key, rsa.RSAPublicKey) and rsa_key.key_size == 2048
    benches = [set_up(case, ca, credentials[case.key_kind]) for case in CASES]

    if args.profile:
        for bench in benches:
            print(f"=== {bench.case.title}: engine, {args.handshakes} handshakes")
            common.profile(bench.engine, args.handshakes)
        return

    common.print_header("1.2")
    descriptions = [check_openssl(bench.case, *bench.openssl_context_pair) for bench in benches]
    runs = {(bench.case.label, name): run for bench in benches
            for name, run in (("engine", bench.engine), ("OpenSSL", bench.openssl), ("floor", bench.floor))}
    results = common.measure(runs, args.handshakes)
    ratios: dict[str, float] = {}
    for bench, openssl_negotiates in zip(benches, descriptions):
        label = bench.case.label
        print(bench.case.title)
        print(f"  engine negotiates {bench.engine_negotiates}; OpenSSL negotiates {openssl_negotiates}")
        ratios[label] = common.report(results[label, "engine"], results[label, "OpenSSL"], results[label, "floor"],
                                      indent="  ")
    listed = ", ".join(f"{label} {ratio:.2f}x" for label, ratio in ratios.items())
    met = max(ratios.values()) <= 1.0
    print(f"ratios engine/OpenSSL (medians): {listed}   target ≤ 1.0x -> {'met' if met else 'NOT met'}")

if __name__ == "__main__":
    main()
