"""What every handshake message shares (RFC 8446 §4, RFC 5246 §7.4): the 4-byte header,
`encode`, `byte_map`, and the context some bodies need to be read.

Import messages from `engine.tls.messages`; this module holds the base so that the TLS 1.3
and TLS 1.2 message modules can both build on it without importing each other.

A message's byte map is its own encoding read back with a `SpanRecorder` attached: the
decoder names every field as it reads it, so the map can never disagree with the bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from engine.bytemap import FieldSpan
from engine.tls.alerts import as_tls12_section
from engine.tls.codec import FastReader, Field, Reader, SpanRecorder, Writer, plural, unnamed_fault
from engine.tls.constants import HandshakeType, ProtocolVersion, describe, known
from engine.tls.extensions import Extension, ExtensionContext, decode_extensions, encode_extensions

if TYPE_CHECKING:
    from engine.tls.suites import KeyExchange

__all__ = [
    "HEADER_LENGTH",
    "TLS12",
    "TLS13",
    "DecodeContext",
    "HandshakeMessage",
    "WholeBody",
    "WithExtensions",
    "certificates_summary",
    "read_certificate_list",
    "read_handshake",
    "read_message",
    "write_certificate_list",
]

HEADER_LENGTH = 4  # msg_type (1) and a uint24 length (RFC 8446 §4)
_new_object = object.__new__
_X = TypeVar("_X", bound="Extension")


@dataclass(frozen=True, slots=True)
class DecodeContext:
    """What the reader of a message knows that its bytes do not say.

    `version`: the negotiated (or, before ServerHello, the expected) version; it picks
    the TLS 1.3 or the TLS 1.2 body for Certificate, CertificateRequest and
    NewSessionTicket, and which message types exist at all. `key_exchange`: the TLS 1.2
    key exchange of the negotiated suite, which decides how a ServerKeyExchange or
    ClientKeyExchange body reads (RFC 5246 §7.4.3, §7.4.7)."""

    version: ProtocolVersion = ProtocolVersion.TLS1_3
    key_exchange: KeyExchange | None = None


TLS13 = DecodeContext()
TLS12 = DecodeContext(ProtocolVersion.TLS1_2)


class HandshakeMessage:
    """Base of the handshake messages. Subclasses are frozen dataclasses that give
    `msg_type`, `path` (the byte map's root, e.g. "client_hello"), `encode_body`,
    `decode_body` and `summary`."""

    __slots__ = ()
    msg_type: ClassVar[HandshakeType]
    path: ClassVar[str]
    _type_byte: ClassVar[bytes]  # the header's first byte, `bytes((msg_type,))`

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "msg_type" in vars(cls):  # (made once per class, not per encode)
            cls._type_byte = bytes((cls.msg_type,))

    def encode_body(self, w: Writer) -> None:
        raise NotImplementedError

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        """Read the body (after the header); `r` ends where the header's length says."""
        raise NotImplementedError

    def summary(self) -> str:
        """A short ladder label, e.g. "ClientHello 3 suites, x25519 share, SNI localhost"."""
        raise NotImplementedError

    def encode(self) -> bytes:
        """The whole handshake message: type, uint24 length, body."""
        w = _new_object(Writer)  # (what `Writer()` does, less its call)
        w.buffer = bytearray()
        self.encode_body(w)
        body = w.buffer
        return self._type_byte + len(body).to_bytes(3, "big") + body

    def decode_context(self) -> DecodeContext:
        """The context that reads this message's bytes back as this message."""
        return TLS13

    def byte_map(self) -> list[FieldSpan]:
        """Spans for every field of `encode()`, offsets from the first header byte, in
        reading order (a parent before its children, so ordered by start); the depth-0
        spans tile the message. A TLS 1.2 message's spans cite RFC 5246 where a shared rule
        has its twin there (`as_tls12_section`), as a TLS 1.2 connection's alerts do."""
        spans = SpanRecorder()
        context = self.decode_context()
        read_handshake(self.encode(), {self.msg_type: type(self)}, context, spans)
        if context.version is not ProtocolVersion.TLS1_2:
            return spans.spans
        return [replace(span, rfc=as_tls12_section(span.rfc)) for span in spans.spans]


class _Subclassed(dict[type, bool]):
    """Whether a class derives from the extension form, worked out at the first question
    (the forms are all defined at import time, so the answer never changes)."""

    def __missing__(self, form: type) -> bool:
        answer = self[form] = bool(form.__subclasses__())
        return answer


_SUBCLASSED = _Subclassed()


class _Forms(dict[type, Any]):
    """A message's extensions by exact type, the first of each type. Every form found in a
    block is a concrete class that no class derives from, so an exact hit is the first
    instance of the form; a form missing (absent from the block, or a shape that others
    derive from) is searched for among `extensions`."""

    __slots__ = ("extensions",)
    extensions: tuple[Extension, ...]

    def __missing__(self, form: type) -> Extension | None:
        if _SUBCLASSED[form]:
            for extension in self.extensions:
                if isinstance(extension, form):
                    return extension
        return None


class WithExtensions:
    """Lookups for messages that carry an extension block in `extensions`.

    The hellos, EncryptedExtensions and CertificateRequest make their index as they are
    read (`_index` in `decode_body`): their reader always asks them for extensions, and
    an index made then spares the AttributeError (~1 us to raise and catch) by which
    `get` makes it at the first lookup."""

    __slots__ = ("_forms",)
    extensions: tuple[Extension, ...]
    _forms: _Forms

    def get(self, form: type[_X]) -> _X | None:
        """The extension of this form (e.g. `KeyShareClientHello`), or None: the first one
        that is an instance of `form`, from an index made at the first call (a handler asks
        a ClientHello for a dozen forms)."""
        try:
            return self._forms[form]  # type: ignore[no-any-return]
        except AttributeError:
            return self._index()[form]  # type: ignore[no-any-return]

    def _index(self) -> _Forms:
        """`_forms`, made at the first lookup (the message is frozen: set through object)."""
        backwards = self.extensions[::-1]  # so that the first of a type wins
        forms = _Forms(zip(map(type, backwards), backwards))
        forms.extensions = self.extensions
        object.__setattr__(self, "_forms", forms)
        return forms

    def has(self, extension_type: int) -> bool:
        """True if an extension of this type is present, in whatever form."""
        for extension in self.extensions:
            if extension.extension_type == extension_type:
                return True
        return False


class WholeBody(HandshakeMessage):
    """A message whose body is one opaque field (`_field`, named as the dataclass
    field), or nothing at all when `_field` is None."""

    __slots__ = ()
    _field: ClassVar[Field | None] = None

    if TYPE_CHECKING:
        def __init__(self, *value: bytes) -> None: ...

    def encode_body(self, w: Writer) -> None:
        if self._field is not None:
            w.buffer += getattr(self, self._field.name)

    def encode(self) -> bytes:  # (the body is one field: no Writer needed)
        body = getattr(self, self._field.name) if self._field is not None else b""
        return self._type_byte + len(body).to_bytes(3, "big") + body

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        if cls._field is None:
            return cls()
        if type(r) is FastReader:  # (`rest` written out: every Finished is read this way)
            start, r.pos = r.pos, r.end
            return cls(r.data[start : r.end])
        return cls(r.rest(cls._field))


def certificates_summary(count: int) -> str:
    """The ladder label of a Certificate message of either version."""
    return f"Certificate {count} cert{'s' * (count != 1)}" if count else "Certificate (empty)"


def write_certificate_list(w: Writer, certificates: Sequence[bytes],
                           extension_blocks: Sequence[tuple[Extension, ...]] | None = None) -> None:
    """certificate_list<0..2^24-1>, as `read_certificate_list` reads it: each DER
    certificate in a uint24 vector, followed in TLS 1.3 by its extension block (one of
    `extension_blocks` per certificate). Written in one pass, the list's length filled in
    last (`Writer.block` and `vector` written out: a server sends this every handshake)."""
    buffer = w.buffer
    start = len(buffer)
    buffer += b"\0\0\0"  # the list's length, filled in below
    for index, cert_data in enumerate(certificates):
        buffer += len(cert_data).to_bytes(3, "big") + cert_data
        if extension_blocks is not None:
            if extension_blocks[index]:
                encode_extensions(w, extension_blocks[index])
            else:  # (the usual entry: an empty block, without the call)
                buffer += b"\0\0"
    buffer[start : start + 3] = (len(buffer) - start - 3).to_bytes(3, "big")


def read_certificate_list(r: Reader, rfc: str, context: ExtensionContext | None = None
                          ) -> tuple[list[bytes], list[tuple[Extension, ...]]]:
    """certificate_list<0..2^24-1>: each item starts with a DER certificate in a uint24
    vector. With an extension `context` (TLS 1.3) each certificate is followed by its
    extension block: the certificates in order, and the blocks (empty without a context)."""
    list_field, entry_field, cert_field = _certificate_fields(rfc)
    certificates: list[bytes] = []
    blocks: list[tuple[Extension, ...]] = []
    if type(r) is FastReader:  # no spans to open: the entries read straight through
        # (`length_prefix(3, 0, None)` and each `opaque(3, cert_field, 1)` written out)
        data, pos, outer_end = r.data, r.pos + 3, r.end
        end = pos + int.from_bytes(data[pos - 3 : pos], "big")
        if end > outer_end:
            unnamed_fault()
        while pos < end:  # each read is bounded by `end`: the loop ends exactly there
            start = pos + 3
            pos = start + int.from_bytes(data[pos:start], "big")
            if pos > end or pos == start:
                unnamed_fault()
            certificates.append(data[start:pos])
            if context is None:
                continue
            if data[pos : pos + 2] == b"\0\0" and pos + 2 <= end:  # no extensions, as a rule
                pos += 2
                blocks.append(())
            else:
                r.pos, r.end = pos, end
                blocks.append(decode_extensions(r, context))
                pos = r.pos
        r.pos, r.end = end, outer_end
        return certificates, blocks
    with r.group(3, list_field) as span:
        while r.pos < r.end:  # (`Reader.each` written out: two calls fewer a certificate)
            with r.item(entry_field, len(certificates)):
                certificates.append(r.opaque(3, cert_field, 1))
                if context is not None:
                    blocks.append(decode_extensions(r, context))
        span.value = lambda: plural(len(certificates), "certificate")
    return certificates, blocks


@cache
def _certificate_fields(rfc: str) -> tuple[Field, Field, Field]:
    """The certificate list's, an entry's and cert_data's fields, citing `rfc`."""
    return (_CERTIFICATE_LIST._replace(rfc=rfc), _CERTIFICATE_ENTRY._replace(rfc=rfc),
            _CERT_DATA._replace(rfc=rfc))


_CERTIFICATE_LIST = Field("certificate_list", "Certificate list", "The sender's own "
                          "certificate first, then the chain toward a trusted root")
_CERTIFICATE_ENTRY = Field("", "Certificate entry", "One certificate in the chain")
_CERT_DATA = Field("cert_data", "Certificate", "One X.509 certificate, DER-encoded: a "
                   "name, a public key, and an issuer's signature over them")

_RFC = "RFC 8446 §4"
_MSG_TYPE = Field("msg_type", "Handshake type", "Which handshake message this is", _RFC,
                  lambda v: describe(known(HandshakeType, v), 2))
_LENGTH = Field("length", "Length", "How many bytes of message body follow the 4-byte "
                "header (a 24-bit number)", _RFC, lambda v: f"{v} bytes")


def read_handshake(data: bytes, classes: dict[int, type[HandshakeMessage]],
                   context: DecodeContext, spans: SpanRecorder | None = None,
                   unknown: type[Exception] | None = None) -> HandshakeMessage:
    """Read one whole handshake message whose class `classes` names by its type byte.

    A type missing from `classes` raises `unknown` (the caller's alert) or, by default,
    the decode_error alert. Lengths that disagree with `data` raise decode_error.

    Without `spans` the message is first read by a `FastReader` (no paths, no spans); if
    that finds any fault, the bytes are read again by a `Reader`, whose alert names the
    field, so the alert is the same either way."""
    if spans is None:
        try:  # the header read inline; any fault (a type missing from `classes` too) lands below
            cls = classes[data[0]]
            end = len(data)
            if int.from_bytes(data[1:4], "big") != end - 4:  # (4: HEADER_LENGTH)
                unnamed_fault()
            r = _new_object(FastReader)  # (what `FastReader(data, 4)` does, less its call)
            r.data, r.pos, r.end = data, 4, end
            message = cls.decode_body(r, context)
            if r.pos == r.end:
                return message
        except Exception:  # noqa: BLE001 - read again below, to name the fault
            pass
    return read_message(Reader(data, spans=spans), classes, context, unknown)


def read_message(r: Reader, classes: dict[int, type[HandshakeMessage]], context: DecodeContext,
                 unknown: type[Exception] | None = None) -> HandshakeMessage:
    """`read_handshake` with the reader given: a `Reader` (with or without spans), or a
    `FastReader`, whose faults are unnamed."""
    with r.scope("handshake"):
        msg_type = r.number(1, _MSG_TYPE)
        length = r.number(3, _LENGTH)
        if length > r.remaining():
            r.fail(r.path(_LENGTH), f"says {length} bytes follow, only {r.remaining()} do", _RFC)
        if length < r.remaining():
            r.fail(r.path(_LENGTH), f"says {length} bytes follow, but {r.remaining()} do: "
                   "bytes after the message's end", _RFC)
    cls = classes.get(msg_type)
    if cls is None:
        problem = f"handshake.msg_type at byte 0: {describe(known(HandshakeType, msg_type), 2)}"
        if unknown is None:
            r.fail("handshake.msg_type", "not a handshake message this reader knows", _RFC)
        raise unknown(f"{problem} is not a {context.version.name} handshake message", _RFC)
    with r.scope(cls.path):
        message = cls.decode_body(r, context)
        if not r.at_end():
            r.fail(r.path(), f"{r.remaining()} bytes after the last field", _RFC)
    return message
