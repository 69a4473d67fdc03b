"""Engine events as lines a person reads while the handshake happens.

    ← ClientHello 3 suites, x25519 share, SNI localhost   [plaintext]
    → ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256, x25519 share   [plaintext]
    🔑 server_handshake_traffic_secret = 3f2a9c01… = Derive-Secret(handshake_secret, "s hs traffic", ClientHello...ServerHello)
    ← Finished 9b1e…   [client_handshake_traffic_secret]
    ✓ handshake complete: TLS 1.3 · TLS_AES_128_GCM_SHA256 · x25519 · ALPN http/1.1

"→" is a message this side sent, "←" one it received; the bracket names the traffic
secret whose key protected the record ("plaintext" when none did). TLS 1.2 reads the same,
with its own secrets (pre_master_secret, master_secret, key_block, then the write keys cut
from it) and the write key in the bracket ("← Finished …   [client_write_key]").

The formatter for each kind of event is one row of `FORMATTERS`; events with no row
(records, state changes) are not shown. Knows events, not sockets: the same lines serve any transport.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from engine.tls.constants import CipherSuite, NamedGroup, ProtocolVersion, known, name
from engine.tls.events import AlertReceived, AlertSent, HandshakeComplete, MessageReceived, MessageSent
from engine.tls.keyschedule import SecretDerived


@dataclass(frozen=True)
class Symbols:
    sent: str
    received: str
    key: str
    ok: str
    fail: str
    warn: str
    ellipsis: str
    dot: str
    rule: str


UNICODE = Symbols("→", "←", "🔑", "✓", "✗", "⚠", "…", "·", "──")
ASCII = Symbols("->", "<-", "key", "ok", "x", "!", "...", "|", "--")


def symbols_for(stream: TextIO) -> Symbols:
    """Unicode arrows if the stream's encoding can write them, ASCII otherwise."""
    encoding = getattr(stream, "encoding", None) or "utf-8"  # None: in memory (StringIO)
    try:
        "".join(vars(UNICODE).values()).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII
    return UNICODE


def version_words(version: int) -> str:
    """0x0304 → "TLS 1.3"."""
    return f"TLS 1.{(version & 0xFF) - 1}" if 0x0301 <= version <= 0x0304 else f"0x{version:04x}"


def hex_value(value: bytes, *, full: bool, ellipsis: str = "…") -> str:
    """A secret's value: the first 4 bytes in hex and an ellipsis, or all of it."""
    return value.hex() if full or len(value) <= 4 else value[:4].hex() + ellipsis


class Reporter:
    """Writes one line per shown event (and per note) to `stream`, flushed at once, so the
    lines appear while the handshake happens, also when stdout is a pipe."""

    def __init__(self, stream: TextIO, *, peer: str = "the peer", full_secrets: bool = False,
                 symbols: Symbols | None = None) -> None:
        self.stream = stream
        self.peer = peer
        self.full_secrets = full_secrets
        self.symbols = symbols or symbols_for(stream)

    # --- plain lines -----------------------------------------------------------------

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def ok(self, text: str) -> None:
        self.line(f"{self.symbols.ok} {text}")

    def fail(self, text: str) -> None:
        self.line(f"{self.symbols.fail} {text}")

    def warn(self, text: str) -> None:
        self.line(f"{self.symbols.warn} {text}")

    def text_block(self, data: bytes, indent: str = "  ", limit: int = 8000) -> None:
        """Application bytes as text, indented; cut at `limit` characters."""
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        cut = len(text) > limit
        for row in text[:limit].splitlines():
            self.line(indent + row)
        if cut:
            self.line(f"{indent}{self.symbols.ellipsis} ({len(text) - limit} more characters)")

    # --- engine events ---------------------------------------------------------------

    def events(self, events: Iterable[object]) -> None:
        """The shown events in order, except that "handshake complete" closes its batch
        (the engine lists a step's secrets after its messages)."""
        batch = list(events)
        last = [event for event in batch if isinstance(event, HandshakeComplete)]
        for event in [event for event in batch if not isinstance(event, HandshakeComplete)] + last:
            formatter = FORMATTERS.get(type(event))
            text = formatter(self, event) if formatter else None
            if text is not None:
                self.line(text)

    def _message(self, arrow: str, message: Any, protected_by: str | None) -> str:
        summary = message.summary() if hasattr(message, "summary") else type(message).__name__
        return f"{arrow} {summary}   [{protected_by or 'plaintext'}]"

    def _sent(self, event: MessageSent) -> str:
        return self._message(self.symbols.sent, event.message, event.protected_by)

    def _received(self, event: MessageReceived) -> str:
        return self._message(self.symbols.received, event.message, event.protected_by)

    def _secret(self, event: SecretDerived) -> str:
        value = hex_value(event.value, full=self.full_secrets, ellipsis=self.symbols.ellipsis)
        return f"{self.symbols.key} {event.name} = {value} = {event.formula}"

    def _alert_sent(self, event: AlertSent) -> str:
        where = f" ({event.section})" if event.section else ""
        return f"{self.symbols.fail} we sent alert {event.description.name}: {event.reason}{where}"

    def _alert_received(self, event: AlertReceived) -> str | None:
        if not event.fatal:
            return None
        return f"{self.symbols.fail} {self.peer} sent alert {event.description.name}: it ends the connection"

    def _complete(self, event: HandshakeComplete) -> str:
        return f"{self.symbols.ok} handshake complete: " + f" {self.symbols.dot} ".join(negotiated_words(event))


def negotiated_words(event: HandshakeComplete) -> list[str]:
    """["TLS 1.3", "TLS_AES_128_GCM_SHA256", "x25519", "ALPN http/1.1", "peer CN=localhost"]."""
    words = [version_words(event.version), name(known(CipherSuite, event.cipher_suite))]
    if event.group is not None:
        words.append(name(known(NamedGroup, event.group)))
    if event.alpn:
        words.append(f"ALPN {event.alpn}")
    if event.resumed:
        words.append("resumed (session)" if event.version == ProtocolVersion.TLS1_2 else "resumed (PSK)")
    if event.peer_certificate_subject:
        words.append(f"peer {event.peer_certificate_subject}")
    return words


FORMATTERS: dict[type, Callable[[Reporter, Any], str | None]] = {
    MessageSent: Reporter._sent,
    MessageReceived: Reporter._received,
    SecretDerived: Reporter._secret,
    AlertSent: Reporter._alert_sent,
    AlertReceived: Reporter._alert_received,
    HandshakeComplete: Reporter._complete,
}

__all__ = ["ASCII", "FORMATTERS", "UNICODE", "Reporter", "Symbols", "hex_value", "negotiated_words",
           "symbols_for", "version_words"]
