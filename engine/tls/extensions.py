"""TLS extensions (RFC 8446 §4.2, RFC 5246 §7.4.1.4 and the RFCs that define each).

Each extension is a frozen dataclass whose `encode(w)` writes its extension_data (the
bytes after type and length) and whose `decode(r)` reads it back, naming every field for
the byte map. One extension type can have several forms, chosen by the message it rides
in: key_share is a list of shares in a ClientHello, one share in a ServerHello and a bare
group in a HelloRetryRequest. So the classes are the forms (`KeyShareClientHello`,
`KeyShareServerHello`, `KeyShareHelloRetryRequest`, named as in RFC 8446), and
`decode_extensions(r, context)` picks the form from `_FORMS[type][context]`. A type with
no form for that context, or with no class at all, is kept verbatim as `UnknownExtension`,
so every block re-encodes byte for byte. Where an extension may appear at all is a TLS 1.3
rule of its own, checked by `check_tls13_placement` (RFC 8446 §4.2).

Block rules enforced while decoding: no type twice in one block (illegal_parameter,
RFC 8446 §4.2) and pre_shared_key last in a ClientHello (illegal_parameter, §4.2.11).

The simple forms here are a few class constants on a shared shape (`EmptyExtension`,
`NumberExtension`, `CodesExtension`, `OpaqueExtension`, in `engine.tls.extension_base`);
the ones with inner structure live in `engine.tls.extensions_nested`. Both are
re-exported here: import every extension from this module.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Self, TypeVar

from engine.tls.alerts import DecodeError, IllegalParameter
from engine.tls.codec import FastReader, Field, Reader, Writer, plural, unnamed_fault
from engine.tls.constants import (
    ECPointFormat,
    ExtensionType,
    NamedGroup,
    ProtocolVersion,
    PskKeyExchangeMode,
    SignatureScheme,
    describe,
    known,
    name,
    shown,
)
from engine.tls.events import fast_init
from engine.tls.extension_base import (
    TLS13_PLACEMENT,
    CodesExtension,
    EmptyExtension,
    Extension,
    ExtensionContext,
    NumberExtension,
    OpaqueExtension,
    UnknownExtension,
    check_tls13_placement,
    extension_type_of,
    rfc8446,
)
from engine.tls.extensions_nested import (
    Alpn,
    CertificateStatus,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareServerHello,
    PreSharedKeyClientHello,
    PskIdentity,
    ServerName,
    StatusRequest,
)

__all__ = [
    "Alpn",
    "CertificateStatus",
    "KeyShareClientHello",
    "KeyShareEntry",
    "KeyShareServerHello",
    "PreSharedKeyClientHello",
    "PskIdentity",
    "ServerName",
    "StatusRequest",
    "TLS13_PLACEMENT",
    "check_tls13_placement",
    "decode_extensions",
    "encode_extensions",
    "find",
    "form_of",
    "EarlyData",
    "EarlyDataNewSessionTicket",
    "EcPointFormats",
    "EncryptThenMac",
    "ExtendedMasterSecret",
    "Extension",
    "ExtensionContext",
    "Cookie",
    "KeyShareHelloRetryRequest",
    "Padding",
    "PostHandshakeAuth",
    "PreSharedKeyServerHello",
    "PskKeyExchangeModes",
    "RecordSizeLimit",
    "RenegotiationInfo",
    "ServerNameAck",
    "SessionTicket",
    "SignatureAlgorithms",
    "SignatureAlgorithmsCert",
    "StatusRequestAck",
    "SupportedGroups",
    "SupportedVersionsClientHello",
    "SupportedVersionsServerHello",
    "UnknownExtension",
]


# --- the simple extensions ------------------------------------------------------------------


@fast_init
@dataclass(frozen=True, slots=True)
class ServerNameAck(EmptyExtension):
    """server_name in a ServerHello or EncryptedExtensions: empty, meaning "I used the
    name you sent" (RFC 6066 §3)."""

    extension_type = ExtensionType.server_name


@fast_init
@dataclass(frozen=True, slots=True)
class StatusRequestAck(EmptyExtension):
    """status_request in a TLS 1.2 ServerHello: empty, "a CertificateStatus message will
    follow" (RFC 6066 §8)."""

    extension_type = ExtensionType.status_request


@fast_init
@dataclass(frozen=True, slots=True)
class EarlyData(EmptyExtension):
    """early_data in a ClientHello ("0-RTT data follows") or EncryptedExtensions
    ("accepted") (RFC 8446 §4.2.10)."""

    extension_type = ExtensionType.early_data


