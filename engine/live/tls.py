"""TLS over the live link: OpenSSL (Python's `ssl`) on the kernel's socket, the engine's
TLS client on the engine's TCP endpoint.

The server's certificate comes from a demo CA made from the seed (the one `synack serve`
uses); the engine's client trusts that CA and checks the name "localhost".
"""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.live.autopilot import AutoPilot
from engine.net.identity import ServeIdentity, make_identity
from engine.net.versions import protocol_versions
from engine.rng import SeededRandom
from engine.tls.client13 import TlsClient
from engine.tls.config import TlsConfig
from engine.tls.events import ApplicationDataReceived, HandshakeComplete

__all__ = ["SERVER_NAME", "TlsOverTcp", "engine_client", "live_identity", "openssl_server_context"]

SERVER_NAME = "localhost"
_SSL_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def live_identity(seed: int) -> ServeIdentity:
    return make_identity(seed, "ecdsa")


def openssl_server_context(identity: ServeIdentity, version: str | None) -> ssl.SSLContext:
    """A real OpenSSL server context with the identity's certificate; `version` "1.2" or
    "1.3" pins it, None allows both."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = _SSL_VERSIONS.get(version or "1.2", ssl.TLSVersion.TLSv1_2)
    if version is not None:
        context.maximum_version = _SSL_VERSIONS[version]
    chain, key = identity.server.to_pem()
    with tempfile.TemporaryDirectory(prefix="synack-live-") as folder:
        cert_file, key_file = Path(folder, "server.pem"), Path(folder, "server.key")
        cert_file.write_bytes(chain)
        key_file.write_bytes(key)
        context.load_cert_chain(cert_file, key_file)
    return context


def engine_client(identity: ServeIdentity, seed: int, version: str | None, *, autoflush: bool = True) -> TlsClient:
    config = TlsConfig(
        SeededRandom(seed).child("live.tls"),
        now=datetime.now(timezone.utc),
        versions=protocol_versions(version),
        server_name=SERVER_NAME,
        trust_anchors=(identity.ca.certificate,),
    )
    return TlsClient(config, autoflush=autoflush)


class TlsOverTcp:
    """Carries an engine TLS client's bytes in the autopilot's TCP, both ways."""

    def __init__(self, pilot: AutoPilot, client: TlsClient) -> None:
        self.pilot = pilot
        self.client = client
        self.events: list[Any] = []
        self.plaintext = bytearray()
        self._delivered = 0

    def _push(self, output: Any) -> None:
        self.events.extend(output.events)
        for event in output.events:
            if isinstance(event, ApplicationDataReceived):
                self.plaintext += event.data
        if output.data:
            self.pilot.send(output.data)

    def _pump(self) -> None:
        """Hand the TCP bytes that arrived since last time to the TLS client."""
        received = bytes(self.pilot.received[self._delivered:])
        if received:
            self._delivered += len(received)
            self._push(self.client.receive(received))

    def run_until(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        def done() -> bool:
            self._pump()
            return condition()

        self.pilot.run_until(done, what, timeout)

    def handshake(self) -> HandshakeComplete:
        self._push(self.client.start())
        self.run_until(lambda: self.client.handshake_complete or self.client.closed, "the TLS handshake")
        complete = [event for event in self.events if isinstance(event, HandshakeComplete)]
        if not complete:
            raise RuntimeError(f"the TLS handshake failed: {self.events[-1] if self.events else 'no events'}")
        return complete[0]

    def exchange(self, data: bytes) -> bytes:
        """Send application data; wait for the same number of bytes back (an echo)."""
        start = len(self.plaintext)
        self._push(self.client.send_application_data(data))
        self.run_until(lambda: len(self.plaintext) - start >= len(data), "the echo over TLS")
        return bytes(self.plaintext[start:])

    def close(self) -> None:
        self._push(self.client.close())
