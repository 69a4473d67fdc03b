"""A full TLS 1.3 handshake by the engine next to the same handshake by OpenSSL, same run.

Both handshakes are client and server in this one process, bytes handed across in memory:

- engine: `TlsClient` and `TlsServer`, X25519, TLS_AES_128_GCM_SHA256, an ECDSA P-256
  server certificate under a generated CA; the client checks the whole chain (trust path,
  dates, purpose, name, RFC 5280 path validation), the CertificateVerify and the Finished.
- OpenSSL: Python's `ssl`, an SSLObject client and an SSLObject server over MemoryBIOs, the
  same credential and CA, CA-verified with the hostname checked, X25519, the same suite
  (pinned through an OpenSSL configuration file, since `ssl` cannot set TLS 1.3 suites),
  no session tickets (the engine server issues none without a ticket store).

What is made once, as a server makes it once: the CA, the credential, OpenSSL's two
contexts. What every timed handshake makes afresh: both endpoints (engine configs and
connections; OpenSSL SSLObjects and BIOs) and so both ephemeral key shares.

The "cryptography floor" is what the engine's handshake cannot do without, timed alone
with `cryptography`: two X25519 key pairs and exchanges, one ECDSA P-256 signature and two
verifications (CertificateVerify, the leaf's certificate signature), the HKDF calls of the
key schedule, the Finished HMACs, the transcript hash, eight AES-GCM keys and the five
encrypted handshake records, each sealed and opened. The rest of the engine's time is
ours (x509 parsing and cryptography's path-validation policy checks included: a raw
signature check is all the floor counts of the chain).
Target (issue 3 §5): engine ≤ 1.0x OpenSSL.

    python bench/tls13.py [--handshakes 400] [--profile]
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
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

import argparse  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import platform  # noqa: E402
import ssl  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import cryptography  # noqa: E402
from cryptography.hazmat.backends.openssl import backend as _crypto_backend  # noqa: E402
from cryptography.hazmat.primitives import hashes, hmac, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, x25519  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.rng import SeededRandom  # noqa: E402
from engine.tls.certs import CertificateAuthority, Credential  # noqa: E402
from engine.tls.client13 import TlsClient  # noqa: E402
from engine.tls.config import TlsConfig  # noqa: E402
from engine.tls.constants import CipherSuite, NamedGroup  # noqa: E402
from engine.tls.events import AlertSent  # noqa: E402
from engine.tls.server13 import TlsServer  # noqa: E402

SUITE = CipherSuite.TLS_AES_128_GCM_SHA256
HOST = "localhost"


# --- the engine --------------------------------------------------------------------------


def engine_pair(ca: CertificateAuthority, credential: Credential, seed: int) -> tuple[TlsClient, TlsServer]:
    """Fresh endpoints (and so, once they run, fresh key shares) from `seed`."""
    client = TlsClient(TlsConfig(
        SeededRandom(seed, "client"), server_name=HOST, trust_anchors=(ca.certificate,),
        cipher_suites=(SUITE,), key_share_groups=(NamedGroup.x25519,),
    ))
    server = TlsServer(TlsConfig(SeededRandom(seed, "server"), credential=credential, cipher_suites=(SUITE,)))
    return client, server


def engine_handshake(ca: CertificateAuthority, credential: Credential, seed: int) -> None:
    """One engine handshake, as timed."""
    client, server = engine_pair(ca, credential, seed)
    to_server = client.start().data
    while to_server:
        to_client = server.receive(to_server).data
        to_server = client.receive(to_client).data
    if not (client.handshake_complete and server.handshake_complete):
        raise SystemExit(f"engine handshake {seed} failed: {client.error or server.error}")


def check_engine(ca: CertificateAuthority, credential: Credential) -> tuple[str, list[bytes]]:
    """One untimed handshake, looked at: what was negotiated, that no alert was sent, and
    the handshake messages the transcript hashes (for the floor's transcript hashing)."""
    client, server = engine_pair(ca, credential, 0)
    events: list[object] = []
    output = client.start()
    while output.data:
        reply = server.receive(output.data)
        events += reply.events
        output = client.receive(reply.data)
        events += output.events
    assert not [e for e in events if isinstance(e, AlertSent)], events
    assert client.handshake_complete and server.handshake_complete
    assert (client.cipher_suite, client.group) == (SUITE, NamedGroup.x25519)
    return f"{CipherSuite(SUITE).name}, {NamedGroup.x25519.name}", list(client.transcript)


# --- OpenSSL -------------------------------------------------------------------------------


def openssl_contexts(ca: CertificateAuthority, credential: Credential, directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    chain_pem, key_pem = credential.to_pem()
    (directory / "server.pem").write_bytes(chain_pem)
    (directory / "server.key").write_bytes(key_pem)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.minimum_version = ssl.TLSVersion.TLSv1_3
    server.load_cert_chain(directory / "server.pem", directory / "server.key")
    server.num_tickets = 0
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    client.minimum_version = ssl.TLSVersion.TLSv1_3
    client.load_verify_locations(cadata=ca.to_pem().decode())
    return client, server


def _step(obj: ssl.SSLObject) -> bool:
    try:
        obj.do_handshake()
        return True
    except ssl.SSLWantReadError:
        return False


def openssl_handshake(client_context: ssl.SSLContext, server_context: ssl.SSLContext) -> ssl.SSLObject:
    """One OpenSSL handshake, fresh SSLObjects (and so fresh key shares)."""
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_context.wrap_bio(c_in, c_out, server_hostname=HOST)
    server = server_context.wrap_bio(s_in, s_out, server_side=True)
    client_done = server_done = False
    while not (client_done and server_done):
        if not client_done:
            client_done = _step(client)
        s_in.write(c_out.read())
        if not server_done:
            server_done = _step(server)
        c_in.write(s_out.read())
    return client


def check_openssl(client_context: ssl.SSLContext, server_context: ssl.SSLContext) -> str:
    client = openssl_handshake(client_context, server_context)
    cipher, peer = client.cipher(), client.getpeercert()
    assert cipher is not None and peer is not None
    name, version, _ = cipher
    assert (name, version) == (SUITE.name, "TLSv1.3"), (name, version)
    assert peer["subject"] == ((("commonName", HOST),),)
    return f"{name}, X25519 (pinned)"


# --- the cryptography floor -----------------------------------------------------------------


def floor_handshake(signing_key: ec.EllipticCurvePrivateKey, ca_public: ec.EllipticCurvePublicKey, leaf_tbs: bytes,
                    leaf_signature: bytes, transcript: list[bytes]) -> None:
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


# --- timing -------------------------------------------------------------------------------


def timed(run: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def describe(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{name:20} n={len(samples):5}  median {statistics.median(ordered) * 1000:7.3f} ms   p95 {p95 * 1000:7.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handshakes", type=int, default=400, help="timed handshakes of each kind")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine handshakes instead")
    args = parser.parse_args()

    ca = CertificateAuthority.generate(SeededRandom(1).child("ca"))
    credential = ca.issue([HOST], "ecdsa", SeededRandom(2).child("ecdsa"))
    with tempfile.TemporaryDirectory() as directory:
        client_context, server_context = openssl_contexts(ca, credential, Path(directory))
    ca_public = ca.private_key.public_key()
    signing_key = credential.private_key
    assert isinstance(signing_key, ec.EllipticCurvePrivateKey)
    leaf_tbs, leaf_signature = credential.leaf.tbs_certificate_bytes, credential.leaf.signature

    engine_description, transcript = check_engine(ca, credential)
    seeds = itertools.count(1000)  # every engine handshake its own seed: its own key shares

    def engine() -> None:
        engine_handshake(ca, credential, next(seeds))

    def openssl() -> None:
        openssl_handshake(client_context, server_context)

    def floor() -> None:
        floor_handshake(signing_key, ca_public, leaf_tbs, leaf_signature, transcript)

    if args.profile:
        import cProfile
        import pstats

        timed(engine, 20)
        profiler = cProfile.Profile()
        profiler.runcall(timed, engine, args.handshakes)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    print(f"TLS 1.3 handshake benchmark on {os.cpu_count()} cores ({platform.machine()}), "
          f"Python {platform.python_version()}")
    print(f"  ssl module: {ssl.OPENSSL_VERSION}; cryptography {cryptography.__version__} "
          f"with {_crypto_backend.openssl_version_text()}")
    print(f"  engine negotiates {engine_description}; OpenSSL negotiates "
          f"{check_openssl(client_context, server_context)}")

    for run in (engine, openssl, floor):  # warm up: imports, caches, allocator
        timed(run, 20)
    # Interleave in rounds so both see the same machine noise.
    results: dict[str, list[float]] = {"engine": [], "OpenSSL": [], "cryptography floor": []}
    rounds = 10
    gc.collect()
    for _ in range(rounds):
        for name, run in (("engine", engine), ("OpenSSL", openssl), ("cryptography floor", floor)):
            results[name] += timed(run, max(1, args.handshakes // rounds))
    for name, samples in results.items():
        print(describe(name, samples))
    engine_ms, openssl_ms, floor_ms = (statistics.median(s) * 1000 for s in results.values())
    ratio = engine_ms / openssl_ms
    print(f"ratio engine/OpenSSL (medians): {ratio:.2f}x   target ≤ 1.0x -> {'met' if ratio <= 1.0 else 'NOT met'}")
    print(f"cryptography floor: {floor_ms:.3f} ms = {floor_ms / openssl_ms:.2f}x OpenSSL; "
          f"ours (engine - floor): {engine_ms - floor_ms:.3f} ms, "
          f"{(engine_ms - floor_ms) / engine_ms:.0%} of the engine's handshake")


if __name__ == "__main__":
    main()