@fast_init
@dataclass(frozen=True, slots=True)
class ExtendedMasterSecret(EmptyExtension):
    """extended_master_secret: derive the TLS 1.2 master secret from the whole handshake
    transcript, not just the randoms (RFC 7627 §4, §5.1)."""

    extension_type = ExtensionType.extended_master_secret


@fast_init
@dataclass(frozen=True, slots=True)
class EncryptThenMac(EmptyExtension):
    """encrypt_then_mac: MAC after encrypting, for CBC suites (RFC 7366 §2)."""

    extension_type = ExtensionType.encrypt_then_mac


@fast_init
@dataclass(frozen=True, slots=True)
class PostHandshakeAuth(EmptyExtension):
    """post_handshake_auth: the client will answer a CertificateRequest after the
    handshake (RFC 8446 §4.2.6)."""

    extension_type = ExtensionType.post_handshake_auth


@fast_init
@dataclass(frozen=True, slots=True)
class SupportedGroups(CodesExtension):
    groups: tuple[NamedGroup | int, ...]

    extension_type = ExtensionType.supported_groups
    _attr = "groups"
    _item_size, _length_size, _minimum, _maximum = 2, 2, 2, 0xFFFF
    _codes = NamedGroup
    _list = Field("named_group_list", "Named groups", "The key exchange groups the sender "
                  "supports, most preferred first", rfc8446("4.2.7"))
    _item = Field("", "Named group", "One group (elliptic curve or finite field) for the "
                  "key exchange", rfc8446("4.2.7"), shown(NamedGroup))


@fast_init
@dataclass(frozen=True, slots=True)
class SignatureAlgorithms(CodesExtension):
    schemes: tuple[SignatureScheme | int, ...]

    extension_type = ExtensionType.signature_algorithms
    _attr = "schemes"
    _item_size, _length_size, _minimum, _maximum = 2, 2, 2, 0xFFFE
    _codes = SignatureScheme
    _list = Field("supported_signature_algorithms", "Signature algorithms", "The signature "
                  "schemes the sender accepts in CertificateVerify (and certificates, unless "
                  "signature_algorithms_cert says otherwise)", rfc8446("4.2.3"))
    _item = Field("", "Signature scheme", "One signature algorithm with its hash",
                  rfc8446("4.2.3"), shown(SignatureScheme))


@fast_init
@dataclass(frozen=True, slots=True)
class SignatureAlgorithmsCert(CodesExtension):
    schemes: tuple[SignatureScheme | int, ...]

    extension_type = ExtensionType.signature_algorithms_cert
    _attr = "schemes"
    _item_size, _length_size, _minimum, _maximum = 2, 2, 2, 0xFFFE
    _codes = SignatureScheme
    _list = Field("supported_signature_algorithms", "Certificate signature algorithms",
                  "The signature schemes the sender accepts on certificates", rfc8446("4.2.3"))
    _item = SignatureAlgorithms._item


@fast_init
@dataclass(frozen=True, slots=True)
class EcPointFormats(CodesExtension):
    formats: tuple[ECPointFormat | int, ...]

    extension_type = ExtensionType.ec_point_formats
    _attr = "formats"
    _item_size, _length_size, _minimum, _maximum = 1, 1, 1, 0xFF
    _codes = ECPointFormat
    _list = Field("ec_point_format_list", "EC point formats", "How elliptic curve points "
                  "may be encoded; only uncompressed is still allowed", "RFC 8422 §5.1.2")
    _item = Field("", "Point format", "One point encoding", "RFC 8422 §5.1.2",
                  shown(ECPointFormat, 2))


@fast_init
@dataclass(frozen=True, slots=True)
class PskKeyExchangeModes(CodesExtension):
    modes: tuple[PskKeyExchangeMode | int, ...]

    extension_type = ExtensionType.psk_key_exchange_modes
    _attr = "modes"
    _item_size, _length_size, _minimum, _maximum = 1, 1, 1, 0xFF
    _codes = PskKeyExchangeMode
    _list = Field("ke_modes", "PSK key exchange modes", "How a resumed session may set up "
                  "keys: psk_ke (PSK only) or psk_dhe_ke (PSK plus a fresh (EC)DHE)",
                  rfc8446("4.2.9"))
    _item = Field("", "Mode", "One PSK key exchange mode", rfc8446("4.2.9"),
                  shown(PskKeyExchangeMode, 2))


