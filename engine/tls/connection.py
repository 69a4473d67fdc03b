"""What every TLS endpoint shares: records in and out, the transcript, alerts, the moves.

The rules, in one place:

- Bytes in (`receive`), bytes and events out (`Output`); no sockets, no clock, no OS
  randomness. Everything random comes from `config.rng`, time from `config.now`.
- Arriving handshake messages are dispatched by `HANDLERS[state][message type]`; a message
  the table has no row for is the unexpected_message alert. Handlers check, update state
  and say what this endpoint must send next by appending to `pending`, in order.
- What is pending is sent by name through `COMPOSERS[name]`, one message at a time. An
  endpoint run by the engine sends its pending messages at once (`autoflush`); the player's
  endpoint waits, so that the player makes each of those moves (`send`). The same composer
  can be made to send a message out of turn: that is how a player's wrong move becomes
  real bytes a real peer reacts to.
- Any fault raises an `Alert`; it is caught here, the alert goes out (under the current
  write key) and the endpoint stops. Nothing else ever reaches the caller.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from engine.bytemap import FieldSpan

from engine.tls.alerts import (
    Alert,
    AlertDescription,
    AlertLevel,
    DecodeError,
    InternalError,
    UnexpectedMessage,
    as_tls12_section,
)
from engine.tls.config import TlsConfig
from engine.tls.constants import ContentType, HandshakeType, ProtocolVersion
from engine.tls.events import (
    AlertReceived,
    FaultFound,
    AlertSent,
    ApplicationDataReceived,
    MessageReceived,
    MessageSent,
    RecordSent,
    StateChanged,
    new_event,
)
from engine.tls.keyschedule import KeySchedule, SecretLog
from engine.tls.message_base import TLS13, DecodeContext, HandshakeMessage, read_handshake
from engine.tls.messages import handshake_classes, split_handshake_messages
from engine.tls.record import RandomPadding, Record, RecordReader, RecordWriter, no_padding

CLOSE_NOTIFY = "RFC 8446 §6.1"
# Where a rule both versions share is written: (TLS 1.3, TLS 1.2). A fault in a TLS 1.2
# handshake cites RFC 5246, the rule of the version being played.
RULES: dict[str, tuple[str, str]] = {
    "order": ("RFC 8446 §4", "RFC 5246 §7.4"),
    "ccs": ("RFC 8446 §5", "RFC 5246 §7.1"),
    "interleave": ("RFC 8446 §5.1", "RFC 5246 §6.2.1"),
    "alert": ("RFC 8446 §6", "RFC 5246 §7.2"),
    "application_data": ("RFC 8446 §2", "RFC 5246 §7.4.9"),
}
# What may come between the parts of a handshake message: nothing in TLS 1.3 (RFC 8446
# §5.1); in TLS 1.2 "data of different TLS record layer content types MAY be interleaved"
# (RFC 5246 §6.2.1), so an alert must still be read there.
INTERLEAVABLE: dict[bool, frozenset[ContentType]] = {False: frozenset(), True: frozenset({ContentType.alert})}


# Enum members taken once: an attribute read on an enum class goes through EnumType's
# __getattr__ hook (~150 ns, never specialized), and these are read for every message.
_HANDSHAKE, _CHANGE_CIPHER_SPEC = ContentType.handshake, ContentType.change_cipher_spec
_TLS1_2 = ProtocolVersion.TLS1_2
MESSAGE_HEADER_LENGTH = 4  # a handshake message's type and uint24 length (RFC 8446 §4)

NO_CHOICES: Mapping[str, Any] = MappingProxyType({})  # a move made with the endpoint's own choices
_NO_HANDLERS: Mapping[HandshakeType, Any] = MappingProxyType({})  # a state where no message may come


class MoveImpossible(Exception):
    """A message this endpoint cannot even build now (e.g. Finished before any key exists)."""


@dataclass(frozen=True)
class ChangeCipherSpec:
    """The one-byte ChangeCipherSpec record (RFC 5246 §7.1; in TLS 1.3 only for middleboxes)."""

    def summary(self) -> str:
        return "ChangeCipherSpec"

    def byte_map(self) -> list[FieldSpan]:
        return [FieldSpan(0, 1, "change_cipher_spec.type", "Type", "1 (change_cipher_spec)",
                          "TLS 1.2: from the sender's next record on, its new keys are in force. TLS 1.3: a dummy "
                          "record that changes nothing, sent only to calm middleboxes", "RFC 5246 §7.1, RFC 8446 §D.4")]


_CCS_MESSAGE = ChangeCipherSpec()  # it has no fields, so one object serves every ChangeCipherSpec


@dataclass(frozen=True)
class AlertMessage:
    level: int
    description: AlertDescription

    def summary(self) -> str:
        level = "fatal" if self.level == AlertLevel.FATAL else "warning"
        return f"Alert {self.description.name} ({level})"

    def byte_map(self) -> list[FieldSpan]:
        level = "fatal" if self.level == AlertLevel.FATAL else "warning"
        return [
            FieldSpan(0, 1, "alert.level", "Level", f"{self.level} ({level})",
                      "How serious: in TLS 1.3 every alert but close_notify and user_canceled is fatal", "RFC 8446 §6"),
            FieldSpan(1, 2, "alert.description", "Description", f"{int(self.description)} ({self.description.name})",
                      "What went wrong, or close_notify: \"I will send nothing more\"", "RFC 8446 §6"),
        ]


@dataclass(frozen=True)
class ApplicationData:
    data: bytes

    def summary(self) -> str:
        return f"ApplicationData {len(self.data)} bytes"

    def byte_map(self) -> list[FieldSpan]:
        shown = self.data[:40].decode("utf-8", errors="replace")
        return [FieldSpan(0, len(self.data), "application_data", "Application data", repr(shown),
                          "The application's own bytes; on the wire only as ciphertext", "RFC 8446 §5.2")]


class Output(NamedTuple):
    """What a step of the endpoint gives back: the bytes to send and what happened. (A
    named tuple, made in one C call: every step returns one.)"""

    data: bytes
    events: list[Any]


_new_output = tuple.__new__  # Output(...) without the named tuple's Python __new__


class _CryptographyHasher:
    """cryptography's running hash with hashlib's names, for a hash hashlib lacks."""

    __slots__ = ("_hash",)

    def __init__(self, running: hashes.Hash) -> None:
        self._hash = running

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def copy(self) -> _CryptographyHasher:
        return _CryptographyHasher(self._hash.copy())

    def digest(self) -> bytes:
        return self._hash.finalize()


_HASHLIB: dict[type[hashes.HashAlgorithm], Callable[[], Any]] = {hashes.SHA256: hashlib.sha256,
                                                                  hashes.SHA384: hashlib.sha384}


class RunningHash:
    """The state of Transcript-Hash taken as the transcript grows, each message hashed
    once (`TlsConnection.transcript_hash` continues it): the suite's hash, the running
    hasher, the messages hashed so far and, once taken, their digest."""

    __slots__ = ("algorithm", "hasher", "hashed", "digest")

    def __init__(self, algorithm: type[hashes.HashAlgorithm] | None) -> None:
        """Nothing hashed, under `algorithm` (None: no suite yet). The running hasher
        (update, copy, digest) is hashlib's for the suites' SHA-256 and SHA-384 (both
        OpenSSL's; hashlib's skip cryptography's per-call type checks)."""
        self.algorithm = algorithm
        self.hasher: Any = None
        if algorithm is not None:
            new = _HASHLIB.get(algorithm)
            self.hasher = new() if new else _CryptographyHasher(hashes.Hash(algorithm()))
        self.hashed: list[bytes] = []
        self.digest: bytes | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> RunningHash:
        """A fork of the connection forks the hash state too (the hasher itself cannot be
        deep-copied, only `copy()`-ed); the messages are the fork's same bytes objects."""
        twin = RunningHash.__new__(RunningHash)
        twin.algorithm, twin.hashed, twin.digest = self.algorithm, list(self.hashed), self.digest
        twin.hasher = self.hasher.copy() if self.hasher is not None else None
        memo[id(self)] = twin
        return twin


# Where every connection starts: nothing hashed, under no hash. Shared (one per process)
# and never changed: no suite's hash is None, so transcript_hash makes a RunningHash of
# its own before it hashes anything.
_NOTHING_HASHED = RunningHash(None)

Composer = Callable[[Any, Mapping[str, Any]], None]
Handler = Callable[[Any, Any, bytes], None]


class TlsConnection:
    """The shared machinery of the TLS client and server (TLS 1.3 and, later, 1.2)."""

    is_client: ClassVar[bool]
    State: ClassVar[type[enum.Enum]]
    HANDLERS: ClassVar[dict[Any, dict[HandshakeType, Handler]]]
    COMPOSERS: ClassVar[dict[str, Composer]]
    CONNECTED: ClassVar[Any]
    CLOSED: ClassVar[Any]
    version: int = ProtocolVersion.TLS1_3  # the version negotiated (TLS 1.2 once a 1.2 hello says so)
    # Where a connection starts (immutable values, so class attributes: no store per connection).
    state: Any = None
    schedule: SecretLog | None = None
    cipher_suite: int | None = None
    group: int | None = None
    alpn: str | None = None
    resumed = False
    peer_chain: tuple[bytes, ...] = ()
    sent_close_notify = False
    received_close_notify = False
    error: Alert | None = None
    _handshake_buffer = b""
    _events_seen = 0
    _decode_context: DecodeContext = TLS13
    _message_classes = handshake_classes(TLS13)
    _running_hash = _NOTHING_HASHED  # Transcript-Hash, kept as it grows

    def __init__(self, config: TlsConfig, *, autoflush: bool = True) -> None:
        self.config = config
        self.rng = config.rng
        self.autoflush = autoflush
        padding = RandomPadding(config.rng.child("padding"), config.max_padding) if config.max_padding else no_padding
        self.writer = RecordWriter(padding)
        self.reader = RecordReader()
        self.pending: list[str] = []
        self.transcript: list[bytes] = []
        self._out: list[bytes] = []  # records' bytes, joined once per Output
        self._events: list[Any] = []

    # --- public API ----------------------------------------------------------------

    @property
    def handshake_complete(self) -> bool:
        return self.state is self.CONNECTED

    @property
    def closed(self) -> bool:
        return self.state is self.CLOSED

    def receive(self, data: bytes) -> Output:
        """Bytes from the peer. Returns what to send back and what happened.

        Records are read one at a time, each under the key in force when it comes (a
        message may install the key the next record is under), each handed to the reader
        of its type. (The loop, and `_guard`, are written here: every record takes it.)"""
        closed = self.CLOSED
        if self.state is not closed and self.error is None:
            reader = self.reader
            reader.feed(data)
            next_record = reader.next_record
            try:
                while self.state is not closed and (record := next_record()) is not None:
                    content_type, payload, protected_by, _, _, _ = record
                    if content_type is _HANDSHAKE:
                        # One whole message and nothing half-read, what most records carry, is
                        # read at once. (A payload shorter than a message header fails the
                        # length test: its length minus 4 is negative.)
                        if (self._handshake_buffer
                                or int.from_bytes(payload[1:4], "big") != len(payload) - MESSAGE_HEADER_LENGTH):
                            self._on_handshake_record(record)
                        else:
                            self._on_message(payload, protected_by)
                        continue
                    if self._handshake_buffer and content_type not in INTERLEAVABLE[self.speaks12]:
                        raise UnexpectedMessage(
                            f"a {content_type.name} record came between the parts of a handshake "
                            "message, cutting it in two", self.rule("interleave")
                        )
                    READERS[content_type](self, record)
                if self.autoflush and self.pending:
                    self._flush_pending()
            except Alert as alert:
                self._fail(alert)
        return self._take_output()

    def flush(self) -> Output:
        """Send every pending message with this endpoint's own choices."""
        self._guard(self._flush_pending)
        return self._take_output()

    def send(self, kind: str, choices: Mapping[str, Any] | None = None) -> Output:
        """Send one message by name: the next pending one, or (a wrong move) any other.
        Raises MoveImpossible if this endpoint cannot build that message now."""
        composer = self.COMPOSERS.get(kind)
        if composer is None:
            raise MoveImpossible(f"a TLS {'client' if self.is_client else 'server'} never sends {kind}")
        if self.closed:
            raise MoveImpossible("the connection is closed")
        if self.pending and self.pending[0] == kind:
            self.pending.pop(0)
        self._guard(lambda: composer(self, choices or {}))
        if self.autoflush:
            self._guard(self._flush_pending)
        return self._take_output()

    def send_application_data(self, data: bytes) -> Output:
        if not self.handshake_complete:
            raise MoveImpossible("application data waits for the handshake to complete")
        self._write(ContentType.application_data, data, ApplicationData(data))
        return self._take_output()

    def close(self) -> Output:
        """Send close_notify (RFC 8446 §6.1)."""
        if not self.closed and not self.sent_close_notify:
            self._send_alert(AlertDescription.close_notify, AlertLevel.WARNING)
        return self._take_output()

    def copy(self) -> TlsConnection:
        """An independent fork: the referee tries a move on a copy before making it."""
        return copy.deepcopy(self)

    # --- reading -------------------------------------------------------------------

    @property
    def decode_context(self) -> DecodeContext:
        """How the peer's handshake messages are read: the version (and, in TLS 1.2, the
        key exchange, which shapes ServerKeyExchange and ClientKeyExchange)."""
        return self._decode_context

    @decode_context.setter
    def decode_context(self, context: DecodeContext) -> None:
        # The version's message classes found once per context, not for every message.
        self._decode_context, self._message_classes = context, handshake_classes(context)

    @property
    def speaks12(self) -> bool:
        """TLS 1.2 is negotiated, or the only version this endpoint offers."""
        return self.version == ProtocolVersion.TLS1_2 or ProtocolVersion.TLS1_3 not in self.config.versions

    def rule(self, name: str) -> str:
        """The RFC section of the shared rule `name`, for the version being spoken."""
        return RULES[name][self.speaks12]

    def _on_handshake_record(self, record: Record) -> None:
        """Handshake bytes that do not make exactly one message on their own: joined to
        what is half-read, cut into whole messages, the rest kept for the next record."""
        messages, self._handshake_buffer = split_handshake_messages(self._handshake_buffer + record.payload)
        for index, raw in enumerate(messages):
            if self.state is self.CLOSED:
                return
            key_before = self.reader.protected_by
            message = self._on_message(raw, record.protected_by)
            if self.reader.protected_by != key_before and (index + 1 < len(messages) or self._handshake_buffer):
                raise UnexpectedMessage(
                    f"the keys change after {type(message).__name__}, but its record goes on: "
                    "the message before a key change must end its record", "RFC 8446 §5.1"
                )

    def ignores(self, raw: bytes) -> bool:
        """A HelloRequest (type 0, the one message TLS lets an endpoint drop unread) this
        endpoint drops, outside the transcript (none here; a TLS 1.2 client does)."""
        return False

    def _on_message(self, raw: bytes, protected_by: str | None) -> HandshakeMessage | None:
        """One whole handshake message: read, and handed to the handler this state has for
        its type (None: a message this endpoint ignores)."""
        if not raw[0] and self.ignores(raw):  # asked only of a HelloRequest: no call for the others
            return None
        message = read_handshake(raw, self._message_classes, self._decode_context, unknown=UnexpectedMessage)
        state = self.state
        table = self.HANDLERS.get(state, _NO_HANDLERS)
        if state is self.CONNECTED and self.version == _TLS1_2:
            table = _NO_HANDLERS  # TLS 1.2 has no post-handshake messages (and this engine never renegotiates)
        handler = table.get(message.msg_type)
        if handler is None:
            rows = ", ".join(t.name for t in table)
            raise UnexpectedMessage(
                f"{type(message).__name__} arrived in state {state.value}, where "
                f"{'only ' + rows if rows else 'no handshake message'} may come",
                self.rule("order"),
            )
        self._events.append(new_event(MessageReceived, (message, raw, protected_by)))
        handler(self, message, raw)
        return message

    def _on_ccs_record(self, record: Record) -> None:
        if record.payload != b"\x01":
            raise UnexpectedMessage("a ChangeCipherSpec must be the single byte 0x01", self.rule("ccs"))
        if record.protected_by is not None:  # this engine never renegotiates (TLS 1.2)
            raise UnexpectedMessage(f"a ChangeCipherSpec came protected (under {record.protected_by}): "
                                    "the keys change once, and a CCS is only ever sent in the clear", self.rule("ccs"))
        self._events.append(new_event(MessageReceived, (_CCS_MESSAGE, record.payload, None)))
        self.on_change_cipher_spec()

    def on_change_cipher_spec(self) -> None:
        """TLS 1.3: a middlebox CCS is dropped between the first ClientHello and the
        handshake's end; any other is unexpected (RFC 8446 §5)."""
        complete = self.state is self.CONNECTED  # (handshake_complete, without the property call)
        if complete or not self.transcript:
            when = "after the handshake" if complete else "before the first ClientHello"
            raise UnexpectedMessage(f"ChangeCipherSpec {when}", self.rule("ccs"))

    def _on_alert_record(self, record: Record) -> None:
        if len(record.payload) != 2:
            raise DecodeError(f"an alert is 2 bytes, this one has {len(record.payload)}", self.rule("alert"))
        level, code = record.payload
        description = AlertDescription(code)  # unknown codes too: still error alerts (RFC 8446 §6)
        self._events.append(MessageReceived(AlertMessage(level, description), record.payload, record.protected_by))
        fatal = description is not AlertDescription.close_notify and description is not AlertDescription.user_canceled
        self._events.append(AlertReceived(description, fatal))
        if fatal:
            self._set_state(self.CLOSED)
            return
        if description is AlertDescription.close_notify:
            self.received_close_notify = True
            if not self.sent_close_notify:
                self.pending.append("Alert")

    def _on_application_data_record(self, record: Record) -> None:
        if not self.handshake_complete or self.received_close_notify:
            raise UnexpectedMessage("application data before the handshake completed", self.rule("application_data"))
        self._events.append(MessageReceived(ApplicationData(record.payload), record.payload, record.protected_by))
        self._events.append(ApplicationDataReceived(record.payload))

    # --- writing -------------------------------------------------------------------

    def _flush_pending(self) -> None:
        composers, closed = self.COMPOSERS, self.CLOSED
        while self.pending and self.state is not closed:  # (a composer may replace `pending`)
            composers[self.pending.pop(0)](self, NO_CHOICES)

    def send_handshake(self, message: HandshakeMessage) -> bytes:
        raw = message.encode()
        self.transcript.append(raw)
        self._write(_HANDSHAKE, raw, message)
        return raw

    def send_change_cipher_spec(self) -> None:
        self._write(_CHANGE_CIPHER_SPEC, b"\x01", _CCS_MESSAGE)

    def _write(self, content_type: ContentType, payload: bytes, shown: Any) -> None:
        records = self.writer.write(content_type, payload)
        events, out = self._events, self._out
        events.append(new_event(MessageSent, (shown, payload, records[0].protected_by if records else None)))
        for _, fragment, protected_by, raw, _, _ in records:
            out.append(raw)
            events.append(new_event(RecordSent, (content_type, raw, fragment, protected_by)))

    def _send_alert(self, description: AlertDescription, level: AlertLevel = AlertLevel.FATAL) -> None:
        payload = bytes([level, description])
        self._write(ContentType.alert, payload, AlertMessage(level, description))
        if description is AlertDescription.close_notify:
            self.sent_close_notify = True

    def compose_alert(self, choices: Mapping[str, Any]) -> None:
        """A move: an alert the player chooses (close_notify when none is named)."""
        default = self.error.description.name if self.error else "close_notify"
        description = AlertDescription[choices.get("alert", default)]
        fatal = description is not AlertDescription.close_notify
        self._send_alert(description, AlertLevel.FATAL if fatal else AlertLevel.WARNING)
        if fatal:
            error = self.error
            reason, section = (error.reason, error.section) if error else ("", "")
            self._events.append(AlertSent(description, reason, section))
            self._set_state(self.CLOSED)

    def compose_change_cipher_spec(self, choices: Mapping[str, Any]) -> None:
        self.send_change_cipher_spec()

    def compose_application_data(self, choices: Mapping[str, Any]) -> None:
        if not self.handshake_complete:
            raise MoveImpossible("there are no application traffic keys until the handshake completes")
        data = choices.get("data", b"")
        payload = data if isinstance(data, bytes) else str(data).encode()
        self._write(ContentType.application_data, payload, ApplicationData(payload))

    # --- keys and transcript -------------------------------------------------------

    def transcript_hash(self, messages: list[bytes] | None = None) -> bytes:
        """Transcript-Hash of the messages so far (or of `messages`) under the suite's hash.

        The running hash continues what it hashed if the transcript still starts with those
        messages (one list comparison, in C, which finds the same objects by identity before
        comparing bytes); a transcript that does not (HelloRetryRequest's message_hash, a
        message rewritten) or a new suite's hash is hashed afresh."""
        schedule = self.schedule
        if schedule is None:
            raise MoveImpossible("no cipher suite has been agreed yet, so there are no keys")
        algorithm = schedule.hash  # TLS 1.3 or 1.2: the suite's hash
        if messages is not None:
            hasher = hashes.Hash(algorithm())
            for raw in messages:
                hasher.update(raw)
            return hasher.finalize()
        running, transcript = self._running_hash, self.transcript
        hashed = running.hashed
        count = len(hashed)
        if algorithm is not running.algorithm or transcript[:count] != hashed:
            running = self._running_hash = RunningHash(algorithm)
            hashed, count = running.hashed, 0
        new = transcript[count:]
        if new:
            hasher = running.hasher
            hasher.update(b"".join(new))
            hashed += new
            running.digest = digest = hasher.copy().digest()
            return digest  # type: ignore[no-any-return]
        digest = running.digest
        if digest is None:
            digest = running.digest = running.hasher.copy().digest()
        return digest

    def _require_schedule(self) -> KeySchedule:
        schedule = self.schedule
        if type(schedule) is not KeySchedule and not isinstance(schedule, KeySchedule):
            raise MoveImpossible("no cipher suite has been agreed yet, so there are no keys")
        return schedule  # type: ignore[return-value]

    def install_write_key(self, secret_name: str) -> None:
        schedule = self.schedule
        if type(schedule) is not KeySchedule:  # (the common case without a call)
            schedule = self._require_schedule()
        keys = schedule.traffic_keys(schedule.secrets[secret_name], secret_name)
        self.writer.set_key(keys, secret_name)

    def install_read_key(self, secret_name: str, *, plaintext_alerts: bool = False) -> None:
        """Read under `secret_name`'s key from the next record on (`plaintext_alerts`: a
        clear alert may still come until a first record under it authenticates, see
        `RecordReader.allow_plaintext_alerts`). A handshake message must not span the
        change (RFC 8446 §5.1): none may be half-read now."""
        if self._handshake_buffer:
            raise UnexpectedMessage(
                f"{len(self._handshake_buffer)} bytes of a handshake message came under the old key, "
                "and the rest would come under the new one: a message must not span a key change",
                "RFC 8446 §5.1",
            )
        schedule = self.schedule
        if type(schedule) is not KeySchedule:
            schedule = self._require_schedule()
        keys = schedule.traffic_keys(schedule.secrets[secret_name], secret_name)
        self.reader.set_key(keys, secret_name)
        if plaintext_alerts:
            self.reader.allow_plaintext_alerts()

    # --- the peer's certificate ------------------------------------------------------

    _peer_leaf: tuple[bytes, x509.Certificate, CertificatePublicKeyTypes | None] | None = None

    def remember_peer_leaf(self, der: bytes, leaf: x509.Certificate,
                           key: CertificatePublicKeyTypes | None = None) -> None:
        """The peer's leaf certificate (and its key, if parsed already), as checked."""
        self._peer_leaf = (der, leaf, key)

    def peer_leaf(self) -> x509.Certificate:
        """The peer's leaf certificate, parsed once per connection."""
        return self._peer_leaf_entry()[1]

    def peer_public_key(self) -> CertificatePublicKeyTypes:
        """The public key of the peer's leaf certificate, parsed once per connection."""
        der, leaf, key = self._peer_leaf_entry()
        if key is None:
            key = leaf.public_key()
            self._peer_leaf = (der, leaf, key)
        return key

    def _peer_leaf_entry(self) -> tuple[bytes, x509.Certificate, CertificatePublicKeyTypes | None]:
        der = self.peer_chain[0]
        entry = self._peer_leaf
        if entry is None or entry[0] is not der:
            entry = self._peer_leaf = (der, x509.load_der_x509_certificate(der), None)
        return entry

    def tamper(self, what: str, value: bytes) -> bytes:
        """A deliberately broken endpoint (config.misbehave, for levels) flips one bit."""
        if what not in self.config.misbehave or not value:
            return value
        return value[:-1] + bytes([value[-1] ^ 0x01])

    # Constant-time comparison of two MACs: OpenSSL's, called straight (no Python frame).
    macs_equal = staticmethod(hmac.compare_digest)

    # --- bookkeeping ---------------------------------------------------------------

    def _set_state(self, new: Any) -> None:
        old = self.state
        if new is not old:
            self.state = new
            # `.value`, minus the enum property
            self._events.append(new_event(StateChanged, (old._value_ if old else "", new._value_)))

    def _guard(self, action: Callable[[], None]) -> None:
        """Run a step; an alert it raises goes out and closes the connection."""
        try:
            action()
        except Alert as alert:
            self._fail(alert)

    def _fail(self, alert: Alert) -> None:
        if self.speaks12:
            alert.section = as_tls12_section(alert.section)
        self.error = alert
        self.pending.clear()
        if not self.autoflush:
            # A player's endpoint: refusing the peer is the player's move to make.
            self.pending.append("Alert")
            self._events.append(FaultFound(alert.description, alert.reason, alert.section))
            return
        self._send_alert(alert.description)
        self._events.append(AlertSent(alert.description, alert.reason, alert.section))
        self._set_state(self.CLOSED)

    def _take_output(self) -> Output:
        events, schedule = self._events, self.schedule
        if schedule is not None:
            derived = schedule.events
            events += derived[self._events_seen :]
            self._events_seen = len(derived)
        output = _new_output(Output, (b"".join(self._out), events))
        self._out, self._events = [], []
        return output


READERS: dict[ContentType, Callable[[TlsConnection, Record], None]] = {
    ContentType.handshake: TlsConnection._on_handshake_record,
    ContentType.change_cipher_spec: TlsConnection._on_ccs_record,
    ContentType.alert: TlsConnection._on_alert_record,
    ContentType.application_data: TlsConnection._on_application_data_record,
}

__all__ = [
    "AlertMessage",
    "ApplicationData",
    "ChangeCipherSpec",
    "InternalError",
    "MoveImpossible",
    "Output",
    "TlsConnection",
]
