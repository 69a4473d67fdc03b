"""The record layer: framing, fragmentation and AEAD protection, one direction at a time.

Every record on the wire starts with a 5-byte header (RFC 8446 §5.1, RFC 5246 §6.2.1):
content type, legacy_record_version (0x0303; 0x0301 is allowed on an initial ClientHello)
and a uint16 length. What follows depends on the key in force for that direction:

* no key: the plaintext fragment, at most 2^14 bytes;
* a TLS 1.3 key (RFC 8446 §5.2): AEAD(TLSInnerPlaintext = content + type + zero padding),
  outer type application_data, additional data = the header, nonce = write_iv XOR the
  64-bit sequence number (§5.3); the ciphertext at most 2^14 + 256 bytes;
* a TLS 1.2 AES-GCM key (RFC 5246 §6.2.3.3, RFC 5288 §3): an 8-byte explicit nonce, then
  AEAD(content); nonce = salt + explicit nonce, additional data = seq_num + type + version
  + plaintext length;
* a TLS 1.2 ChaCha20-Poly1305 key (RFC 7905 §2): the TLS 1.3 nonce, the TLS 1.2 additional
  data, nothing explicit on the wire.

`set_key(keys, name)` changes the key of a direction and resets its sequence number; every
`Record` says which named key protected it (`protected_by`), so the UI can mark it.
The reader is incremental: `next_record()` hands over one record at a time, so an endpoint
can change keys between two records that arrived in the same segment.
"""

from __future__ import annotations

import copy
import struct

from dataclasses import dataclass
from typing import NamedTuple, NoReturn, Protocol

from cryptography.exceptions import InvalidTag

from engine.rng import SeededRandom
from engine.tls.alerts import (
    BadRecordMac,
    DecodeError,
    InternalError,
    RecordOverflow,
    UnexpectedMessage,
)
from engine.tls.constants import ContentType
from engine.tls.suites import Aead, TrafficKeys

__all__ = [
    "FixedPadding",
    "Padding",
    "RandomPadding",
    "Record",
    "RecordReader",
    "RecordWriter",
    "no_padding",
]

HEADER_LENGTH = 5
MAX_PLAINTEXT = 2**14  # RFC 8446 §5.1, RFC 5246 §6.2.1
MAX_CIPHERTEXT_13 = 2**14 + 256  # RFC 8446 §5.2
MAX_CIPHERTEXT_12 = 2**14 + 2048  # RFC 5246 §6.2.3
MAX_SEQUENCE = 2**64 - 1
# The length of every XOR-built nonce (and of the IV it is built from): TLS 1.3's
# iv_length = max(8, N_MIN) is 12 for each of its AEADs (RFC 8446 §5.3), ChaCha20-Poly1305's
# in TLS 1.2 is 12 too (RFC 7905 §2). (TLS 1.2 AES-GCM builds no such nonce.)
NONCE_LENGTH = 12
TLS12 = 0x0303
FRAMING = "RFC 8446 §5.1"
PROTECTION_13 = "RFC 8446 §5.2"
PROTECTION_12 = "RFC 5246 §6.2.3.3"


class Record(NamedTuple):
    """One record: `payload` is the plaintext content, `raw` the bytes on the wire,
    `protected_by` the name of the key that protected it (None for plaintext),
    `inner_padding_length` the TLS 1.3 zero padding inside the protection. (A named
    tuple: every record in and out makes one, and a tuple is the cheapest to make.)"""

    content_type: ContentType
    payload: bytes
    protected_by: str | None
    raw: bytes
    inner_padding_length: int = 0
    sequence_number: int | None = None

    @property
    def legacy_record_version(self) -> int:
        return int.from_bytes(self.raw[1:3], "big")


_new_record = tuple.__new__  # Record(...) in one C call (every field given)


class Padding(Protocol):
    """How many zero bytes of TLS 1.3 padding a record of `length` content bytes gets."""

    def __call__(self, content_type: ContentType, length: int) -> int: ...