@fast_init
@dataclass(frozen=True, slots=True)
class SupportedVersionsClientHello(CodesExtension):
    versions: tuple[ProtocolVersion | int, ...]

    extension_type = ExtensionType.supported_versions
    _attr = "versions"
    _item_size, _length_size, _minimum, _maximum = 2, 1, 2, 254
    _codes = ProtocolVersion
    _list = Field("versions", "Supported versions", "The TLS versions the client speaks, "
                  "most preferred first; in TLS 1.3 this, not legacy_version, is the offer",
                  rfc8446("4.2.1"))
    _item = Field("", "Version", "One TLS version", rfc8446("4.2.1"), shown(ProtocolVersion))


@fast_init
@dataclass(frozen=True, slots=True)
class SupportedVersionsServerHello(NumberExtension):
    selected_version: ProtocolVersion | int

    extension_type = ExtensionType.supported_versions
    _attr, _size, _codes = "selected_version", 2, ProtocolVersion
    _field = Field("selected_version", "Selected version", "The version the server chose: "
                   "0x0304 means this is TLS 1.3", rfc8446("4.2.1"),
                   shown(ProtocolVersion))


@fast_init
@dataclass(frozen=True, slots=True)
class KeyShareHelloRetryRequest(NumberExtension):
    selected_group: NamedGroup | int

    extension_type = ExtensionType.key_share
    _attr, _size, _codes = "selected_group", 2, NamedGroup
    _field = Field("selected_group", "Selected group", "The group the server wants a key "
                   "share for: send a new ClientHello with one", rfc8446("4.2.8"),
                   shown(NamedGroup))


@fast_init
@dataclass(frozen=True, slots=True)
class PreSharedKeyServerHello(NumberExtension):
    selected_identity: int

    extension_type = ExtensionType.pre_shared_key
    _attr, _size = "selected_identity", 2
    _field = Field("selected_identity", "Selected identity", "Which of the client's offered "
                   "PSKs the server accepted (0-based index)", rfc8446("4.2.11"))


@fast_init
@dataclass(frozen=True, slots=True)
class EarlyDataNewSessionTicket(NumberExtension):
    max_early_data_size: int

    extension_type = ExtensionType.early_data
    _attr, _size = "max_early_data_size", 4
    _field = Field("max_early_data_size", "Max early data size", "How many bytes of 0-RTT "
                   "data the client may send when resuming with this ticket", rfc8446("4.2.10"))


@fast_init
@dataclass(frozen=True, slots=True)
class RecordSizeLimit(NumberExtension):
    limit: int

    extension_type = ExtensionType.record_size_limit
    _attr, _size = "limit", 2
    _field = Field("record_size_limit", "Record size limit", "The largest record plaintext "
                   "the sender is willing to receive", "RFC 8449 §4")

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        return super(NumberExtension, cls).decode_at(r, start, stop)  # through `decode` below

    @classmethod
    def decode(cls, r: Reader) -> Self:
        at = r.offset
        extension = super(RecordSizeLimit, cls).decode(r)
        if extension.limit < 64:
            raise IllegalParameter(f"{r.path(cls._field)} at byte {at}: {extension.limit} is "
                                   "below the minimum of 64", "RFC 8449 §4")
        return extension


@fast_init
@dataclass(frozen=True, slots=True)
class Cookie(OpaqueExtension):
    cookie: bytes

    extension_type = ExtensionType.cookie
    _attr, _length_size, _minimum = "cookie", 2, 1
    _field = Field("cookie", "Cookie", "Opaque state from a HelloRetryRequest that the "
                   "client must echo in its second ClientHello", rfc8446("4.2.2"))


@fast_init
@dataclass(frozen=True, slots=True)
class RenegotiationInfo(OpaqueExtension):
    renegotiated_connection: bytes = b""

    extension_type = ExtensionType.renegotiation_info
    _attr, _length_size = "renegotiated_connection", 1
    _field = Field("renegotiated_connection", "Renegotiated connection", "Empty on a first "
                   "handshake; in a renegotiation, the previous Finished values", "RFC 5746 §3.2")


@fast_init
@dataclass(frozen=True, slots=True)
class SessionTicket(OpaqueExtension):
    ticket: bytes = b""

    extension_type = ExtensionType.session_ticket
    _attr, _length_size = "ticket", 0
    _field = Field("ticket", "Session ticket", "Empty: 'I accept tickets'; otherwise a "
                   "ticket from an earlier session, to resume it", "RFC 5077 §3.2")


