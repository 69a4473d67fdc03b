"""One TLS connection over one TCP socket: the thin loop between the wire and an endpoint.

The loop does three things and decides nothing:

- bytes from the socket go to `endpoint.receive`, cut at record boundaries
  (`RecordFramer`) so the events come out record by record, in the order they happen;
- what the endpoint has pending is sent one message at a time (`endpoint.send`), so each
  message is reported together with the secrets deriving it caused;
- every wait has a deadline: a peer that falls silent, closes or resets is a one-line
  `PeerFailure` naming what we were waiting for, never a hang and never a traceback.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from engine.net.errors import AlertFailure, PeerFailure, PeerTimeout, UsageFailure
from engine.net.report import Reporter
from engine.tls.connection import Output, TlsConnection
from engine.tls.constants import ProtocolVersion
from engine.tls.events import AlertReceived, AlertSent, ApplicationDataReceived, HandshakeComplete, MessageSent
from engine.tls.keylog import keylog_line, tls12_keylog_line, tls13_keylog_lines
from engine.tls.keyschedule import SecretDerived
from engine.tls.messages import ClientKeyExchange
from engine.tls.suites import KeyExchange

RECORD_HEADER = 5
CHUNK = 65536
ReadEnd = Literal["done", "close_notify", "eof", "timeout"]


class RecordFramer:
    """Cuts a TCP byte stream at TLS record boundaries (a 5-byte header: type, version,
    length). Bytes of an unfinished record are passed on as they come: the endpoint
    buffers them, and judges a bad header at once rather than wait for a length that a
    peer speaking something else never sends."""

    def __init__(self) -> None:
        self._header = bytearray()
        self._body_left = 0

    def split(self, data: bytes) -> list[bytes]:
        pieces: list[bytes] = []
        start = position = 0
        while position < len(data):
            if self._body_left == 0:
                take = min(RECORD_HEADER - len(self._header), len(data) - position)
                self._header += data[position:position + take]
                position += take
                if len(self._header) < RECORD_HEADER:
                    continue
                self._body_left = int.from_bytes(self._header[3:5], "big")
                if self._body_left:
                    continue
            else:
                take = min(self._body_left, len(data) - position)
                position += take
                self._body_left -= take
                if self._body_left:
                    continue
            pieces.append(data[start:position])
            start = position
            self._header.clear()
        if start < len(data):
            pieces.append(data[start:])
        return pieces


def keylog_lines(version: int, client_random: bytes, events: list[SecretDerived],
                 rsa_encrypted: bytes = b"") -> list[str]:
    """The NSS key log lines for a batch of secrets, as OpenSSL writes them: TLS 1.3's
    traffic secrets one line each; TLS 1.2's `CLIENT_RANDOM <client random> <master secret>`,
    and before it, for a client that sent an RSA-encrypted pre-master secret (given as
    `rsa_encrypted`), `RSA <its first 8 bytes> <pre-master secret>`. Both versions have a
    secret named master_secret: the version decides which is meant."""
    if version != ProtocolVersion.TLS1_2:
        return tls13_keylog_lines(client_random, events)
    lines = []
    for event in events:
        if event.name == "pre_master_secret" and rsa_encrypted:
            lines.append(keylog_line("RSA", rsa_encrypted[:8], event.value))
        elif event.name == "master_secret":
            lines.append(tls12_keylog_line(client_random, event.value))
    return lines


class KeylogFile:
    """Appends NSS key log lines (what Wireshark reads) as the secrets become known."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("a", encoding="ascii"):
                pass
        except OSError as error:
            raise UsageFailure(f"cannot write the key log {path}: {error.strerror}") from None

    def add(self, client_random: bytes, events: list[SecretDerived], version: int = ProtocolVersion.TLS1_3,
            rsa_encrypted: bytes = b"") -> None:
        lines = keylog_lines(version, client_random, events, rsa_encrypted)
        if lines:
            with self.path.open("a", encoding="ascii") as file:
                file.write("".join(line + "\n" for line in lines))


def client_random(endpoint: TlsConnection) -> bytes:
    """ClientHello.random of the connection, from either side's endpoint (b"" before it)."""
    own: bytes = getattr(endpoint, "client_random", b"")
    hello = getattr(endpoint, "client_hello", None)
    return own or (hello.random if hello is not None else b"")


def expected_messages(endpoint: TlsConnection) -> str:
    """What the endpoint's state table lets arrive now, in words: "ServerHello"."""
    kinds = type(endpoint).HANDLERS.get(endpoint.state, {})
    words = ["".join(part.capitalize() for part in kind.name.split("_")) for kind in kinds]
    if "CHANGE_CIPHER_SPEC" in str(getattr(endpoint.state, "value", endpoint.state)):
        words.append("ChangeCipherSpec")  # TLS 1.2: a record of its own, not a handshake message
    return " or ".join(words) or "the next handshake message"


