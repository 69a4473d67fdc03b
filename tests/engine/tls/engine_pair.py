"""Two engine endpoints joined in memory, with a man in the middle (tests only).

`Pair` carries each flight from one endpoint to the other until neither has anything to
say (h11's ConnectionPair), and lets a test change what passes at two levels:

- `client_writes` / `server_writes` (a `Rewrite`): every message an endpoint writes (one
  handshake message, a CCS, an alert, application data) passes through it *before* the
  record layer protects it, so what comes out is still sealed under the right key: a peer
  that misbehaves, or an attacker who holds the keys. `Sealed` lets a rewrite put raw
  record bytes on the wire that no RecordWriter would make.
- `to_client` / `to_server` (a `Wire`): the bytes of a whole flight as they travel,
  ciphertext and all: `wire(n, data)` for the n-th flight (from 0) in that direction.

The `on(msg_type, change)` helpers build rewrites at the message level (a TLS 1.2
message is read back with `context=DecodeContext(TLS1_2, key exchange)`).

What every robustness table asserts lives here too (`check_alert`, `assert_silent`), and
the fuzzer's driver (`Capture` keeps the flights of a handshake, `fuzz` mutates one).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from engine.rng import SeededRandom
from engine.tls.alerts import AlertDescription
from engine.tls.certs import DEFAULT_NOT_AFTER, CertificateAuthority
from engine.tls.client13 import TlsClient
from engine.tls.config import TlsConfig
from engine.tls.connection import MoveImpossible, Output, TlsConnection
from engine.tls.constants import ContentType
from engine.tls.events import AlertReceived, AlertSent, FaultFound, RecordSent
from engine.tls.message_base import DecodeContext, HandshakeMessage
from engine.tls.messages import decode_handshake
from engine.tls.record import TLS12, Record, RecordWriter
from engine.tls.server13 import TlsServer

CA = CertificateAuthority.generate(SeededRandom(1).child("ca"))
OTHER_CA = CertificateAuthority.generate(SeededRandom(2).child("other ca"), "another CA")
SERVER_CREDENTIALS = {
    kind: CA.issue(["localhost"], kind, SeededRandom(3).child(kind)) for kind in ("ed25519", "ecdsa", "rsa")
}
STUDENT = CA.issue([], "ecdsa", SeededRandom(4).child("student"), client=True)
STRANGER = OTHER_CA.issue([], "ed25519", SeededRandom(5).child("stranger"), client=True)


def client(seed: int = 7, **overrides: Any) -> TlsClient:
    config = TlsConfig(SeededRandom(seed), server_name="localhost", trust_anchors=(CA.certificate,))
    return TlsClient(_configure(config, overrides))


def server(seed: int = 8, kind: str = "ed25519", **overrides: Any) -> TlsServer:
    config = TlsConfig(SeededRandom(seed), credential=SERVER_CREDENTIALS[kind], trust_anchors=(CA.certificate,))
    return TlsServer(_configure(config, overrides))


def _configure(config: TlsConfig, overrides: dict[str, Any]) -> TlsConfig:
    for key, value in overrides.items():
        if not hasattr(config, key):
            raise AttributeError(f"TlsConfig has no {key}")
        setattr(config, key, value)
    return config


# --- rewriting what an endpoint writes -------------------------------------------------------


@dataclass(frozen=True)
class Sealed:
    """Record bytes made by the test itself, put on the wire as they are."""

    raw: bytes


Item = tuple[ContentType, bytes] | Sealed
Rewrite = Callable[[ContentType, bytes], list[Item]]
Wire = Callable[[int, bytes], bytes]


def passthrough(content_type: ContentType, payload: bytes) -> list[Item]:
    return [(content_type, payload)]


def chain(*rewrites: Rewrite) -> Rewrite:
    """Apply rewrites in turn; what one emits, the next sees (Sealed records pass)."""

    def rewrite(content_type: ContentType, payload: bytes) -> list[Item]:
        items: list[Item] = [(content_type, payload)]
        for step in rewrites:
            items = [out for item in items for out in ([item] if isinstance(item, Sealed) else step(*item))]
        return items

    return rewrite


def on(msg_type: int, change: Callable[[bytes], list[Item]], nth: int = 1) -> Rewrite:
    """Change the `nth` handshake message of `msg_type` this endpoint writes; `change`
    gets the whole message (header included) and returns what to write instead."""
    seen = 0

    def rewrite(content_type: ContentType, payload: bytes) -> list[Item]:
        nonlocal seen
        if content_type is ContentType.handshake and payload[0] == msg_type:
            seen += 1
            if seen == nth:
                return change(payload)
        return [(content_type, payload)]

    return rewrite


def on_content(content_type: ContentType, change: Callable[[bytes], list[Item]]) -> Rewrite:
    def rewrite(kind: ContentType, payload: bytes) -> list[Item]:
        return change(payload) if kind is content_type else [(kind, payload)]

    return rewrite


def records(*payloads: bytes) -> list[Item]:
    """Handshake messages, one record each."""
    return [(ContentType.handshake, payload) for payload in payloads]


def one_record(*payloads: bytes) -> list[Item]:
    """Handshake messages, all in one record."""
    return [(ContentType.handshake, b"".join(payloads))]


def drop(raw: bytes) -> list[Item]:
    return []


def twice(raw: bytes) -> list[Item]:
    return records(raw, raw)


def decode(raw: bytes, context: DecodeContext | None = None) -> Any:
    """A handshake message, typed loosely for tests that reach into its fields (read as
    TLS 1.3 unless `context` says otherwise)."""
    return decode_handshake(raw, context=context)


def message(change: Callable[[Any], HandshakeMessage], context: DecodeContext | None = None) -> Callable[[bytes], list[Item]]:
    """Decode the message, change it (typically `dataclasses.replace`), encode it again."""
    return lambda raw: records(change(decode_handshake(raw, context=context)).encode())


def body(change: Callable[[bytes], bytes]) -> Callable[[bytes], list[Item]]:
    """Change the message body; the header's length is made to match."""
    return lambda raw: records(rehead(raw[0], change(raw[4:])))


