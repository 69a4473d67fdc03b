"""`synack connect`: the engine's TLS client against a server on a loopback address.

Like `openssl s_client`, explained: each handshake message and secret as it happens, then
what was negotiated and the keys that protect the application data, then one HTTP GET and
the reply, then close_notify.
"""

from __future__ import annotations

import secrets
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from engine.net.addresses import Address, is_ip_literal, parse_target, resolve_loopback
from engine.net.errors import EXIT_OK, NetFailure, PeerFailure, UsageFailure
from engine.net.http import build_request, content_complete, request_line
from engine.net.identity import load_client_credential, load_trust_anchors
from engine.net.report import Reporter, version_words
from engine.net.session import KeylogFile, Session
from engine.net.versions import protocol_versions
from engine.rng import SeededRandom
from engine.tls.client13 import TlsClient
from engine.tls.config import TlsConfig
from engine.tls.constants import CipherSuite, NamedGroup, ProtocolVersion, known, name
from engine.tls.events import HandshakeComplete
from engine.tls.messages import DheParams
from engine.tls.suites import KeyExchange, suite_info

INSECURE_WARNING = (
    "WARNING: --insecure: the server's certificate is NOT checked. Anyone could be on the "
    "other end of this connection; the keys below protect nothing. For learning only."
)
APPLICATION_KEYS = (
    "client_application_traffic_secret_0", "client_application_key_0", "client_application_iv_0",
    "server_application_traffic_secret_0", "server_application_key_0", "server_application_iv_0",
)
APPLICATION_KEYS12 = ("master_secret", "client_write_key", "client_write_iv", "server_write_key", "server_write_iv")


@dataclass(frozen=True)
class ConnectOptions:
    target: str
    servername: str | None = None
    ca: Path | None = None
    insecure: bool = False
    client_cert: Path | None = None
    client_key: Path | None = None
    path: str = "/"
    tls_version: str | None = None  # "1.2" or "1.3"; None: offer both
    seed: int | None = None
    timeout: float = 10.0
    keylog: Path | None = None
    full_secrets: bool = False


