"""`synack serve`: the engine's TLS server on a loopback TCP port, answering HTTP GET.

One connection at a time: each is played to its end (or to its deadline) before the next
is accepted, so the printed handshakes never interleave. Every connection draws its
randomness from the seed and its number, so `--seed N` replays the same certificates,
randoms and key shares against the same client hellos.
"""

from __future__ import annotations

import secrets
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, TextIO

from engine.net.addresses import Address, resolve_loopback
from engine.net.errors import EXIT_OK, EXIT_PEER, AlertFailure, NetFailure, PeerFailure, UsageFailure
from engine.net.http import request_complete, request_line, respond
from engine.net.identity import SERVER_NAMES, ServeIdentity, credential_pem, make_identity, write_file
from engine.net.report import Reporter
from engine.net.session import KeylogFile, Session
from engine.net.versions import openssl_flag, protocol_versions, versions_words
from engine.rng import SeededRandom
from engine.tls.certs import KeyKind
from engine.tls.config import TicketStore, TlsConfig
from engine.tls.constants import ProtocolVersion
from engine.tls.server13 import TlsServer

ClientAuth = Literal["none", "request", "require"]


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 4433
    cert: KeyKind = "ecdsa"
    tls_version: str | None = None  # "1.2" or "1.3"; None: both, the highest the client offers
    client_auth: ClientAuth = "none"
    seed: int | None = None
    once: bool = False
    timeout: float = 10.0
    keylog: Path | None = None
    ca_out: Path | None = None
    client_cert_out: Path | None = None
    full_secrets: bool = False


@dataclass
class _Server:
    """What every connection shares: the options, the identity, the ticket store, the log."""

    options: ServeOptions
    seed: int
    identity: ServeIdentity
    reporter: Reporter
    keylog: KeylogFile | None
    tickets: TicketStore

    @property
    def versions(self) -> tuple[int, ...]:
        return protocol_versions(self.options.tls_version)

    def config(self, number: int) -> TlsConfig:
        return TlsConfig(
            SeededRandom(self.seed).child(f"serve.connection.{number}"),
            now=datetime.now(timezone.utc),
            versions=self.versions,
            credential=self.identity.server,
            trust_anchors=(self.identity.ca.certificate,),
            client_auth=self.options.client_auth,
            alpn=("http/1.1",),
            tickets=self.tickets,
        )

    def serve_one(self, connection: socket.socket, peer: str, number: int) -> bool:
        """Play one connection to its end; True if the handshake completed."""
        reporter = self.reporter
        rule = reporter.symbols.rule
        reporter.line(f"{rule} connection {number} from {peer} {rule}")
        endpoint = TlsServer(self.config(number), autoflush=False)
        session = Session(endpoint, connection, reporter, peer="the client",
                          timeout=self.options.timeout, keylog=self.keylog)
        try:
            done = session.handshake()
            end = session.read_until(request_complete)
            if not session.received:
                reporter.line(f"  (no request: {_ENDINGS[end]})")
                return True
            reporter.line(f"  {request_line(bytes(session.received))}")
            response, status = respond(bytes(session.received), done, endpoint.server_name)
            session.send(response)
            reporter.line(f"  HTTP/1.1 {status}")
            return True
        except AlertFailure:
            return session.completed is not None  # the alert is in the log already
        except PeerFailure as failure:
            reporter.fail(str(failure))
            return session.completed is not None
        finally:
            session.close()
            reporter.line(f"{rule} connection {number} closed {rule}")


# What the bracket after a message names, by the version served (None: both).
_BRACKETS: dict[int | None, str] = {
    ProtocolVersion.TLS1_3: "the traffic secret whose key",
    ProtocolVersion.TLS1_2: "the write key (from the key block)",
    None: "the traffic secret (TLS 1.3) or the write key (TLS 1.2)",
}
_ENDINGS = {
    "close_notify": "the client sent close_notify",
    "eof": "the client closed the connection",
    "timeout": "nothing came before the deadline",
    "done": "",
}