def rehead(msg_type: int, payload: bytes) -> bytes:
    return bytes([msg_type]) + len(payload).to_bytes(3, "big") + payload


def field_span(raw: bytes, path: str, context: DecodeContext | None = None) -> tuple[int, int]:
    """Where the field at `path` ("server_hello.cipher_suite") sits in the message."""
    for span in decode_handshake(raw, context=context).byte_map():
        if span.path == path:
            return span.start, span.end
    raise KeyError(path)


def cut_to(cut: int | str) -> Callable[[bytes], list[Item]]:
    """The message body cut to `cut` bytes, or ("padded") with one byte too many."""
    return body(lambda b: b + b"\x00" if cut == "padded" else b[: int(cut)])


def lengths(size: int) -> list[int]:
    """Every cut up to 80 bytes, then every 13th, and the last."""
    return sorted({*range(min(size, 80)), *range(80, size, 13), size - 1} - {size} if size else set())


def set_field(path: str, value: bytes) -> Callable[[bytes], list[Item]]:
    """Overwrite the bytes of one field (same length), leaving the rest as it was."""

    def change(raw: bytes) -> list[Item]:
        start, end = field_span(raw, path)
        assert len(value) == end - start, (path, end - start)
        return records(raw[:start] + value + raw[end:])

    return change


def replace_extension(msg: Any, extension: Any) -> Any:
    """`msg` with `extension` in place of the one of the same type (or added last)."""
    kept = [e for e in msg.extensions if e.extension_type != extension.extension_type]
    return dataclasses.replace(msg, extensions=(*kept, extension))


def remove_extension(msg: Any, extension_type: int) -> Any:
    return dataclasses.replace(msg, extensions=tuple(e for e in msg.extensions if e.extension_type != extension_type))


