"""TLS 1.3 handshake messages after the hellos (RFC 8446 §4.3-§4.6).

Import them from `engine.tls.messages`, whose `decode_handshake` reads them when the
context says TLS 1.3. Certificate, CertificateRequest and NewSessionTicket here are the
TLS 1.3 bodies; their TLS 1.2 namesakes are the `...12` classes in `engine.tls.messages12`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from engine.tls.alerts import IllegalParameter
from engine.tls.codec import Field, Reader, Writer
from engine.tls.constants import ExtensionType, HandshakeType, KeyUpdateRequest, known, name, shown
from engine.tls.events import fast_init
from engine.tls.extension_base import rfc8446
from engine.tls.extensions import Extension, ExtensionContext, decode_extensions, encode_extensions
from engine.tls.message_base import (
    DecodeContext,
    HandshakeMessage,
    WholeBody,
    WithExtensions,
    certificates_summary,
    read_certificate_list,
    write_certificate_list,
)

__all__ = [
    "TLS13_ONLY",
    "Certificate",
    "CertificateEntry",
    "CertificateRequest",
    "EncryptedExtensions",
    "EndOfEarlyData",
    "KeyUpdate",
    "MessageHash",
    "NewSessionTicket",
]


# Where each message's extensions are read, taken from the enum once (an enum member's
# lookup through its class is slow).
_IN_EE, _IN_CERTIFICATE, _IN_CR, _IN_NST = (
    ExtensionContext.ENCRYPTED_EXTENSIONS, ExtensionContext.CERTIFICATE,
    ExtensionContext.CERTIFICATE_REQUEST, ExtensionContext.NEW_SESSION_TICKET)


@fast_init
@dataclass(frozen=True, slots=True)
class EncryptedExtensions(HandshakeMessage, WithExtensions):
    extensions: tuple[Extension, ...] = ()

    msg_type: ClassVar[HandshakeType] = HandshakeType.encrypted_extensions
    path: ClassVar[str] = "encrypted_extensions"

    def encode_body(self, w: Writer) -> None:
        encode_extensions(w, self.extensions)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        message = cls(decode_extensions(r, _IN_EE))
        message._index()
        return message

    def summary(self) -> str:
        kinds = ", ".join(name(known(ExtensionType, e.extension_type)) for e in self.extensions)
        return f"EncryptedExtensions {kinds or '(none)'}"


_CT = rfc8446("4.4.2")
_CONTEXT = Field("certificate_request_context", "Request context", "Empty in the "
                 "handshake; in post-handshake authentication, echoes the request's "
                 "context", rfc8446("4.4.2"))
_CR_CONTEXT = _CONTEXT._replace(meaning="Empty in the handshake; in post-handshake "
                               "authentication, a value the client's Certificate will echo",
                               rfc=rfc8446("4.3.2"))


@fast_init
@dataclass(frozen=True, slots=True)
class CertificateEntry:
    cert_data: bytes
    extensions: tuple[Extension, ...] = ()


@fast_init
@dataclass(frozen=True, slots=True)
class Certificate(HandshakeMessage):
    """TLS 1.3 Certificate: a context and entries, the sender's own certificate first."""

    request_context: bytes
    entries: tuple[CertificateEntry, ...]

    msg_type: ClassVar[HandshakeType] = HandshakeType.certificate
    path: ClassVar[str] = "certificate"

    def encode_body(self, w: Writer) -> None:
        context, entries = self.request_context, self.entries
        w.buffer += len(context).to_bytes(1, "big") + context
        write_certificate_list(w, [entry.cert_data for entry in entries],
                               [entry.extensions for entry in entries])

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        request_context = r.opaque(1, _CONTEXT, 0, 255)
        certificates, blocks = read_certificate_list(r, _CT, _IN_CERTIFICATE)
        return cls(request_context, tuple(map(CertificateEntry, certificates, blocks)))

    def summary(self) -> str:
        return certificates_summary(len(self.entries))


@fast_init
@dataclass(frozen=True, slots=True)
class CertificateRequest(HandshakeMessage, WithExtensions):
    """TLS 1.3 CertificateRequest: a context and extensions (signature_algorithms...)."""

    request_context: bytes
    extensions: tuple[Extension, ...]

    msg_type: ClassVar[HandshakeType] = HandshakeType.certificate_request
    path: ClassVar[str] = "certificate_request"

    def encode_body(self, w: Writer) -> None:
        w.vector(self.request_context, 1)
        encode_extensions(w, self.extensions)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        request_context = r.opaque(1, _CR_CONTEXT, 0, 255)
        message = cls(request_context, decode_extensions(r, _IN_CR))
        message._index()
        return message

    def summary(self) -> str:
        return f"CertificateRequest {len(self.extensions)} extensions"


