"""NSS key log lines: what Wireshark, tshark and OpenSSL's keylog_filename read and write.

One line a secret, `LABEL <hex> <secret hex>`, where the middle field is the connection's
ClientHello.random (32 bytes) for every label but `RSA`, whose middle field is the first
8 bytes of the encrypted pre-master secret. Lines starting with '#' are comments.

TLS 1.3 writes one line per traffic secret (CLIENT_HANDSHAKE_TRAFFIC_SECRET ...
EXPORTER_SECRET); TLS 1.2 writes `CLIENT_RANDOM <client_random> <master_secret>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import SynackError
from engine.tls.keyschedule import SecretDerived

__all__ = [
    "KeyLog",
    "KeyLogEntry",
    "KeyLogError",
    "TLS13_LABELS",
    "keylog_line",
    "parse_keylog",
    "tls12_keylog_line",
    "tls13_keylog_lines",
]

CLIENT_RANDOM = "CLIENT_RANDOM"

# key schedule event name -> NSS label (the secrets TLS 1.3 endpoints log)
TLS13_LABELS: dict[str, str] = {
    "client_early_traffic_secret": "CLIENT_EARLY_TRAFFIC_SECRET",
    "early_exporter_master_secret": "EARLY_EXPORTER_SECRET",
    "client_handshake_traffic_secret": "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "server_handshake_traffic_secret": "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "client_application_traffic_secret_0": "CLIENT_TRAFFIC_SECRET_0",
    "server_application_traffic_secret_0": "SERVER_TRAFFIC_SECRET_0",
    "exporter_master_secret": "EXPORTER_SECRET",
}


class KeyLogError(SynackError):
    """A key log line that does not parse: names the line and what is wrong."""

    def __init__(self, line_number: int, problem: str) -> None:
        super().__init__(f"key log line {line_number}: {problem}")
        self.line_number = line_number
        self.problem = problem


@dataclass(frozen=True, slots=True)
class KeyLogEntry:
    """`client_random` is the middle field (for `RSA` lines: the encrypted pre-master's
    first 8 bytes)."""

    label: str
    client_random: bytes
    secret: bytes

    def line(self) -> str:
        return f"{self.label} {self.client_random.hex()} {self.secret.hex()}"


def keylog_line(label: str, client_random: bytes, secret: bytes) -> str:
    return KeyLogEntry(label, client_random, secret).line()


def tls12_keylog_line(client_random: bytes, master_secret: bytes) -> str:
    return keylog_line(CLIENT_RANDOM, client_random, master_secret)


def tls13_keylog_lines(client_random: bytes, events: Iterable[SecretDerived]) -> list[str]:
    """The lines for every loggable secret among a TLS 1.3 key schedule's events, in the
    order they were derived."""
    return [keylog_line(TLS13_LABELS[event.name], client_random, event.value)
            for event in events if event.name in TLS13_LABELS]


@dataclass(frozen=True, slots=True)
class KeyLog:
    entries: tuple[KeyLogEntry, ...]

    def secret(self, label: str, client_random: bytes) -> bytes | None:
        """The secret logged under `label` for the connection with `client_random`."""
        for entry in self.entries:
            if entry.label == label and entry.client_random == client_random:
                return entry.secret
        return None

    def client_randoms(self) -> list[bytes]:
        """The connections this log holds secrets for, in first-seen order."""
        seen = dict.fromkeys(e.client_random for e in self.entries if e.label != "RSA")
        return list(seen)


def _parse_line(number: int, line: str) -> KeyLogEntry:
    fields = line.split()
    if len(fields) != 3:
        raise KeyLogError(number, f"expected LABEL CLIENT_RANDOM SECRET, found {len(fields)} fields")
    label, random_hex, secret_hex = fields
    try:
        client_random, secret = bytes.fromhex(random_hex), bytes.fromhex(secret_hex)
    except ValueError:
        raise KeyLogError(number, "the second and third fields must be hex") from None
    expected = 8 if label == "RSA" else 32
    if len(client_random) != expected:
        raise KeyLogError(number, f"{label} needs a {expected}-byte second field, "
                                  f"found {len(client_random)} bytes")
    return KeyLogEntry(label, client_random, secret)


def parse_keylog(text: str) -> KeyLog:
    """Every entry of an NSS key log; comments and blank lines are skipped, unknown labels
    kept (the format grows)."""
    entries = [
        _parse_line(number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return KeyLog(tuple(entries))