def seal_inner(endpoint: TlsConnection, inner: bytes) -> Sealed:
    """A TLS 1.3 record whose TLSInnerPlaintext is exactly `inner` (content, type byte and
    padding as the test wants them), sealed under `endpoint`'s current write key."""
    protection = endpoint.writer._protection
    assert protection is not None, "no write key yet"
    sequence = protection.take_sequence()
    length = len(inner) + protection.tag_length
    header = bytes([ContentType.application_data, 3, 3]) + length.to_bytes(2, "big")
    nonce = bytes(a ^ b for a, b in zip(protection.keys.iv, sequence.to_bytes(len(protection.keys.iv), "big")))
    return Sealed(header + protection.aead.encrypt(nonce, inner, header))


def hook(endpoint: TlsConnection, rewrite: Rewrite) -> None:
    """Make every write of `endpoint` pass through `rewrite` first."""
    writer = endpoint.writer
    original = writer.write

    def write(content_type: ContentType, data: bytes, legacy_record_version: int = TLS12) -> list[Record]:
        out: list[Record] = []
        for item in rewrite(ContentType(content_type), data):
            if isinstance(item, Sealed):
                out.append(Record(ContentType(item.raw[0]), b"", writer.protected_by, item.raw))
            else:
                out += original(item[0], item[1], legacy_record_version)
        return out

    writer.write = write  # type: ignore[method-assign]


@dataclass
class Write:
    """One write of a flight: what was written, the writer as it was just before (to seal
    a changed payload again under the same key and sequence number), and the records."""

    content_type: ContentType
    payload: bytes
    writer: RecordWriter
    raw: bytes


def record_writes(endpoint: TlsConnection, log: list[Write]) -> None:
    """Log every write of `endpoint` with a snapshot of its writer (for the fuzzer)."""
    writer = endpoint.writer
    original = writer.write

    def write(content_type: ContentType, data: bytes, legacy_record_version: int = TLS12) -> list[Record]:
        snapshot = copy.deepcopy(writer)
        out = original(content_type, data, legacy_record_version)
        log.append(Write(ContentType(content_type), data, snapshot, b"".join(r.raw for r in out)))
        return out

    writer.write = write  # type: ignore[method-assign]


def unhooked_copy(endpoint: TlsConnection) -> TlsConnection:
    """A fork of `endpoint` that writes through its own RecordWriter again (a hooked
    writer's `write` would still point at the original's)."""
    twin = copy.deepcopy(endpoint)
    twin.writer.__dict__.pop("write", None)
    return twin


def reseal(write: Write, payload: bytes) -> bytes:
    """The records `write` would have produced for `payload` instead (none for an empty
    handshake payload, which a RecordWriter refuses to frame)."""
    if not payload and write.content_type is not ContentType.application_data:
        return b""
    writer = copy.deepcopy(write.writer)
    return b"".join(r.raw for r in RecordWriter.write(writer, write.content_type, payload))


# --- the pair --------------------------------------------------------------------------------

CLIENT, SERVER = "client", "server"


@dataclass
class Pair:
    client: TlsClient
    server: TlsServer
    client_writes: Rewrite | None = None
    server_writes: Rewrite | None = None
    to_client: Wire | None = None
    to_server: Wire | None = None
    events: dict[str, list[Any]] = field(default_factory=lambda: {CLIENT: [], SERVER: []})
    flights: dict[str, int] = field(default_factory=lambda: {CLIENT: 0, SERVER: 0})

    def __post_init__(self) -> None:
        if self.client_writes is not None:
            hook(self.client, self.client_writes)
        if self.server_writes is not None:
            hook(self.server, self.server_writes)

    def endpoint(self, side: str) -> TlsConnection:
        return self.client if side == CLIENT else self.server

    def run(self) -> Pair:
        """The client's first flight, then back and forth until both are quiet."""
        return self.deliver(CLIENT, self.client.start())

    def deliver(self, side: str, output: Output, limit: int = 12) -> Pair:
        """`output` came from `side`: carry it across, and every answer back, until quiet."""
        for _ in range(limit):
            self.events[side] += output.events
            if not output.data:
                return self
            peer = SERVER if side == CLIENT else CLIENT
            data = self._across(side, output.data)
            output, side = self.endpoint(peer).receive(data), peer
        raise AssertionError("the endpoints never stopped talking")

    def _across(self, sender: str, data: bytes) -> bytes:
        wire = self.to_server if sender == CLIENT else self.to_client
        flight = self.flights[sender]
        self.flights[sender] += 1
        return wire(flight, data) if wire is not None else data

    def alerts_sent(self, side: str) -> list[AlertSent]:
        return [e for e in self.events[side] if isinstance(e, AlertSent)]

    def alerts_received(self, side: str) -> list[AlertReceived]:
        return [e for e in self.events[side] if isinstance(e, AlertReceived)]

    def records_sent(self, side: str) -> list[RecordSent]:
        return [e for e in self.events[side] if isinstance(e, RecordSent)]