def no_padding(content_type: ContentType, length: int) -> int:
    return 0


@dataclass(frozen=True, slots=True)
class FixedPadding:
    length: int

    def __call__(self, content_type: ContentType, length: int) -> int:
        return self.length


@dataclass(frozen=True, slots=True)
class RandomPadding:
    """0..maximum bytes, drawn from the game's seeded randomness."""

    rng: SeededRandom
    maximum: int

    def __call__(self, content_type: ContentType, length: int) -> int:
        return self.rng.randint(0, self.maximum)


_HEADER = struct.Struct(">BHH")  # type, legacy_record_version, length
_pack_header, _unpack_header = _HEADER.pack, _HEADER.unpack_from


_CONTENT_TYPES: dict[int, ContentType] = dict(ContentType._value2member_map_)
# The content type of each byte value (None where TLS defines none): the header's type
# byte indexes it, one step cheaper than a dict lookup.
_CONTENT_TYPE_BY_CODE: tuple[ContentType | None, ...] = tuple(_CONTENT_TYPES.get(code) for code in range(256))
# Enum members taken once: an attribute read on an enum class goes through EnumType's
# __getattr__ hook (~150 ns, never specialized), and these are read for every record.
_APPLICATION_DATA, _CHANGE_CIPHER_SPEC, _ALERT = (
    ContentType.application_data, ContentType.change_cipher_spec, ContentType.alert)


def _as_content_type(value: int) -> ContentType:
    """`ContentType(value)` (a ValueError if TLS defines no such type), minus the enum
    machinery's cost on the common path: this runs several times per record."""
    return _CONTENT_TYPES.get(value) or ContentType(value)


def _content_type(value: int, where: str) -> ContentType:
    try:
        return _as_content_type(value)
    except ValueError:
        raise UnexpectedMessage(f"{where}: record type {value} is not one TLS defines", FRAMING) from None


class _Protection:
    """The AEAD state of one direction under one key: the key object, its name, and the
    sequence number of the next record."""

    max_ciphertext = MAX_CIPHERTEXT_13
    section = PROTECTION_13
    clear_type: ContentType | None = None  # the one content type that stays unprotected, if any
    sequence = 0  # of the next record (each instance counts from here)
    # Reading: until a first record under this key authenticates, an alert may still come
    # in the clear (see RecordReader.allow_plaintext_alerts).
    plaintext_alerts = False

    def __init__(self, keys: TrafficKeys, name: str) -> None:
        key, iv, suite = keys
        self.keys = keys
        self.name = name
        self.aead: Aead = suite.aead(key)
        self.tag_length = suite.tag_length
        # The per-record nonce is the 64-bit sequence number, left-padded to the IV's
        # length, XOR the IV (RFC 8446 §5.3; RFC 7905 §2): the IV kept as a number for it.
        self._iv = int.from_bytes(iv, "big")

    def __deepcopy__(self, memo: dict[int, object]) -> _Protection:
        """A fork (the referee tries moves on copies of endpoints) shares the AEAD object,
        which is stateless and cannot be copied, and gets its own sequence number."""
        twin = copy.copy(self)
        memo[id(self)] = twin
        return twin

    def take_sequence(self) -> int:
        sequence = self.sequence
        if sequence > MAX_SEQUENCE:
            self._wrapped()
        self.sequence = sequence + 1
        return sequence

    def _wrapped(self) -> NoReturn:
        raise InternalError(f"{self.name}: sequence number would wrap; rekey first", "RFC 8446 §5.3")

    def protects(self, content_type: ContentType) -> bool:
        return content_type is not self.clear_type

    def seal(self, content_type: ContentType, fragment: bytes, padding: Padding, version: int) -> Record:
        """The record that carries `fragment` under this key (`padding` says how many
        zeros TLS 1.3 adds inside the protection; TLS 1.2 adds none)."""
        raise NotImplementedError

    def open(self, content_type: ContentType, raw: bytes) -> Record:
        """The record whose bytes (header included) are `raw`, `content_type` its outer
        type, opened. On a fault it raises the alert and the sequence number stays."""
        raise NotImplementedError


