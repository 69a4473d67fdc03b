"""TLS handshake messages (RFC 8446 §4, RFC 5246 §7.4) as typed, frozen values.

Every message has `msg_type`, `encode()` (the whole message with its 4-byte header),
`byte_map()` and `summary()`. `decode_handshake(data, context=...)` reads one whole
message, choosing the class by its type byte from the table for the context's version:
ServerKeyExchange exists only in TLS 1.2, EncryptedExtensions only in TLS 1.3, and
Certificate, CertificateRequest and NewSessionTicket have a different body in each.
This module holds the messages both versions share (the hellos, CertificateVerify,
Finished); the others live in `engine.tls.messages13` and `engine.tls.messages12` (the
TLS 1.2 bodies are the `...12` classes) and are re-exported here: import from this module.
`split_handshake_messages` cuts a reassembled handshake stream into whole messages.

    encode(decode(b)) == b   for every b that decodes: nothing is normalised away
                             (unknown code points and extensions are kept as they came).

Faults: malformed bytes raise the decode_error alert naming the field path and offset; a
type the version does not have raises unexpected_message; the semantic rules RFC 8446
names another alert for raise that one (a TLS 1.3 ClientHello whose compression methods
are not [0], a KeyUpdate request that is neither 0 nor 1, a duplicate extension, a
pre_shared_key that is not last: illegal_parameter).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import ClassVar, NamedTuple, Self

from engine.tls.alerts import IllegalParameter, UnexpectedMessage
from engine.tls.codec import (
    FastReader,
    Field,
    Reader,
    Writer,
    code_points,
    hex_preview,
    plural,
    unnamed_fault,
)
from engine.tls.constants import (
    DOWNGRADE_TLS11,
    DOWNGRADE_TLS12,
    HELLO_RETRY_REQUEST_RANDOM,
    CipherSuite,
    HandshakeType,
    ProtocolVersion,
    SignatureScheme,
    member_of,
    name,
    shown,
)
from engine.tls.events import fast_init
from engine.tls.extension_base import rfc8446
from engine.tls.extensions import (
    Cookie,
    Extension,
    ExtensionContext,
    KeyShareClientHello,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    PreSharedKeyClientHello,
    PreSharedKeyServerHello,
    ServerName,
    SupportedVersionsClientHello,
    SupportedVersionsServerHello,
    decode_extensions,
    encode_extensions,
)
from engine.tls.message_base import (
    HEADER_LENGTH,
    DecodeContext,
    HandshakeMessage,
    WholeBody,
    WithExtensions,
    read_handshake,
)
from engine.tls.messages12 import (
    TLS12_ONLY,
    Certificate12,
    CertificateRequest12,
    ClientKeyExchange,
    DheParams,
    EcdheParams,
    NewSessionTicket12,
    ServerHelloDone,
    ServerKeyExchange,
)
from engine.tls.messages13 import (
    TLS13_ONLY,
    Certificate,
    CertificateEntry,
    CertificateRequest,
    EncryptedExtensions,
    EndOfEarlyData,
    KeyUpdate,
    MessageHash,
    NewSessionTicket,
)

__all__ = [
    "Certificate",
    "Certificate12",
    "CertificateEntry",
    "CertificateRequest",
    "CertificateRequest12",
    "CertificateVerify",
    "ClientHello",
    "ClientKeyExchange",
    "DecodeContext",
    "DheParams",
    "EcdheParams",
    "EncryptedExtensions",
    "EndOfEarlyData",
    "Finished",
    "HandshakeMessage",
    "KeyUpdate",
    "MessageHash",
    "NewSessionTicket",
    "NewSessionTicket12",
    "ServerHello",
    "ServerHelloDone",
    "ServerKeyExchange",
    "decode_handshake",
    "handshake_classes",
    "split_handshake_messages",
]

_CH, _SH = rfc8446("4.1.2"), rfc8446("4.1.3")


def _version_words(version: int) -> str:
    return f"TLS 1.{version - 0x0301}" if 0x0301 <= version <= 0x0304 else f"0x{version:04x}"


def _show_version(version: int) -> str:
    return f"{_version_words(version)} (0x{version:04x})"


# --- ClientHello and ServerHello (RFC 8446 §4.1.2, §4.1.3; RFC 5246 §7.4.1) ----------------

_CH_VERSION = Field("legacy_version", "Legacy version", "The highest version in the old "
                    "scheme: 0x0303 (TLS 1.2) even for TLS 1.3, which is offered in "
                    "supported_versions instead", _CH, _show_version)
_CH_RANDOM = Field("random", "Client random", "32 bytes from the client's secure random "
                   "generator; makes every handshake's keys unique", _CH)
_CH_SESSION = Field("legacy_session_id", "Legacy session ID", "TLS 1.2: a session to "
                    "resume; TLS 1.3 middlebox-compatibility mode: 32 random bytes", _CH)
_SUITES = Field("cipher_suites", "Cipher suites", "The suites the client supports, most "
                "preferred first", _CH)
_SUITE = Field("", "Cipher suite", "One suite: the AEAD and hash (TLS 1.3), plus key "
               "exchange and authentication (TLS 1.2)", _CH, shown(CipherSuite))
_COMPRESSION = Field("legacy_compression_methods", "Compression methods", "Always the one "
                     "byte 00 (no compression): compression leaked secrets (CRIME)", _CH)
_SH_VERSION = _CH_VERSION._replace(meaning="0x0303 (TLS 1.2) in both TLS 1.2 and TLS 1.3; a "
                                   "TLS 1.3 server says 1.3 in supported_versions", rfc=_SH)
_SH_RANDOM = Field("random", "Server random", "32 random bytes from the server; the last 8 "
                   "carry a downgrade sentinel if a TLS 1.3 server settled for less. A fixed "
                   "value (SHA-256 of \"HelloRetryRequest\") marks a HelloRetryRequest", _SH)
_SH_SESSION = Field("legacy_session_id_echo", "Session ID echo", "The client's "
                    "legacy_session_id, echoed back", _SH)
_SH_SUITE = Field("cipher_suite", "Cipher suite", "The one suite the server chose from the "
                  "client's list", _SH, shown(CipherSuite))
_SH_COMPRESSION = Field("legacy_compression_method", "Compression method", "Always 0: "
                        "no compression", _SH)


_VERSION_OF, _SUITE_OF, _SCHEME_OF = (member_of(ProtocolVersion), member_of(CipherSuite),
                                   member_of(SignatureScheme))
_START = struct.Struct(">H32sB").unpack_from  # a hello's version, random and session id length
_SUITE_AND_COMPRESSION = struct.Struct(">HB").unpack_from  # a ServerHello's, after its session id
_SENTINELS = {DOWNGRADE_TLS12: ProtocolVersion.TLS1_2, DOWNGRADE_TLS11: ProtocolVersion.TLS1_1}
# The contexts the hellos read their extensions in, looked up once (an enum member's
# lookup through its class is slow, and every handshake reads two hellos).
_IN_CLIENT_HELLO = ExtensionContext.CLIENT_HELLO
_IN_SERVER_HELLO = ExtensionContext.SERVER_HELLO
_IN_HELLO_RETRY_REQUEST = ExtensionContext.HELLO_RETRY_REQUEST


class _Start(NamedTuple):
    """The fields both hellos open with (RFC 8446 §4.1.2, §4.1.3)."""

    version: Field
    random: Field
    session_id: Field


_CH_FIELDS = _Start(_CH_VERSION, _CH_RANDOM, _CH_SESSION)
_SH_FIELDS = _Start(_SH_VERSION, _SH_RANDOM, _SH_SESSION)


def _write_start(w: Writer, version: int, random: bytes, session_id: bytes) -> None:
    # (`uint16`, `bytes` and `vector` in one write)
    w.buffer += (version.to_bytes(2, "big") + random + len(session_id).to_bytes(1, "big")
                 + session_id)


def _read_start(r: Reader, fields: _Start) -> tuple[ProtocolVersion | int, bytes, bytes]:
    version = _VERSION_OF(r.number(2, fields.version))
    return version, r.fixed(32, fields.random), r.opaque(1, fields.session_id, 0, 32)


# A hello's fields before its extensions read straight from a FastReader's bytes, in one
# call for each hello (every handshake reads both). Any fault, or bytes cut short (struct
# and indexing raise), is re-read by a Reader, which names it.

def _client_hello_head_at(r: FastReader) -> tuple[ProtocolVersion | int, bytes, bytes,
                                                  tuple[CipherSuite | int, ...], bytes]:
    """A ClientHello's version, random, session id, suites and compression methods."""
    data, pos = r.data, r.pos
    version, random, length = _START(data, pos)
    suites_at = pos + 35 + length
    suites_length = int.from_bytes(data[suites_at : suites_at + 2], "big")
    compression_at = suites_at + 2 + suites_length
    stop = compression_at + 1 + data[compression_at]
    if (stop > r.end or length > 32 or suites_length < 2 or suites_length % 2
            or stop == compression_at + 1):  # (a length over 0xFFFE, the maximum, is odd)
        unnamed_fault()
    r.pos = stop
    return (_VERSION_OF(version), random, data[pos + 35 : suites_at],
            code_points(data, suites_at + 2, suites_length, 2, CipherSuite),
            data[compression_at + 1 : stop])