def connected(pair: Pair) -> Pair:
    """`pair` after a clean handshake (asserted)."""
    pair.run()
    assert pair.client.handshake_complete and pair.server.handshake_complete, (
        pair.alerts_sent(CLIENT), pair.alerts_sent(SERVER))
    return pair


def plain_record(content_type: int, payload: bytes, version: bytes = b"\x03\x03") -> bytes:
    return bytes([content_type]) + version + len(payload).to_bytes(2, "big") + payload


def split_records(data: bytes) -> list[bytes]:
    """A flight cut into its records (header included)."""
    out, at = [], 0
    while at + 5 <= len(data):
        end = at + 5 + int.from_bytes(data[at + 3 : at + 5], "big")
        out.append(data[at:end])
        at = end
    return out


def on_records(change: Callable[[list[bytes]], Sequence[bytes]], flight: int = 0) -> Wire:
    """A wire that changes the list of records of one flight."""
    return lambda n, data: b"".join(change(split_records(data))) if n == flight else data


def expired_clock() -> datetime:
    """A year after the generated certificates expire."""
    return DEFAULT_NOT_AFTER.replace(year=DEFAULT_NOT_AFTER.year + 1)


# --- what every robustness row asserts --------------------------------------------------------

PEER = {CLIENT: SERVER, SERVER: CLIENT}


def check_alert(pair: Pair, side: str, alert: AlertDescription, section: str = "",
                peer_answer: AlertDescription | None = None) -> None:
    """Exactly `alert`, sent by `side`, read by the peer, which says nothing (or, when the
    fault left the two with different keys, `peer_answer`: it cannot read the alert and
    says so); the section, if given; the alert is the last record `side` sent; both
    endpoints are CLOSED, and `side` stays silent."""
    sent, other = pair.alerts_sent(side), pair.alerts_sent(PEER[side])
    assert [a.description for a in sent] == [alert], [(a.description.name, a.reason) for a in sent + other]
    if peer_answer is not None:
        assert [a.description for a in other] == [peer_answer]
        assert pair.alerts_received(PEER[side]) == []
    else:
        assert other == [], f"the {PEER[side]} answered with {[(a.description.name, a.reason) for a in other]}"
        assert AlertReceived(alert, True) in pair.alerts_received(PEER[side])
    if section:
        assert sent[0].section.startswith(section), sent[0]
    assert sent[0].reason
    endpoint = pair.endpoint(side)
    assert endpoint.closed
    assert pair.records_sent(side)[-1].content_type == ContentType.alert
    assert pair.endpoint(PEER[side]).closed
    assert_silent(endpoint)


def assert_silent(endpoint: TlsConnection) -> None:
    """A closed endpoint: more bytes, a flush, a close give nothing; a move is impossible."""
    later = endpoint.receive(plain_record(ContentType.application_data, b"more") + b"\x16\x03\x03\x00")
    assert (later.data, later.events) == (b"", [])
    for step in (endpoint.flush, endpoint.close):
        output = step()
        assert (output.data, output.events) == (b"", [])
    with pytest.raises(MoveImpossible):
        endpoint.send("Finished")
    with pytest.raises(MoveImpossible):
        endpoint.send_application_data(b"x")