MAX_INNER_PLAINTEXT = MAX_PLAINTEXT + 1  # RFC 8446 §5.2: the content and its type byte
# The TLSInnerPlaintext type byte of each content type, made once.
_TYPE_BYTES = tuple(bytes((code,)) for code in range(256))


class _Tls13Protection(_Protection):
    """RFC 8446 §5.2: TLSInnerPlaintext under the AEAD, outer type application_data.
    ChangeCipherSpec stays in the clear (the middlebox-compatibility record, §5)."""

    clear_type = ContentType.change_cipher_spec

    def seal(self, content_type: ContentType, fragment: bytes, padding: Padding, version: int) -> Record:
        sequence = self.sequence  # take_sequence, inline: this runs for every record
        if sequence > MAX_SEQUENCE:
            self._wrapped()
        self.sequence = sequence + 1
        inner = fragment + _TYPE_BYTES[content_type]
        zeros = 0
        if padding is not no_padding:
            zeros = max(0, min(padding(content_type, len(fragment)), MAX_PLAINTEXT - len(fragment)))
            inner += bytes(zeros)
        header = _pack_header(_APPLICATION_DATA, TLS12, len(inner) + self.tag_length)
        nonce = (self._iv ^ sequence).to_bytes(NONCE_LENGTH, "big")
        raw = header + self.aead.encrypt(nonce, inner, header)
        return _new_record(Record, (content_type, fragment, self.name, raw, zeros, sequence))

    def open(self, content_type: ContentType, raw: bytes) -> Record:
        if content_type is not _APPLICATION_DATA:
            raise UnexpectedMessage(
                f"an unprotected {content_type.name} record arrived while {self.name} protects this direction",
                PROTECTION_13)
        sequence = self.sequence  # taken only once the record is good: a fault consumes nothing
        if sequence > MAX_SEQUENCE:
            self._wrapped()
        try:
            inner = self.aead.decrypt((self._iv ^ sequence).to_bytes(NONCE_LENGTH, "big"),
                                      raw[HEADER_LENGTH:], raw[:HEADER_LENGTH])
        except InvalidTag:
            raise BadRecordMac(f"record {sequence} under {self.name} does not authenticate",
                               PROTECTION_13) from None
        if len(inner) > MAX_INNER_PLAINTEXT:
            raise RecordOverflow(f"TLSInnerPlaintext of {len(inner)} bytes exceeds 2^14 + 1",
                                 PROTECTION_13)
        content = inner.rstrip(b"\x00")
        if not content:
            raise UnexpectedMessage("TLSInnerPlaintext holds only zeros: no content type",
                                    PROTECTION_13)
        code = content[-1]
        inner_type = _CONTENT_TYPE_BY_CODE[code] or _content_type(code, "TLSInnerPlaintext")
        self.sequence = sequence + 1
        return _new_record(Record, (inner_type, content[:-1], self.name, raw, len(inner) - len(content), sequence))