def _server_hello_head_at(r: FastReader) -> tuple[ProtocolVersion | int, bytes, bytes,
                                                  CipherSuite | int, int]:
    """A ServerHello's version, random, session id, suite and compression method."""
    data, pos = r.data, r.pos
    version, random, length = _START(data, pos)
    suite_at = pos + 35 + length
    suite, compression = _SUITE_AND_COMPRESSION(data, suite_at)
    if suite_at + 3 > r.end or length > 32:
        unnamed_fault()
    r.pos = suite_at + 3
    return _VERSION_OF(version), random, data[pos + 35 : suite_at], _SUITE_OF(suite), compression


@fast_init
@dataclass(frozen=True, slots=True)
class ClientHello(HandshakeMessage, WithExtensions):
    """The client's opening offer. `extensions_block=False` (with no extensions) is a
    hello that ends after the compression methods, as TLS 1.2 allows."""

    random: bytes
    legacy_session_id: bytes
    cipher_suites: tuple[CipherSuite | int, ...]
    legacy_compression_methods: bytes = b"\x00"
    extensions: tuple[Extension, ...] = ()
    legacy_version: ProtocolVersion | int = ProtocolVersion.TLS1_2
    extensions_block: bool = True

    msg_type: ClassVar[HandshakeType] = HandshakeType.client_hello
    path: ClassVar[str] = "client_hello"

    def encode_body(self, w: Writer) -> None:
        _write_start(w, self.legacy_version, self.random, self.legacy_session_id)
        w.numbers(self.cipher_suites, 2, 2)
        w.vector(self.legacy_compression_methods, 1)
        if self.extensions or self.extensions_block:  # (TLS 1.2 may leave the block out)
            encode_extensions(w, self.extensions)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        if type(r) is FastReader:
            version, random, session_id, suites, compression = _client_hello_head_at(r)
        else:
            version, random, session_id = _read_start(r, _CH_FIELDS)
            suites = r.codes(2, 2, _SUITES, _SUITE, CipherSuite, 2, 0xFFFE, "suite")
            compression = r.opaque(1, _COMPRESSION, 1)
        methods_end = r.pos
        block = methods_end < r.end  # (TLS 1.2 may leave the extension block out)
        extensions = decode_extensions(r, _IN_CLIENT_HELLO) if block else ()
        hello = cls(random, session_id, suites, compression, extensions, version, block)
        hello._index()
        if compression != b"\x00" and ProtocolVersion.TLS1_3 in hello.offered_versions:
            at = r.base + methods_end - len(compression) - 1  # (the methods' length byte)
            raise IllegalParameter(f"client_hello.legacy_compression_methods at byte {at}: "
                                   f"{compression.hex()} in a ClientHello offering TLS 1.3, "
                                   "which must send exactly 00", _CH)
        return hello

    @property
    def offered_versions(self) -> tuple[ProtocolVersion | int, ...]:
        """supported_versions if present (RFC 8446 §4.2.1), else legacy_version."""
        offer = self.get(SupportedVersionsClientHello)
        return offer.versions if offer is not None else (self.legacy_version,)

    def encode_truncated(self) -> bytes:
        """The encoding without the pre_shared_key binders list: what the PSK binders are
        computed over (RFC 8446 §4.2.11.2)."""
        psk = self.get(PreSharedKeyClientHello)
        encoded = self.encode()
        return encoded if psk is None else encoded[: len(encoded) - psk.binders_length()]

    def summary(self) -> str:
        words = [plural(len(self.cipher_suites), "suite")]
        shares = self.get(KeyShareClientHello)
        if shares is not None:
            groups = "+".join(name(s.group) for s in shares.client_shares)
            words.append(f"{groups} share{'s' * (len(shares.client_shares) > 1)}"
                         if groups else "no key share")
        server_name = self.get(ServerName)
        if server_name is not None:
            words.append(f"SNI {server_name.host_name}")
        if self.get(PreSharedKeyClientHello) is not None:
            words.append("PSK")
        return "ClientHello " + ", ".join(words)