def connect(options: ConnectOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one connection; 0 ok, 1 the handshake or the exchange failed, 2 bad options or
    no TCP connection."""
    out, err = out or sys.stdout, err or sys.stderr
    reporter = Reporter(out, peer="the server", full_secrets=options.full_secrets)
    try:
        return _connect(options, reporter, err)
    except NetFailure as failure:
        err.write(f"synack connect: {failure}\n")
        return failure.exit_code


def _connect(options: ConnectOptions, reporter: Reporter, err: TextIO) -> int:
    host, port = parse_target(options.target)
    config = _config(options, host)
    keylog = KeylogFile(options.keylog) if options.keylog is not None else None
    addresses = resolve_loopback(host, port)
    if options.insecure:
        err.write(f"{reporter.symbols.warn} {INSECURE_WARNING}\n")
    sock, address = _open(addresses, options.timeout)
    reporter.line(f"synack connect {reporter.symbols.dot} {address} {reporter.symbols.dot} "
                  f"SNI {config.server_name or '(none)'} {reporter.symbols.dot} seed {config.rng.seed}")
    reporter.line(f"  TCP connected; legend: {reporter.symbols.sent} we (the client) sent, "
                  f"{reporter.symbols.received} we received, [secret] the key that protected the record")
    client = TlsClient(config, autoflush=False)
    session = Session(client, sock, reporter, peer="the server", timeout=options.timeout, keylog=keylog)
    try:
        done = session.handshake()
        _summary(reporter, options, client, session, done)
        request = build_request(config.server_name or host, options.path)
        session.send(request)
        reporter.line(f"  {request_line(request)}")
        end = session.read_until(content_complete)
        _reply(reporter, session, end)
    finally:
        session.close()
    return EXIT_OK


def _config(options: ConnectOptions, host: str) -> TlsConfig:
    if options.ca is None and not options.insecure:
        raise UsageFailure("give --ca FILE (the CA that issued the server's certificate) or --insecure")
    servername = options.servername
    if servername is not None and is_ip_literal(servername):
        raise UsageFailure(f"--servername takes a host name, not an address like {servername} (RFC 6066 §3)")
    if servername is None and not is_ip_literal(host):
        servername = host
    if servername is None and not options.insecure:
        raise UsageFailure(f"{host} is an address, not a name: give --servername NAME, the name to ask "
                           "for (SNI) and to check in the server's certificate")
    anchors = load_trust_anchors(options.ca) if options.ca is not None else ()
    credential = load_client_credential(options.client_cert, options.client_key) if options.client_cert else None
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    return TlsConfig(
        SeededRandom(seed).child("connect"),
        now=datetime.now(timezone.utc),
        versions=protocol_versions(options.tls_version),
        server_name=servername,
        trust_anchors=anchors,
        verify_peer=not options.insecure,
        credential=credential,
        alpn=("http/1.1",),
    )


def _open(addresses: list[Address], timeout: float) -> tuple[socket.socket, Address]:
    """A TCP connection to the first address that takes it."""
    problems: list[str] = []
    for address in addresses:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address.sockaddr)
        except TimeoutError:
            problems.append(f"{address}: no answer to our SYN within {timeout:g} s")
        except OSError as error:
            problems.append(f"{address}: {(error.strerror or str(error)).lower()}")
        else:
            return sock, address
        sock.close()
    raise UsageFailure("cannot connect: " + "; ".join(problems) + " (is a server listening there?)")


def _summary(reporter: Reporter, options: ConnectOptions, client: TlsClient, session: Session,
             done: HandshakeComplete) -> None:
    tls12 = done.version == ProtocolVersion.TLS1_2
    if options.insecure:
        server = f"{done.peer_certificate_subject}, NOT verified (--insecure)"
    else:
        server = f"{done.peer_certificate_subject}, verified for {client.config.server_name} against {options.ca}"
    if not (client.certificate_requested12 if tls12 else client.certificate_requested):
        ours = "not asked for"
    else:
        ours = "asked for; sent" if client.config.credential else "asked for; we had none (empty Certificate)"
    rows = [
        ("version", version_words(done.version)),
        ("cipher suite", name(known(CipherSuite, done.cipher_suite))),
        ("key exchange", _key_exchange12(client, done) if tls12 else _key_exchange13(client, done)),
        ("ALPN", done.alpn or "(none)"),
        ("server", server),
        ("our certificate", ours),
        ("resumed", "yes" if done.resumed else "no"),
    ]
    if tls12:
        rows.insert(3, ("master secret", "extended (RFC 7627: bound to the handshake)" if client.use_ems
                        else "classic (from the two randoms)"))
    reporter.line("negotiated")
    for label, value in rows:
        reporter.line(f"  {label:16} {value}")
    if tls12:
        reporter.line("keys protecting the application data (RFC 5246 §6.3: cut from the key block)")
    else:
        reporter.line("keys protecting the application data (RFC 8446 §7.3)")
    for key in APPLICATION_KEYS12 if tls12 else APPLICATION_KEYS:
        if key in session.secrets:
            reporter.line(f"  {key:37} {session.secrets[key].hex()}")


def _key_exchange13(client: TlsClient, done: HandshakeComplete) -> str:
    group = name(known(NamedGroup, done.group)) if done.group is not None else "(none: PSK only)"
    if client.hello_retry is not None:
        group += " (after a HelloRetryRequest)"
    return group


def _key_exchange12(client: TlsClient, done: HandshakeComplete) -> str:
    """"ECDHE_RSA, x25519", "DHE_RSA, 2048-bit p", "RSA: ..."; what a resumed session did instead."""
    if done.resumed:
        return "none: the master secret of the session resumed"
    kex = suite_info(done.cipher_suite).key_exchange
    if kex is None:  # a TLS 1.3 suite: cannot be, in a TLS 1.2 handshake
        return "(unknown)"
    if kex is KeyExchange.RSA:
        return "RSA: the pre-master secret went encrypted to the server's RSA key (no forward secrecy)"
    params = client.server_params
    if isinstance(params, DheParams):
        return f"{kex.value}, {int.from_bytes(params.p, 'big').bit_length()}-bit p"
    group = name(known(NamedGroup, done.group)) if done.group is not None else "(unknown)"
    return f"{kex.value}, {group}"


def _reply(reporter: Reporter, session: Session, end: str) -> None:
    reply = bytes(session.received)
    if not reply:
        raise PeerFailure(f"no HTTP reply from the server ({_ENDINGS.get(end, end)})")
    rule = reporter.symbols.rule
    reporter.line(f"{rule} HTTP reply, {len(reply)} bytes {rule}")
    reporter.text_block(reply)
    reporter.line(rule)
    if end == "eof" and not session.endpoint.received_close_notify:
        reporter.warn("the server closed TCP without close_notify: a truncated reply would look the same "
                      "(RFC 8446 §6.1)")


_ENDINGS = {
    "close_notify": "it sent close_notify",
    "eof": "it closed the connection",
    "timeout": "nothing came before the deadline",
}

__all__ = ["ConnectOptions", "INSECURE_WARNING", "connect"]