@fast_init
@dataclass(frozen=True, slots=True)
class MessageHash(WholeBody):
    """The synthetic message that replaces ClientHello1 in the transcript after a
    HelloRetryRequest (RFC 8446 §4.4.1); never sent."""

    client_hello_hash: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.message_hash
    path: ClassVar[str] = "message_hash"
    _field = Field("client_hello_hash", "Hash of ClientHello1", "Hash(ClientHello1): stands "
                   "in for the first ClientHello so the server need not keep it", rfc8446("4.4.1"))

    def summary(self) -> str:
        return "message_hash (synthetic)"


@fast_init
@dataclass(frozen=True, slots=True)
class EndOfEarlyData(WholeBody):
    """The client's last 0-RTT message (RFC 8446 §4.5): an empty body."""

    msg_type: ClassVar[HandshakeType] = HandshakeType.end_of_early_data
    path: ClassVar[str] = "end_of_early_data"

    def summary(self) -> str:
        return "EndOfEarlyData"


_NST = rfc8446("4.6.1")
_LIFETIME = Field("ticket_lifetime", "Ticket lifetime", "How many seconds the ticket may be "
                  "used (at most 7 days)", _NST, lambda v: f"{v} s")
_AGE_ADD = Field("ticket_age_add", "Ticket age add", "A random number added to the ticket's "
                 "age when the client sends it, so observers cannot link connections", _NST)
_NONCE = Field("ticket_nonce", "Ticket nonce", "Makes each ticket's PSK unique: PSK = "
               "HKDF-Expand-Label(resumption_master_secret, \"resumption\", nonce)", _NST)
_TICKET = Field("ticket", "Ticket", "The label the client presents to resume; opaque to "
                "the client (often the server's encrypted session state)", _NST)


@fast_init
@dataclass(frozen=True, slots=True)
class NewSessionTicket(HandshakeMessage, WithExtensions):
    """TLS 1.3 NewSessionTicket, sent after the handshake (RFC 8446 §4.6.1)."""

    lifetime: int
    age_add: int
    nonce: bytes
    ticket: bytes
    extensions: tuple[Extension, ...] = ()

    msg_type: ClassVar[HandshakeType] = HandshakeType.new_session_ticket
    path: ClassVar[str] = "new_session_ticket"

    def encode_body(self, w: Writer) -> None:
        w.uint32(self.lifetime)
        w.uint32(self.age_add)
        w.vector(self.nonce, 1)
        w.vector(self.ticket, 2)
        encode_extensions(w, self.extensions)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        lifetime, age_add = r.number(4, _LIFETIME), r.number(4, _AGE_ADD)
        nonce = r.opaque(1, _NONCE)
        ticket = r.opaque(2, _TICKET, 1)
        return cls(lifetime, age_add, nonce, ticket,
                   decode_extensions(r, _IN_NST))

    def summary(self) -> str:
        return f"NewSessionTicket lifetime {self.lifetime}s, {len(self.ticket)}-byte ticket"


_REQUEST_UPDATE = Field("request_update", "Request update", "1: the receiver must answer "
                        "with a KeyUpdate of its own; 0: it need not", rfc8446("4.6.3"),
                        shown(KeyUpdateRequest, 2))


@fast_init
@dataclass(frozen=True, slots=True)
class KeyUpdate(HandshakeMessage):
    """"I now send under the next traffic key" (RFC 8446 §4.6.3)."""

    request_update: KeyUpdateRequest

    msg_type: ClassVar[HandshakeType] = HandshakeType.key_update
    path: ClassVar[str] = "key_update"

    def encode_body(self, w: Writer) -> None:
        w.uint8(self.request_update)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        at = r.offset
        value = known(KeyUpdateRequest, r.number(1, _REQUEST_UPDATE))
        if not isinstance(value, KeyUpdateRequest):
            raise IllegalParameter(f"key_update.request_update at byte {at}: {value} is "
                                   "neither 0 nor 1", rfc8446("4.6.3"))
        return cls(value)

    def summary(self) -> str:
        return f"KeyUpdate {self.request_update.name}"


TLS13_ONLY: tuple[type[HandshakeMessage], ...] = (
    EncryptedExtensions, Certificate, CertificateRequest, NewSessionTicket, KeyUpdate,
    EndOfEarlyData, MessageHash,
)