class Session:
    """A TLS endpoint (client or server) driven over a connected socket.

    `peer` names the other side in messages ("the server"); `timeout` bounds each phase
    (the handshake; each later read) in seconds."""

    def __init__(self, endpoint: TlsConnection, sock: socket.socket, reporter: Reporter, *,
                 peer: str, timeout: float, keylog: KeylogFile | None = None) -> None:
        self.endpoint = endpoint
        self.sock = sock
        self.reporter = reporter
        self.peer = peer
        self.timeout = timeout
        self.keylog = keylog
        self.received = bytearray()
        self.secrets: dict[str, bytes] = {}
        self.completed: HandshakeComplete | None = None
        self.peer_closed = False
        self.timed_out = False
        self._framer = RecordFramer()
        self._alert_sent: AlertSent | None = None
        self._alert_received: AlertReceived | None = None
        self._unlogged: list[SecretDerived] = []
        self._rsa_encrypted = b""  # TLS 1.2 RSA key exchange: the encrypted pre-master secret

    # --- the phases ------------------------------------------------------------------

    def handshake(self) -> HandshakeComplete:
        """Send what the endpoint has to say first (a client's ClientHello), then shuttle
        records until the handshake completes. PeerFailure if it does not."""
        deadline = time.monotonic() + self.timeout
        self.flush()
        while self.completed is None:
            self._raise_if_failed()
            waiting = expected_messages(self.endpoint)
            data = self._recv(deadline, f"{waiting} from {self.peer}")
            if not data:
                self.peer_closed = True
                raise PeerFailure(f"{self.peer} closed the connection during the handshake, "
                                  f"while we waited for its {waiting}")
            self._feed(data)
        return self.completed

    def send(self, data: bytes) -> None:
        self._emit(self.endpoint.send_application_data(data))

    def read_until(self, done: Callable[[bytes], bool]) -> ReadEnd:
        """Read application data into `received` until `done(received)`, the peer's
        close_notify, the end of the TCP stream, or the deadline, and say which came."""
        deadline = time.monotonic() + self.timeout
        while not done(bytes(self.received)):
            if self.endpoint.received_close_notify:
                return "close_notify"
            self._raise_if_failed()
            if self.peer_closed:
                return "eof"
            try:
                data = self._recv(deadline, f"data from {self.peer}")
            except PeerTimeout:
                return "timeout"
            if not data:
                self.peer_closed = True
                return "eof"
            self._feed(data)
        return "done"

    def close(self, linger: float = 2.0) -> None:
        """close_notify (unless the endpoint is closed: a fatal alert went out instead),
        then half-close and read what the peer still says (its own close_notify) for up to
        `linger` seconds, so that what we sent last is not lost to a reset (closing a socket
        with unread data sends RST); no lingering after a timeout. Never raises."""
        try:
            if not self.endpoint.closed:
                self._emit(self.endpoint.close())
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + (0 if self.timed_out else min(linger, self.timeout))
            while not (self.peer_closed or self.endpoint.received_close_notify):
                data = self._recv(deadline, "the end of the connection")
                if not data:
                    break
                self._feed(data)
        except (PeerFailure, OSError):
            pass
        finally:
            self.sock.close()

    # --- bytes in, bytes out ---------------------------------------------------------

    def flush(self) -> None:
        """Send the endpoint's pending messages, one move at a time."""
        while self.endpoint.pending and not self.endpoint.closed:
            self._emit(self.endpoint.send(self.endpoint.pending[0]))

    def _feed(self, data: bytes) -> None:
        for piece in self._framer.split(data):
            self._emit(self.endpoint.receive(piece))
            self.flush()

    def _emit(self, output: Output) -> None:
        self.reporter.events(output.events)
        for event in output.events:
            self._note(event)
        if self.keylog is not None and self._unlogged and (random := client_random(self.endpoint)):
            version = getattr(self.endpoint, "version", ProtocolVersion.TLS1_3)
            self.keylog.add(random, self._unlogged, version, self._rsa_encrypted)
            self._unlogged = []
        if output.data:
            self._sendall(output.data)

    def _note(self, event: Any) -> None:
        if isinstance(event, SecretDerived):
            self.secrets[event.name] = event.value
            self._unlogged.append(event)
        elif isinstance(event, ApplicationDataReceived):
            self.received += event.data
        elif isinstance(event, HandshakeComplete):
            self.completed = event
        elif isinstance(event, AlertSent):
            self._alert_sent = event
        elif isinstance(event, AlertReceived) and event.fatal:
            self._alert_received = event
        elif isinstance(event, MessageSent) and isinstance(event.message, ClientKeyExchange):
            if event.message.key_exchange is KeyExchange.RSA:  # a client's key log has its RSA line
                self._rsa_encrypted = event.message.exchange_keys

    def _sendall(self, data: bytes) -> None:
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise PeerTimeout(f"{self.peer} stopped reading: could not send for {self.timeout:g} s") from None
        except OSError as error:
            self.peer_closed = True
            raise PeerFailure(f"{self.peer} is gone: sending failed ({error.strerror or error})") from None

    def _recv(self, deadline: float, waiting: str) -> bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout(waiting)
        self.sock.settimeout(remaining)
        try:
            return self.sock.recv(CHUNK)
        except TimeoutError:
            raise self._timeout(waiting) from None
        except ConnectionResetError:
            self.peer_closed = True
            raise PeerFailure(f"{self.peer} reset the connection (TCP RST) while we waited for {waiting}") from None
        except OSError as error:
            raise PeerFailure(f"the connection failed while we waited for {waiting}: "
                              f"{error.strerror or error}") from None

    def _timeout(self, waiting: str) -> PeerTimeout:
        self.timed_out = True
        return PeerTimeout(f"no {waiting} within {self.timeout:g} s (--timeout); giving up")

    def _raise_if_failed(self) -> None:
        """The endpoint stopped on an alert: say whose and why."""
        if not self.endpoint.closed:
            return
        stage = "handshake failed" if self.completed is None else "connection failed"
        if self._alert_sent is not None:
            alert = self._alert_sent
            where = f" ({alert.section})" if alert.section else ""
            raise AlertFailure(f"{stage}: we sent alert {alert.description.name}: {alert.reason}{where}")
        if self._alert_received is not None:
            raise AlertFailure(f"{stage}: {self.peer} sent alert {self._alert_received.description.name}")
        raise AlertFailure(f"{stage}: the connection is closed")


__all__ = ["KeylogFile", "ReadEnd", "RecordFramer", "Session", "client_random", "expected_messages", "keylog_lines"]