@fast_init
@dataclass(frozen=True, slots=True)
class ServerHello(HandshakeMessage, WithExtensions):
    """The server's choice, or (with the special random) a HelloRetryRequest."""

    random: bytes
    legacy_session_id_echo: bytes
    cipher_suite: CipherSuite | int
    extensions: tuple[Extension, ...] = ()
    legacy_compression_method: int = 0
    legacy_version: ProtocolVersion | int = ProtocolVersion.TLS1_2
    extensions_block: bool = True

    msg_type: ClassVar[HandshakeType] = HandshakeType.server_hello
    path: ClassVar[str] = "server_hello"

    @property
    def is_hello_retry_request(self) -> bool:
        """True if random is SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3)."""
        return self.random == HELLO_RETRY_REQUEST_RANDOM

    @property
    def downgrade_sentinel(self) -> ProtocolVersion | None:
        """TLS1_2 or TLS1_1 if random ends with a downgrade sentinel (RFC 8446 §4.1.3)."""
        return _SENTINELS.get(self.random[-8:])

    @property
    def selected_version(self) -> ProtocolVersion | int:
        """supported_versions' selected_version if present, else legacy_version."""
        selected = self.get(SupportedVersionsServerHello)
        return selected.selected_version if selected is not None else self.legacy_version

    def encode_body(self, w: Writer) -> None:
        _write_start(w, self.legacy_version, self.random, self.legacy_session_id_echo)
        w.buffer += (self.cipher_suite.to_bytes(2, "big")
                     + self.legacy_compression_method.to_bytes(1, "big"))
        if self.extensions or self.extensions_block:
            encode_extensions(w, self.extensions)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        if type(r) is FastReader:
            version, random, session_id, suite, compression = _server_hello_head_at(r)
        else:
            version, random, session_id = _read_start(r, _SH_FIELDS)
            suite = _SUITE_OF(r.number(2, _SH_SUITE))
            compression = r.number(1, _SH_COMPRESSION)
        where = _IN_HELLO_RETRY_REQUEST if random == HELLO_RETRY_REQUEST_RANDOM else _IN_SERVER_HELLO
        block = r.pos < r.end
        extensions = decode_extensions(r, where) if block else ()
        hello = cls(random, session_id, suite, extensions, compression, version, block)
        hello._index()
        return hello

    def summary(self) -> str:
        if self.is_hello_retry_request:
            retry = self.get(KeyShareHelloRetryRequest)
            words = [f"{name(retry.selected_group)} wanted" if retry else "no group"]
            words += ["cookie"] * (self.get(Cookie) is not None)
            return f"HelloRetryRequest {name(self.cipher_suite)}, " + ", ".join(words)
        words = [f"{_version_words(self.selected_version)} {name(self.cipher_suite)}"]
        share = self.get(KeyShareServerHello)
        if share is not None:
            words.append(f"{name(share.server_share.group)} share")
        if self.get(PreSharedKeyServerHello) is not None:
            words.append("PSK")
        return "ServerHello " + ", ".join(words)