class _Tls12Protection(_Protection):
    """RFC 5246 §6.2.3.3 AEAD records: additional data seq_num + type + version + length;
    GCM carries an 8-byte explicit nonce (RFC 5288 §3), ChaCha20 does not (RFC 7905 §2)."""

    max_ciphertext = MAX_CIPHERTEXT_12
    section = PROTECTION_12

    # The nonce: GCM's is the salt (the key block's IV) and the record's explicit part
    # (RFC 5288 §3), ChaCha20's, which has none, is built as TLS 1.3 builds it (RFC 7905 §2).

    def seal(self, content_type: ContentType, fragment: bytes, padding: Padding, version: int) -> Record:
        sequence = self.sequence  # take_sequence, inline: this runs for every record
        if sequence > MAX_SEQUENCE:
            self._wrapped()
        self.sequence = sequence + 1
        keys = self.keys
        explicit = sequence.to_bytes(8, "big")[: keys.suite.explicit_nonce_length]
        header = _pack_header(content_type, version, len(explicit) + len(fragment) + self.tag_length)
        aad = _pack_additional_data(sequence, header[:3], len(fragment))
        nonce = keys.iv + explicit if explicit else (self._iv ^ sequence).to_bytes(NONCE_LENGTH, "big")
        raw = header + explicit + self.aead.encrypt(nonce, fragment, aad)
        return _new_record(Record, (content_type, fragment, self.name, raw, 0, sequence))

    def open(self, content_type: ContentType, raw: bytes) -> Record:
        sequence = self.sequence  # taken only once the record is good: a fault consumes nothing
        if sequence > MAX_SEQUENCE:
            self._wrapped()
        keys = self.keys
        start = HEADER_LENGTH + keys.suite.explicit_nonce_length  # of the ciphertext
        length = len(raw) - start - self.tag_length
        if length < 0:
            raise BadRecordMac(f"record {sequence} under {self.name} is too short to hold its tag",
                               PROTECTION_12)
        aad = _pack_additional_data(sequence, raw[:3], length)
        explicit = raw[HEADER_LENGTH:start]
        nonce = keys.iv + explicit if explicit else (self._iv ^ sequence).to_bytes(NONCE_LENGTH, "big")
        try:
            content = self.aead.decrypt(nonce, raw[start:], aad)
        except InvalidTag:
            raise BadRecordMac(f"record {sequence} under {self.name} does not authenticate",
                               PROTECTION_12) from None
        if len(content) > MAX_PLAINTEXT:
            raise RecordOverflow(f"plaintext of {len(content)} bytes exceeds 2^14", PROTECTION_12)
        self.sequence = sequence + 1
        return _new_record(Record, (content_type, content, self.name, raw, 0, sequence))


# TLS 1.2's AEAD additional data: seq_num, the record header's type and version, the
# plaintext's length (RFC 5246 §6.2.3.3), packed in one call.
_pack_additional_data = struct.Struct(">Q3sH").pack


_PROTECTION_OF_VERSION: dict[str, type[_Protection]] = {"1.3": _Tls13Protection, "1.2": _Tls12Protection}


class _Plaintext:
    """No protection (no key yet, or TLS 1.3's clear ChangeCipherSpec): a record is its
    header and the fragment."""

    name = None

    @staticmethod
    def seal(content_type: ContentType, fragment: bytes, padding: Padding, version: int) -> Record:
        raw = _pack_header(content_type, version, len(fragment)) + fragment
        return _new_record(Record, (content_type, fragment, None, raw, 0, None))


_PLAINTEXT = _Plaintext()


class _Direction:
    """The key state both ends of a direction share (plaintext until a key is set)."""

    _protection: _Protection | None = None
    protected_by: str | None = None  # the name of the key in force (None: plaintext)

    def set_key(self, keys: TrafficKeys | None, name: str | None = None) -> None:
        """Protect from the next record on with `keys` (None: plaintext); the sequence
        number starts again at 0."""
        if keys is None:
            self._protection = self.protected_by = None
            return
        if not name:
            raise InternalError("a record key needs a name (e.g. client_handshake_traffic_secret)", FRAMING)
        self._protection = _PROTECTION_OF_VERSION[keys.suite.version](keys, name)
        self.protected_by = name

    @property
    def sequence_number(self) -> int:
        """The sequence number the next protected record will use."""
        return self._protection.sequence if self._protection else 0


