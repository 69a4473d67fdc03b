"""What the TLS handshake benchmarks (bench/tls12.py, bench/tls13.py) share.

- setting up: the generated CA and the server credentials it issues, and OpenSSL's client
  and server contexts for one protocol version with that CA and credential;
- driving: an engine client and server against each other, and an OpenSSL client and
  server (Python's `ssl`, SSLObjects over MemoryBIOs) against each other, in memory;
- timing: runs interleaved in rounds so they see the same machine noise, median and p95,
  the ratio to OpenSSL and the share of the engine's time above the cryptography floor;
- profiling: cProfile over the engine's handshakes.

A benchmark that pins OpenSSL through an OpenSSL configuration file must set
OPENSSL_CONF before importing this module (it imports `ssl`).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import ssl
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import cryptography
from cryptography.hazmat.backends.openssl import backend as _crypto_backend

from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority, Credential, KeyKind
from engine.tls.client13 import TlsClient
from engine.tls.events import AlertSent
from engine.tls.server13 import TlsServer

HOST = "localhost"
ROUNDS = 10
WARM_UP = 20
Key = TypeVar("Key")


# --- setting up ---------------------------------------------------------------------------


def authority(*kinds: KeyKind) -> tuple[CertificateAuthority, dict[KeyKind, Credential]]:
    """The CA and, for each key kind, a server credential for HOST that it issued."""
    ca = CertificateAuthority.generate(SeededRandom(1).child("ca"))
    return ca, {kind: ca.issue([HOST], kind, SeededRandom(2).child(kind)) for kind in kinds}


def openssl_contexts(ca: CertificateAuthority, credential: Credential, version: ssl.TLSVersion, *,
                     ciphers: str | None = None, curve: str | None = None) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """OpenSSL's client (CA-verified, hostname checked) and server contexts, both held to
    `version`; `ciphers` and `curve` pin TLS 1.2's suite and ECDHE curve on both sides.
    No session tickets: the engine's server issues none without a ticket store."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname
    for context in (client, server):
        context.minimum_version = context.maximum_version = version
        if ciphers is not None:
            context.set_ciphers(ciphers)
        if curve is not None:
            context.set_ecdh_curve(curve)
    chain_pem, key_pem = credential.to_pem()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        (directory / "server.pem").write_bytes(chain_pem)
        (directory / "server.key").write_bytes(key_pem)
        server.load_cert_chain(directory / "server.pem", directory / "server.key")
    server.num_tickets = 0  # TLS 1.3
    server.options |= ssl.OP_NO_TICKET  # TLS 1.2
    client.load_verify_locations(cadata=ca.to_pem().decode())
    return client, server


# --- driving ------------------------------------------------------------------------------


def engine_handshake(client: TlsClient, server: TlsServer, seed: int, events: list[object] | None = None) -> None:
    """Client and server (made from `seed`) talk until neither has more to say; both
    handshakes must be done. With `events`, what both said happened is gathered there."""
    output = client.start()
    while output.data:
        reply = server.receive(output.data)
        output = client.receive(reply.data)
        if events is not None:
            events += [*reply.events, *output.events]
    if not (client.handshake_complete and server.handshake_complete):
        raise SystemExit(f"engine handshake {seed} failed: {client.error or server.error}")


def check_engine_handshake(client: TlsClient, server: TlsServer) -> None:
    """One untimed engine handshake, looked at: complete, and no alert sent on the way."""
    events: list[object] = []
    engine_handshake(client, server, 0, events)
    assert not [e for e in events if isinstance(e, AlertSent)], events


def _step(obj: ssl.SSLObject) -> bool:
    try:
        obj.do_handshake()
        return True
    except ssl.SSLWantReadError:
        return False


def openssl_handshake(client_context: ssl.SSLContext, server_context: ssl.SSLContext) -> ssl.SSLObject:
    """One OpenSSL handshake, fresh SSLObjects (and so fresh key shares); the client's."""
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


def check_openssl_handshake(client_context: ssl.SSLContext, server_context: ssl.SSLContext, suite: str,
                            version: str) -> None:
    """One untimed OpenSSL handshake, looked at: `suite` and `version`, our server's name."""
    client = openssl_handshake(client_context, server_context)
    cipher, peer = client.cipher(), client.getpeercert()
    assert cipher is not None and peer is not None
    name, negotiated, _ = cipher
    assert (name, negotiated) == (suite, version), (name, negotiated)
    assert peer["subject"] == ((("commonName", HOST),),)


# --- timing -------------------------------------------------------------------------------


def arguments(doc: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--handshakes", type=int, default=400, help="timed handshakes of each kind")
    parser.add_argument("--profile", action="store_true", help="cProfile the engine handshakes instead")
    return parser.parse_args()


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


def print_header(version: str) -> None:
    print(f"TLS {version} handshake benchmark on {os.cpu_count()} cores ({platform.machine()}), "
          f"Python {platform.python_version()}")
    print(f"  ssl module: {ssl.OPENSSL_VERSION}; cryptography {cryptography.__version__} "
          f"with {_crypto_backend.openssl_version_text()}")


def measure(runs: Mapping[Key, Callable[[], object]], handshakes: int) -> dict[Key, list[float]]:
    """Each run `handshakes` times after a warm-up (imports, caches, allocator), all of them
    interleaved in rounds so they see the same machine noise."""
    for run in runs.values():
        timed(run, WARM_UP)
    results: dict[Key, list[float]] = {key: [] for key in runs}
    gc.collect()
    for _ in range(ROUNDS):
        for key, run in runs.items():
            results[key] += timed(run, max(1, handshakes // ROUNDS))
    return results


def report(engine: list[float], openssl: list[float], floor: list[float], indent: str = "") -> float:
    """The three lines of samples, the ratio and the floor; returns the ratio."""
    for name, samples in (("engine", engine), ("OpenSSL", openssl), ("cryptography floor", floor)):
        print(indent + describe(name, samples))
    engine_ms, openssl_ms, floor_ms = (statistics.median(s) * 1000 for s in (engine, openssl, floor))
    ratio = engine_ms / openssl_ms
    print(f"{indent}ratio engine/OpenSSL (medians): {ratio:.2f}x   target ≤ 1.0x -> {'met' if ratio <= 1.0 else 'NOT met'}")
    print(f"{indent}cryptography floor: {floor_ms:.3f} ms = {floor_ms / openssl_ms:.2f}x OpenSSL; "
          f"ours (engine - floor): {engine_ms - floor_ms:.3f} ms, "
          f"{(engine_ms - floor_ms) / engine_ms:.0%} of the engine's handshake")
    return ratio


# --- profiling ----------------------------------------------------------------------------


def profile(engine: Callable[[], object], handshakes: int) -> None:
    """cProfile `handshakes` engine handshakes (after a warm-up): by cumulative, by own time."""
    import cProfile
    import pstats

    timed(engine, WARM_UP)
    profiler = cProfile.Profile()
    profiler.runcall(timed, engine, handshakes)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