@fast_init
@dataclass(frozen=True, slots=True)
class Padding(Extension):
    """padding: zero bytes that bring a ClientHello to a size middleboxes handle well."""

    length: int
    extension_type = ExtensionType.padding
    _field: ClassVar[Field] = Field("padding", "Padding", "Zero bytes, only to make the "
                                    "ClientHello longer", "RFC 7685 §3",
                                    lambda v: f"{len(v)} zero bytes")

    def encode(self, w: Writer) -> None:
        w.bytes(bytes(self.length))

    @classmethod
    def decode(cls, r: Reader) -> Self:
        data = r.rest(cls._field)
        if data.count(0) != len(data):
            raise DecodeError(f"{r.path(cls._field)}: padding must be all zero bytes",
                              "RFC 7685 §3")
        return cls(len(data))

    def describe(self) -> str:
        return f"{self.length} bytes"


# --- blocks of extensions ------------------------------------------------------------------

_EXTENSIONS = Field("extensions", "Extensions", "Optional features and parameters, each "
                    "as type, length and data", rfc8446("4.2"))
_EXTENSION = Field("", "Extension", "One extension: a 2-byte type, a 2-byte length, data",
                   rfc8446("4.2"))
_EXTENSION_TYPE = Field("extension_type", "Extension type", "Which extension this is",
                        rfc8446("4.2"), lambda v: describe(known(ExtensionType, v)))
_EXTENSION_DATA = Field("extension_data", "Extension data", "The extension's content; "
                        "its form depends on the type and the message", rfc8446("4.2"))
_RAW = Field("raw", "Data", "Content this engine keeps as raw bytes", rfc8446("4.2"))

_FORMS: dict[int, dict[ExtensionContext | None, type[Extension]]] = {}


_FORMS_IN: dict[ExtensionContext, dict[int, type[Extension]]] = {}  # form_of, by context


def register_forms(extension_type: ExtensionType,
                   forms: dict[ExtensionContext | None, type[Extension]]) -> None:
    """Declare which class reads `extension_type` in which context (None: any other)."""
    _FORMS[extension_type] = forms
    _FORMS_IN.clear()


def _forms_in(context: ExtensionContext) -> dict[int, type[Extension]]:
    """Every registered type's form in `context` (what `form_of` answers), made once."""
    table = {int(t): form for t in _FORMS if (form := form_of(t, context)) is not None}
    _FORMS_IN[context] = table
    return table


def form_of(extension_type: int, context: ExtensionContext) -> type[Extension] | None:
    """The class that reads this extension type in this message, if any."""
    forms = _FORMS.get(extension_type)
    if forms is None:
        return None
    return forms.get(context, forms.get(None))


def encode_extensions(w: Writer, extensions: Sequence[Extension]) -> None:
    """Write an extension block: a 2-byte length, then type, length and data of each."""
    buffer = w.buffer
    if not extensions:  # (every Certificate entry's block, as a rule)
        buffer += b"\0\0"
        return
    block = len(buffer)  # the block's length and each extension's type and length are
    buffer += b"\0\0"    # filled in once what they cover is written
    for extension in extensions:
        start = len(buffer)
        buffer += b"\0\0\0\0"
        extension.encode(w)
        _PUT_TYPE_AND_LENGTH(buffer, start, extension.extension_type, len(buffer) - start - 4)
    _PUT_LENGTH(buffer, block, len(buffer) - block - 2)


def decode_extensions(r: Reader, context: ExtensionContext) -> tuple[Extension, ...]:
    """Read an extension block in `context`; duplicates and a ClientHello whose
    pre_shared_key is not last raise illegal_parameter.

    A FastReader's block is read here straight from the bytes (the same bytes accepted,
    the same values, no spans; a fault raises unnamed and the caller re-reads with a
    Reader); a Reader's by `_decode_named`."""
    if type(r) is not FastReader:
        return _decode_named(r, context)
    data, pos = r.data, r.pos
    end = pos + 2 + int.from_bytes(data[pos : pos + 2], "big")  # (`length_prefix` written out)
    outer_end = r.end
    if end > outer_end:
        unnamed_fault()
    pos += 2
    if pos == end:  # (a Certificate entry's usual block)
        r.pos = end
        return ()
    table = _FORMS_IN.get(context) or _forms_in(context)
    extensions: list[Extension] = []
    while pos < end:
        at = pos + 4
        extension_type, size = _TYPE_AND_LENGTH(data, pos)  # past the data: raises, re-read
        pos = at + size
        form = table.get(extension_type)
        if form is None:
            extensions.append(UnknownExtension(extension_type, data[at:pos]))
        else:
            extensions.append(form.decode_at(r, at, pos))
    # An extension past the block's end (its type and length cut off too) is read from
    # the bytes after it, or raises: either way the block does not end where it says.
    seen = set(map(extension_type_of, extensions))  # (after the loop: C calls, not one a type)
    if pos != end or len(seen) != len(extensions):  # (or a type twice)
        unnamed_fault()
    r.pos, r.end = end, outer_end
    result = tuple(extensions)
    if context is _CH and _PRE_SHARED_KEY in seen:
        _check_psk_last(r, result)
    return result


