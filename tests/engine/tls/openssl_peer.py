"""OpenSSL in process: Python's ssl module over MemoryBIOs, no sockets, no network.

`handshake(engine, peer)` shuttles bytes between one of our endpoints and OpenSSL until
both stop talking; the tests then look at what each side ended up with.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

from engine.tls.certs import CertificateAuthority, Credential
from engine.tls.connection import TlsConnection


@dataclass
class OpenSslPeer:
    obj: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO
    received: bytearray = field(default_factory=bytearray)
    done: bool = False
    error: ssl.SSLError | None = None

    def step(self, data: bytes) -> bytes:
        if data:
            self.incoming.write(data)
        try:
            if not self.done:
                try:
                    self.obj.do_handshake()
                    self.done = True
                except ssl.SSLWantReadError:
                    pass
            if self.done:
                self._drain()
        except ssl.SSLError as error:  # OpenSSL received or sent a fatal alert
            self.error = error
            self.done = True
        return self.outgoing.read()

    def _drain(self) -> None:
        while True:
            try:
                chunk = self.obj.read(65536)
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                return
            if not chunk:
                return
            self.received += chunk

    def write(self, data: bytes) -> bytes:
        self.obj.write(data)
        return self.outgoing.read()


def write_pem(directory: Path, name: str, credential: Credential) -> tuple[Path, Path]:
    chain, key = credential.to_pem()
    chain_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    chain_path.write_bytes(chain)
    key_path.write_bytes(key)
    return chain_path, key_path


def server_context(directory: Path, credential: Credential, *, keylog: Path | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(*write_pem(directory, "server", credential))
    if keylog:
        context.keylog_filename = str(keylog)
    return context


def client_context(ca: CertificateAuthority, *, keylog: Path | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(cadata=ca.to_pem().decode())
    if keylog:
        context.keylog_filename = str(keylog)
    return context


def openssl(context: ssl.SSLContext, *, server_side: bool, server_hostname: str | None = None) -> OpenSslPeer:
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context.wrap_bio(incoming, outgoing, server_side=server_side, server_hostname=server_hostname)
    return OpenSslPeer(obj, incoming, outgoing)


def run(engine: TlsConnection, peer: OpenSslPeer, first: bytes, *, rounds: int = 10) -> list[object]:
    """Shuttle bytes both ways, starting with `first` travelling toward the other side
    (the engine's ClientHello, or b"" to let OpenSSL's client speak first)."""
    events: list[object] = []
    to_peer = first
    for _ in range(rounds):
        to_engine = peer.step(to_peer)
        output = engine.receive(to_engine)
        events += output.events
        to_peer = output.data
        if not to_peer and not to_engine and peer.done:
            break
    return events