_CV = rfc8446("4.4.3")
_CV_ALGORITHM = Field("algorithm", "Signature algorithm", "How the signature was made "
                      "(one the peer offered)", _CV, shown(SignatureScheme))
_CV_TYPE = bytes((HandshakeType.certificate_verify,))
_SCHEME_AND_LENGTH = struct.Struct(">HH").unpack_from  # a CertificateVerify's first 4 bytes
_CV_SIGNATURE = Field("signature", "Signature", "The sender's signature over the transcript "
                      "hash: proves it holds the certificate's private key", _CV)


@fast_init
@dataclass(frozen=True, slots=True)
class CertificateVerify(HandshakeMessage):
    """CertificateVerify, the same on the wire in TLS 1.3 and TLS 1.2."""

    algorithm: SignatureScheme | int
    signature: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.certificate_verify
    path: ClassVar[str] = "certificate_verify"

    def encode_body(self, w: Writer) -> None:
        w.buffer += self.encode()[HEADER_LENGTH:]

    def encode(self) -> bytes:  # (header, `uint16` and `vector` in one expression: no Writer)
        signature = self.signature
        length = len(signature)
        return (_CV_TYPE + (length + 4).to_bytes(3, "big") + self.algorithm.to_bytes(2, "big")
                + length.to_bytes(2, "big") + signature)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        if type(r) is FastReader:  # the scheme and the signature's length in one unpack
            algorithm, length = _SCHEME_AND_LENGTH(r.data, r.pos)  # (short: raises, re-read)
            start = r.pos + 4
            stop = start + length
            if stop > r.end:
                unnamed_fault()
            r.pos = stop
            return cls(_SCHEME_OF(algorithm), r.data[start:stop])
        return cls(_SCHEME_OF(r.number(2, _CV_ALGORITHM)), r.opaque(2, _CV_SIGNATURE))

    def summary(self) -> str:
        return f"CertificateVerify {name(self.algorithm)}"