def _decode_named(r: Reader, context: ExtensionContext) -> tuple[Extension, ...]:
    """`decode_extensions` by a Reader: every field named (and recorded, with spans)."""
    seen: set[int] = set()
    with r.group(2, _EXTENSIONS) as span:
        extensions = tuple(r.each(lambda i: _decode_one(r, context, i, seen)))
        span.value = lambda: plural(len(extensions), "extension")
    if context is ExtensionContext.CLIENT_HELLO:
        _check_psk_last(r, extensions)
    return extensions


def _decode_one(r: Reader, context: ExtensionContext, index: int, seen: set[int]) -> Extension:
    with r.item(_EXTENSION, index) as span:
        at = r.offset
        extension_type = r.number(2, _EXTENSION_TYPE)
        if extension_type in seen:
            raise IllegalParameter(
                f"{r.path()} at byte {at}: a second {name(known(ExtensionType, extension_type))} "
                "extension; a block may hold each type only once", rfc8446("4.2"))
        seen.add(extension_type)
        form = form_of(extension_type, context)
        with r.group(2, _EXTENSION_DATA):
            extension = (form.decode(r) if form is not None
                         else UnknownExtension(extension_type, r.rest(_RAW)))
        span.value = lambda: f"{name(known(ExtensionType, extension_type))}: {extension.describe()}"
    return extension


def _check_psk_last(r: Reader, extensions: tuple[Extension, ...]) -> None:
    for index, extension in enumerate(extensions[:-1]):
        if extension.extension_type == ExtensionType.pre_shared_key:
            raise IllegalParameter(
                f"{r.path()}.extensions[{index}]: pre_shared_key is not the last extension "
                "of the ClientHello", rfc8446("4.2.11"))


_X = TypeVar("_X", bound=Extension)


def find(extensions: Sequence[Extension], form: type[_X]) -> _X | None:
    """The extension of this form in the block, or None."""
    return next((e for e in extensions if isinstance(e, form)), None)


_ANY = None
_CH, _SH, _HRR, _EE, _CT, _CR, _NST = ExtensionContext  # in definition order
_PRE_SHARED_KEY = int(ExtensionType.pre_shared_key)  # (an enum member's lookup is slow)
_TYPE_AND_LENGTH = struct.Struct(">HH").unpack_from  # an extension's first four bytes
_PUT_TYPE_AND_LENGTH = struct.Struct(">HH").pack_into
_PUT_LENGTH = struct.Struct(">H").pack_into

for _form in (SupportedGroups, SignatureAlgorithms, SignatureAlgorithmsCert, EcPointFormats,
              PskKeyExchangeModes, ExtendedMasterSecret, EncryptThenMac, PostHandshakeAuth,
              RecordSizeLimit, Cookie, RenegotiationInfo, SessionTicket, Padding, Alpn):
    register_forms(ExtensionType(_form.extension_type), {_ANY: _form})
register_forms(ExtensionType.server_name, {_CH: ServerName, _ANY: ServerNameAck})
register_forms(ExtensionType.supported_versions, {_CH: SupportedVersionsClientHello,
                                                  _SH: SupportedVersionsServerHello,
                                                  _HRR: SupportedVersionsServerHello})
register_forms(ExtensionType.key_share, {_CH: KeyShareClientHello, _SH: KeyShareServerHello,
                                         _HRR: KeyShareHelloRetryRequest})
register_forms(ExtensionType.pre_shared_key, {_CH: PreSharedKeyClientHello,
                                              _SH: PreSharedKeyServerHello})
register_forms(ExtensionType.early_data, {_NST: EarlyDataNewSessionTicket, _ANY: EarlyData})
register_forms(ExtensionType.status_request, {_CH: StatusRequest, _CR: StatusRequest,
                                              _CT: CertificateStatus, _ANY: StatusRequestAck})