def serve(options: ServeOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the server; the exit status (with --once: 0 if that connection's handshake
    completed, 1 if not; 2 for a bad option or a port that cannot be had)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        server = _prepare(options, Reporter(out, peer="the client", full_secrets=options.full_secrets))
        listener, address = _listen(options.host, options.port)
    except NetFailure as failure:
        err.write(f"synack serve: {failure}\n")
        return failure.exit_code
    with listener:
        _banner(server, address)
        number = 0
        while True:
            try:
                connection, peer = listener.accept()
            except OSError as error:  # e.g. a connection reset before we took it
                server.reporter.fail(f"accept failed: {error.strerror or error}")
                time.sleep(0.1)  # not a busy loop if it keeps failing (out of file descriptors)
                continue
            number += 1
            ok = server.serve_one(connection, str(Address(listener.family, peer[0], peer[1])), number)
            if options.once:
                return EXIT_OK if ok else EXIT_PEER


def _prepare(options: ServeOptions, reporter: Reporter) -> _Server:
    if options.tls_version == "1.2" and options.cert == "ed25519":
        raise UsageFailure("--tls-version 1.2 needs --cert ecdsa or rsa: synack's TLS 1.2 suites are "
                           "ECDHE_ECDSA (ecdsa) and ECDHE_RSA, DHE_RSA, RSA (rsa)")
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    identity = make_identity(seed, options.cert)
    if options.ca_out is not None:
        write_file(options.ca_out, identity.ca.to_pem(), "the CA certificate")
    if options.client_cert_out is not None:
        write_file(options.client_cert_out, credential_pem(identity.client), "the client certificate")
    keylog = KeylogFile(options.keylog) if options.keylog is not None else None
    return _Server(options, seed, identity, reporter, keylog, TicketStore())


def _listen(host: str, port: int) -> tuple[socket.socket, Address]:
    addresses = resolve_loopback(host, port)
    address = next((a for a in addresses if a.family == socket.AF_INET), addresses[0])
    listener = socket.socket(address.family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address.sockaddr)
        listener.listen()
    except OSError as error:
        listener.close()
        raise UsageFailure(f"cannot listen on {address}: {error.strerror or error}") from None
    bound = listener.getsockname()
    return listener, Address(address.family, bound[0], bound[1])


def _banner(server: _Server, address: Address) -> None:
    options, reporter, symbols = server.options, server.reporter, server.reporter.symbols
    reporter.line(f"synack serve {symbols.dot} {versions_words(server.versions)} {symbols.dot} "
                  f"seed {server.seed} (--seed {server.seed} gives the same certificates and keys)")
    reporter.line(f"  certificate: {options.cert}, for {', '.join(SERVER_NAMES)}, issued by the demo CA "
                  f"\"{server.identity.ca.parsed.subject.rfc4514_string()}\"")
    if options.cert == "ed25519" and ProtocolVersion.TLS1_2 in server.versions:
        reporter.warn("an ed25519 certificate serves TLS 1.3 only: a TLS 1.2 client gets handshake_failure "
                      "(use --cert ecdsa or rsa for TLS 1.2)")
    if options.ca_out is not None:
        reporter.line(f"  CA certificate written to {options.ca_out}: clients trust this server through it")
    else:
        reporter.warn("no --ca-out: clients have no CA to check this server's certificate with")
    if options.client_auth != "none":
        reporter.line(f"  client authentication: {options.client_auth}d (CertificateRequest)")
        if options.client_cert_out is not None:
            reporter.line(f"  a client certificate and its key written to {options.client_cert_out}")
    if options.keylog is not None:
        reporter.line(f"  key log (NSS format, for Wireshark): {options.keylog}")
    ca = f" -CAfile {options.ca_out}" if options.ca_out else ""
    reporter.line(f"listening on {address}")
    reporter.line(f"  try: openssl s_client -connect {address} -servername localhost{ca}"
                  f"{openssl_flag(server.versions)}")
    bracket = _BRACKETS[server.versions[0] if len(server.versions) == 1 else None]
    reporter.line(f"  legend: {symbols.sent} we (the server) sent, {symbols.received} we received, "
                  f"[secret] {bracket} that protected the record")
    reporter.line(f"  one connection at a time; each must finish its handshake within {options.timeout:g} s"
                  + ("" if options.once else "; Ctrl-C stops"))


__all__ = ["ServeOptions", "serve"]