@fast_init
@dataclass(frozen=True, slots=True)
class Finished(WholeBody):
    verify_data: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.finished
    path: ClassVar[str] = "finished"
    _field = Field("verify_data", "Verify data", "A MAC over the whole handshake so far, "
                   "keyed from the handshake secrets: proves both sides saw the same "
                   "messages", rfc8446("4.4.4"))

    def summary(self) -> str:
        return f"Finished {hex_preview(self.verify_data, 0)}"


# --- reading any message ---------------------------------------------------------------------

_COMMON: tuple[type[HandshakeMessage], ...] = (ClientHello, ServerHello, CertificateVerify,
                                               Finished)
def _table(*classes: type[HandshakeMessage]) -> dict[int, type[HandshakeMessage]]:
    return {cls.msg_type: cls for cls in classes}


_TLS13_CLASSES = _table(*_COMMON, *TLS13_ONLY)
_TLS12_CLASSES = _table(*_COMMON, *TLS12_ONLY)
_TLS1_3 = int(ProtocolVersion.TLS1_3)  # (compared for every message read)


def decode_handshake(data: bytes, *, context: DecodeContext | None = None) -> HandshakeMessage:
    """Read one whole handshake message (header included). `context` defaults to TLS 1.3
    with no key exchange; pass the negotiated version (and, for TLS 1.2, the suite's key
    exchange) once known. A type the version lacks raises unexpected_message."""
    context = context or DecodeContext()
    return read_handshake(data, handshake_classes(context), context, unknown=UnexpectedMessage)


def handshake_classes(context: DecodeContext) -> dict[int, type[HandshakeMessage]]:
    """The message classes by type byte that the context's version has."""
    return _TLS13_CLASSES if context.version >= _TLS1_3 else _TLS12_CLASSES


def split_handshake_messages(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut a handshake byte stream (record payloads joined) into whole messages, each with
    its header; the rest is an incomplete message waiting for more records."""
    if len(buffer) >= HEADER_LENGTH and int.from_bytes(buffer[1:4], "big") == len(buffer) - HEADER_LENGTH:
        return [buffer], b""  # one whole message: what most records carry
    messages: list[bytes] = []
    at = 0
    while len(buffer) - at >= HEADER_LENGTH:
        end = at + HEADER_LENGTH + int.from_bytes(buffer[at + 1 : at + 4], "big")
        if end > len(buffer):
            break
        messages.append(buffer[at:end])
        at = end
    return messages, buffer[at:]