class RecordWriter(_Direction):
    """Turns content into records for one direction."""

    def __init__(self, padding: Padding = no_padding) -> None:
        self.padding = padding

    def write(self, content_type: ContentType, data: bytes,
              legacy_record_version: int = TLS12) -> list[Record]:
        """`data` cut into fragments of at most 2^14 bytes, each framed and protected."""
        if type(content_type) is not ContentType:
            content_type = _as_content_type(content_type)
        if not data and content_type is not _APPLICATION_DATA:
            raise InternalError(f"zero-length {content_type.name} fragments must not be sent", FRAMING)
        protection = self._protection
        sealer: _Protection | _Plaintext = (
            _PLAINTEXT if protection is None or content_type is protection.clear_type else protection)
        if len(data) <= MAX_PLAINTEXT:  # one record, the common case
            return [sealer.seal(content_type, data, self.padding, legacy_record_version)]
        return [sealer.seal(content_type, data[at : at + MAX_PLAINTEXT], self.padding, legacy_record_version)
                for at in range(0, len(data), MAX_PLAINTEXT)]


class RecordReader(_Direction):
    """Buffers bytes from the peer and hands back whole records, decrypted."""

    # The bytes received, read from `_start` on. Immutable bytes, not a bytearray: each
    # record's `raw` is one slice of them, and no copy at all when a segment is exactly
    # one record (a whole slice of bytes is the object itself). `feed` copies only what is
    # still unread (once the records before it are read, part of one record at most).
    _buffer = b""
    _start = 0

    def allow_plaintext_alerts(self) -> None:
        """Until a first record under the key now in force authenticates, an alert may
        still come in the clear (the next key starts without). A TLS 1.3 server reads its
        client that way (as OpenSSL does): a client that failed on the ServerHello had no
        key yet to protect its alert with."""
        if self._protection is None:
            raise InternalError("plaintext alerts are allowed only under a key: without one, every alert is plaintext",
                                FRAMING)
        self._protection.plaintext_alerts = True

    def feed(self, data: bytes) -> None:
        self._buffer = self._buffer[self._start :] + data
        self._start = 0

    @property
    def buffered(self) -> int:
        """Bytes received that do not make a whole record yet."""
        return len(self._buffer) - self._start

    def records(self) -> list[Record]:
        """Every whole record buffered, all under the key in force now."""
        out = []
        while (record := self.next_record()) is not None:
            out.append(record)
        return out

    def next_record(self) -> Record | None:
        """The next whole record, or None if more bytes are needed. On a fault it raises
        the alert and consumes nothing."""
        buffer, start = self._buffer, self._start
        if len(buffer) - start < HEADER_LENGTH:
            return None
        code, version, length = _unpack_header(buffer, start)
        content_type = _CONTENT_TYPE_BY_CODE[code] or _content_type(code, "record header")
        if version >> 8 != 3:
            raise DecodeError(f"record header: version 0x{version:04x} is not TLS (major version must be 3)",
                              FRAMING)
        # The protection the record is under: none for TLS 1.3's clear CCS, nor for a
        # clear alert while the key's `plaintext_alerts` allows one.
        protection = self._protection
        if protection is not None and (content_type is protection.clear_type or (
                protection.plaintext_alerts and content_type is _ALERT)):
            protection = None
        limit = protection.max_ciphertext if protection else MAX_PLAINTEXT
        if length > limit:
            raise RecordOverflow(f"{content_type.name} record of {length} bytes exceeds {limit}",
                                 protection.section if protection else FRAMING)
        end = start + HEADER_LENGTH + length
        if len(buffer) < end:
            return None
        raw = buffer[start:end]
        if protection is None:
            body = raw[HEADER_LENGTH:]
            if self._protection and content_type is _CHANGE_CIPHER_SPEC and body != b"\x01":
                raise UnexpectedMessage("a ChangeCipherSpec must be the single byte 0x01", "RFC 8446 §5")
            record = _new_record(Record, (content_type, body, None, raw, 0, None))
        else:
            record = protection.open(content_type, raw)
            protection.plaintext_alerts = False
        self._start = end
        return record