# --- fuzzing: whatever arrives, receive() returns ----------------------------------------------


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random change: flip bits, overwrite, insert, delete, truncate or repeat bytes."""
    b = bytearray(data)
    kind = rng.randrange(6)
    at = rng.randrange(len(b)) if b else 0
    if kind == 0 and b:
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == 1 and b:
        b[at] = rng.choice([0x00, 0xFF, 0x7F, 0x80, 0x01, rng.randrange(256)])
    elif kind == 2:
        b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    elif kind == 3 and b:
        del b[at : at + rng.randint(1, 16)]
    elif kind == 4:
        del b[at:]
    else:
        b[at:at] = b[at : at + rng.randint(1, 40)]
    return bytes(b)


@dataclass
class Flight:
    name: str
    receiver: TlsConnection  # as it was just before the flight arrived
    data: bytes
    writes: list[Write]


class Capture:
    """Plays a handshake by hand between `c` and `s`, keeping each flight with its
    receiver as it was just before, and the writes that made it."""

    def __init__(self, scenario: str, c: TlsClient, s: TlsServer) -> None:
        self.scenario, self.c, self.s = scenario, c, s
        self.logs: dict[str, list[Write]] = {CLIENT: [], SERVER: []}
        record_writes(c, self.logs[CLIENT])
        record_writes(s, self.logs[SERVER])
        self.flights: list[Flight] = []

    def across(self, sender: str, data: bytes) -> bytes:
        receiver = self.s if sender == CLIENT else self.c
        name = f"{self.scenario}-{len(self.flights)}-{sender}"
        self.flights.append(Flight(name, unhooked_copy(receiver), data, list(self.logs[sender])))
        self.logs[sender].clear()
        return receiver.receive(data).data


def fuzz(flight: Flight, rounds: int) -> dict[str, int]:
    """`rounds` seeded mutations of the flight, half on the wire (ciphertext and all), half in
    one message before it is sealed again under the right key; each fed whole or in two
    pieces, to the engine's endpoint or (one in five) a player's. receive() must return,
    never raise; an alert, if any, is one alert and the end (for a player's endpoint: one
    fault found, and the alert is the player's move). Returns how often each alert came."""
    rng = random.Random(f"fuzz/{flight.name}")
    outcomes: dict[str, int] = {}
    for round_ in range(rounds):
        if round_ % 2 == 0 or not flight.writes:
            data = mutate(flight.data, rng)
        else:
            chosen = rng.randrange(len(flight.writes))
            data = b"".join(
                reseal(w, mutate(w.payload, rng)) if i == chosen else w.raw for i, w in enumerate(flight.writes))
        receiver = copy.deepcopy(flight.receiver)
        receiver.autoflush = round_ % 5 != 4  # one round in five: a player's endpoint
        cut = rng.randrange(len(data) + 1) if rng.random() < 0.3 else len(data)
        events = receiver.receive(data[:cut]).events + receiver.receive(data[cut:]).events
        alerts = [e for e in events if isinstance(e, AlertSent | FaultFound)]
        assert len(alerts) <= 1, (round_, alerts)
        if alerts and receiver.autoflush:
            assert receiver.closed and isinstance(alerts[0], AlertSent), (round_, alerts)
            assert_silent(receiver)
        elif alerts:  # the player's endpoint waits for the player to send the alert
            assert isinstance(alerts[0], FaultFound) and receiver.pending == ["Alert"], (round_, alerts)
            assert receiver.receive(data).events == []
        key = alerts[0].description.name if alerts else "no alert"
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes


__all__ = [
    "CA",
    "CLIENT",
    "OTHER_CA",
    "PEER",
    "SERVER",
    "SERVER_CREDENTIALS",
    "STRANGER",
    "STUDENT",
    "Capture",
    "Flight",
    "Item",
    "Pair",
    "Rewrite",
    "Sealed",
    "Wire",
    "Write",
    "assert_silent",
    "body",
    "chain",
    "check_alert",
    "client",
    "connected",
    "cut_to",
    "decode",
    "drop",
    "expired_clock",
    "field_span",
    "fuzz",
    "lengths",
    "message",
    "mutate",
    "on",
    "on_content",
    "on_records",
    "one_record",
    "passthrough",
    "plain_record",
    "record_writes",
    "records",
    "rehead",
    "remove_extension",
    "replace_extension",
    "reseal",
    "seal_inner",
    "server",
    "set_field",
    "split_records",
    "twice",
    "unhooked_copy",
]
