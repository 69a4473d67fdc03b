"""Extension forms with inner structure: server_name, ALPN, key_share, pre_shared_key,
status_request. Import them from `engine.tls.extensions`, which registers which form
reads which type in which message.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from operator import attrgetter
from typing import Self

from engine.tls.alerts import DecodeError, IllegalParameter
from engine.tls.codec import FastReader, Field, Reader, Writer, hex_preview, plural, unnamed_fault
from engine.tls.constants import (
    CertificateStatusType,
    ExtensionType,
    NamedGroup,
    NameType,
    member_of,
    name,
    shown,
)
from engine.tls.events import fast_init
from engine.tls.extension_base import Extension, rfc8446

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
]

_SNI = "RFC 6066 §3"
_ALPN = "RFC 7301 §3.1"
_OCSP = "RFC 6066 §8"


# --- server_name (RFC 6066 §3) ---------------------------------------------------------------

_HOST_NAME_TYPE = NameType.host_name  # (an enum member's lookup through its class is slow)
_HOST_NAME_TYPE_BYTE = _HOST_NAME_TYPE.to_bytes(1, "big")
_LIST_TYPE_AND_LENGTH = struct.Struct(">HBH").unpack_from  # a server_name list's first 5 bytes
_SERVER_NAME_LIST = Field("server_name_list", "Server name list", "The names of the server "
                          "the client wants to reach (in practice one host name)", _SNI)
_SERVER_NAME = Field("", "Server name", "One name: its type and the name itself", _SNI)
_NAME_TYPE = Field("name_type", "Name type", "What kind of name follows; only host_name (0) "
                   "is defined", _SNI, shown(NameType, 2))
_HOST_NAME = Field("host_name", "Host name", "The DNS name the client typed: lets one IP "
                   "address serve many sites, each with its own certificate", _SNI,
                   lambda v: v.decode("ascii", "replace"))


@fast_init
@dataclass(frozen=True, slots=True)
class ServerName(Extension):
    """server_name in a ClientHello: the host the client wants (SNI)."""

    host_name: str
    extension_type = ExtensionType.server_name

    def encode(self, w: Writer) -> None:  # (the list's block, the type and the name in one write)
        host_name = self.host_name.encode("ascii")
        length = len(host_name)
        w.buffer += ((length + 3).to_bytes(2, "big") + _HOST_NAME_TYPE_BYTE
                     + length.to_bytes(2, "big") + host_name)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        # Exactly one host_name, as OpenSSL and others require: RFC 4366's list was never
        # extended, and a second name of the same type is forbidden (RFC 6066 §3).
        with r.group(2, _SERVER_NAME_LIST, minimum=1), r.item(_SERVER_NAME, 0) as span:
            name_type = r.number(1, _NAME_TYPE)
            if name_type != _HOST_NAME_TYPE:
                r.fail(r.path(_NAME_TYPE), f"name type {name_type}: only host_name (0) "
                       "is defined", _SNI)
            raw = r.opaque(2, _HOST_NAME, 1)
            if not raw.isascii():
                r.fail(r.path(_HOST_NAME), "a host name is ASCII", _SNI)
            span.value = lambda: raw.decode("ascii")
        return cls(raw.decode("ascii"))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        # `decode` straight from the bytes: the list's length, the one name's type and length
        list_length, name_type, length = _LIST_TYPE_AND_LENGTH(r.data, start)
        host = start + 5
        if (start + 2 + list_length != stop or host + length != stop or not length
                or name_type != _HOST_NAME_TYPE):
            unnamed_fault()
        raw = r.data[host:stop]
        if not raw.isascii():
            unnamed_fault()
        return cls(raw.decode("ascii"))

    def describe(self) -> str:
        return self.host_name


# --- application_layer_protocol_negotiation (RFC 7301 §3.1) --------------------------------

_PROTOCOLS = Field("protocol_name_list", "Protocol names", "Application protocols, most "
                   "preferred first; a server answers with exactly one", _ALPN)
_PROTOCOL = Field("", "Protocol name", "One application protocol (\"h2\", \"http/1.1\")",
                  _ALPN, lambda v: v.decode("ascii", "replace"))


@fast_init
@dataclass(frozen=True, slots=True)
class Alpn(Extension):
    """application_layer_protocol_negotiation: the client's list or the server's pick."""

    protocols: tuple[bytes, ...]
    extension_type = ExtensionType.application_layer_protocol_negotiation

    def encode(self, w: Writer) -> None:
        with w.block(2):
            for protocol in self.protocols:
                w.vector(protocol, 1)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        with r.group(2, _PROTOCOLS, minimum=2) as span:
            protocols = tuple(r.each(lambda i: r.opaque(1, _PROTOCOL, 1, index=i)))
            span.value = lambda: plural(len(protocols), "protocol")
        return cls(protocols)

    def describe(self) -> str:
        return ", ".join(p.decode("ascii", "replace") for p in self.protocols)


# --- key_share (RFC 8446 §4.2.8) ------------------------------------------------------------

_KS = rfc8446("4.2.8")
_GROUP_OF = member_of(NamedGroup)
_CLIENT_SHARES = Field("client_shares", "Client key shares", "Public keys for some of the "
                       "offered groups, so the server can finish the key exchange at once", _KS)
_CLIENT_SHARE = Field("", "Key share", "One group and the client's public key for it", _KS)
_SERVER_SHARE = Field("server_share", "Server key share", "The server's public key, in one "
                      "of the groups the client sent a share for", _KS)
_GROUP = Field("group", "Group", "Which group this public key belongs to", _KS,
               shown(NamedGroup))
_KEY_EXCHANGE = Field("key_exchange", "Key exchange", "The ephemeral public key: 32 bytes "
                      "for X25519, an uncompressed point (04 || x || y) for the NIST curves", _KS)


@fast_init
@dataclass(frozen=True, slots=True)
class KeyShareEntry:
    """One group and a public key for it (RFC 8446 §4.2.8)."""

    group: NamedGroup | int
    key_exchange: bytes

    def encode(self, w: Writer) -> None:  # (`uint16` and `vector` in one write)
        key_exchange = self.key_exchange
        w.buffer += (self.group.to_bytes(2, "big") + len(key_exchange).to_bytes(2, "big")
                     + key_exchange)

    @classmethod
    def decode(cls, r: Reader, fld: Field, index: int | None = None) -> KeyShareEntry:
        with r.item(fld, index) as span:
            group = _GROUP_OF(r.number(2, _GROUP))
            key_exchange = r.opaque(2, _KEY_EXCHANGE, 1)
            span.value = lambda: f"{name(group)}, {len(key_exchange)}-byte key"
        return cls(group, key_exchange)


def _share_at(data: bytes, start: int, end: int) -> tuple[KeyShareEntry, int]:
    """`KeyShareEntry.decode` for a FastReader's bytes: the share at `start`, which must end
    by `end`, and where it ends."""
    group, length = _GROUP_AND_LENGTH(data, start)
    key = start + 4
    stop = key + length
    if stop > end or not length:
        unnamed_fault()
    return KeyShareEntry(_GROUP_OF(group), data[key:stop]), stop


_GROUP_AND_LENGTH = struct.Struct(">HH").unpack_from  # a key share's first 4 bytes
_GROUP_OF_SHARE = attrgetter("group")


@fast_init
@dataclass(frozen=True, slots=True)
class KeyShareClientHello(Extension):
    """key_share in a ClientHello: zero or more shares, one per group at most."""

    client_shares: tuple[KeyShareEntry, ...]
    extension_type = ExtensionType.key_share

    def encode(self, w: Writer) -> None:
        buffer = w.buffer  # (`block(2)` written out: every ClientHello carries this)
        start = len(buffer)
        buffer += b"\0\0"
        for share in self.client_shares:
            share.encode(w)
        buffer[start : start + 2] = (len(buffer) - start - 2).to_bytes(2, "big")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        at = r.pos
        shares: list[KeyShareEntry] = []
        with r.group(2, _CLIENT_SHARES) as span:
            while r.pos < r.end:  # (`Reader.each` written out: two calls fewer a share)
                shares.append(KeyShareEntry.decode(r, _CLIENT_SHARE, len(shares)))
            span.value = lambda: plural(len(shares), "share")
        groups = [share.group for share in shares]
        if len(set(groups)) != len(groups):
            raise IllegalParameter(f"{r.path(_CLIENT_SHARES)} at byte {r.base + at}: two key "
                                   "shares for the same group", _KS)
        return cls(tuple(shares))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        # `decode` straight from the bytes: the list's length, then each share's group and key
        data = r.data
        pos = start + 2
        if pos + int.from_bytes(data[start:pos], "big") != stop:
            unnamed_fault()
        shares: list[KeyShareEntry] = []
        while pos < stop:
            share, pos = _share_at(data, pos, stop)
            shares.append(share)
        if len(set(map(_GROUP_OF_SHARE, shares))) != len(shares):  # (no set comprehension's call)
            unnamed_fault()
        return cls(tuple(shares))

    def describe(self) -> str:
        return ", ".join(name(share.group) for share in self.client_shares) or "(no shares)"


@fast_init
@dataclass(frozen=True, slots=True)
class KeyShareServerHello(Extension):
    """key_share in a ServerHello: the server's one share."""

    server_share: KeyShareEntry
    extension_type = ExtensionType.key_share

    def encode(self, w: Writer) -> None:
        self.server_share.encode(w)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls(KeyShareEntry.decode(r, _SERVER_SHARE))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        share, end = _share_at(r.data, start, stop)
        if end != stop:
            unnamed_fault()
        return cls(share)

    def describe(self) -> str:
        return name(self.server_share.group)


# --- pre_shared_key (RFC 8446 §4.2.11) --------------------------------------------------------

_PSK = rfc8446("4.2.11")
_IDENTITIES = Field("identities", "Identities", "The PSKs the client offers, usually "
                    "session tickets from earlier connections", _PSK)
_IDENTITY_ENTRY = Field("", "PSK identity", "One offered PSK: its label and ticket age", _PSK)
_IDENTITY = Field("identity", "Identity", "The PSK's label: for resumption, the ticket "
                  "the server issued", _PSK)
_AGE = Field("obfuscated_ticket_age", "Obfuscated ticket age", "How long the client has "
             "held the ticket, in ms, plus the ticket's age_add (mod 2^32)", _PSK)
_BINDERS = Field("binders", "Binders", "One HMAC per identity, over the ClientHello up to "
                 "here: proves the client holds each PSK", _PSK)
_BINDER = Field("", "Binder", "HMAC(binder key, transcript of the truncated ClientHello)",
                rfc8446("4.2.11.2"))


@fast_init
@dataclass(frozen=True, slots=True)
class PskIdentity:
    identity: bytes
    obfuscated_ticket_age: int


@fast_init
@dataclass(frozen=True, slots=True)
class PreSharedKeyClientHello(Extension):
    """pre_shared_key in a ClientHello (OfferedPsks); it must be the last extension."""

    identities: tuple[PskIdentity, ...]
    binders: tuple[bytes, ...]
    extension_type = ExtensionType.pre_shared_key

    def encode(self, w: Writer) -> None:
        with w.block(2):
            for identity in self.identities:
                w.vector(identity.identity, 2)
                w.uint32(identity.obfuscated_ticket_age)
        with w.block(2):
            for binder in self.binders:
                w.vector(binder, 1)

    def binders_length(self) -> int:
        """Bytes the binders list takes at the end of the ClientHello: what is left out
        of the transcript the binders are computed over (RFC 8446 §4.2.11.2)."""
        return 2 + sum(1 + len(binder) for binder in self.binders)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        with r.group(2, _IDENTITIES, minimum=7) as span:
            identities = tuple(r.each(lambda i: _read_identity(r, i)))
            span.value = lambda: plural(len(identities), "identity", "identities")
        at = r.offset
        with r.group(2, _BINDERS, minimum=33) as span:
            binders = tuple(r.each(lambda i: r.opaque(1, _BINDER, 32, 255, i)))
            span.value = lambda: plural(len(binders), "binder")
        if len(binders) != len(identities):
            raise IllegalParameter(f"{r.path(_BINDERS)} at byte {at}: {len(binders)} binders "
                                   f"for {len(identities)} identities", _PSK)
        return cls(identities, binders)

    def describe(self) -> str:
        return plural(len(self.identities), "identity", "identities")


def _read_identity(r: Reader, index: int) -> PskIdentity:
    with r.item(_IDENTITY_ENTRY, index):
        identity = r.opaque(2, _IDENTITY, 1)
        return PskIdentity(identity, r.number(4, _AGE))


# --- status_request (RFC 6066 §8, RFC 8446 §4.4.2.1) ---------------------------------------

_STATUS_TYPE = Field("status_type", "Status type", "Which kind of certificate status: only "
                     "ocsp (1) is defined", _OCSP, shown(CertificateStatusType, 2))
_RESPONDERS = Field("responder_id_list", "Responder IDs", "OCSP responders the client "
                    "trusts; empty means the server knows best", _OCSP)
_RESPONDER = Field("", "Responder ID", "One responder, DER-encoded", _OCSP)
_REQUEST_EXTENSIONS = Field("request_extensions", "Request extensions", "DER-encoded OCSP "
                            "request extensions (e.g. a nonce)", _OCSP)
_OCSP_RESPONSE = Field("ocsp_response", "OCSP response", "A DER-encoded OCSP response: the "
                       "CA's signed statement that the certificate is not revoked",
                       rfc8446("4.4.2.1"))


def _read_status_type(r: Reader) -> CertificateStatusType:
    status_type = r.number(1, _STATUS_TYPE)
    if status_type != CertificateStatusType.ocsp:
        raise DecodeError(f"{r.path(_STATUS_TYPE)}: status type {status_type}; only ocsp (1) "
                          "is defined", _OCSP)
    return CertificateStatusType.ocsp


@fast_init
@dataclass(frozen=True, slots=True)
class StatusRequest(Extension):
    """status_request in a ClientHello or CertificateRequest: "staple an OCSP response"."""

    responder_id_list: tuple[bytes, ...] = ()
    request_extensions: bytes = b""
    extension_type = ExtensionType.status_request

    def encode(self, w: Writer) -> None:
        w.uint8(CertificateStatusType.ocsp)
        with w.block(2):
            for responder in self.responder_id_list:
                w.vector(responder, 2)
        w.vector(self.request_extensions, 2)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        _read_status_type(r)
        with r.group(2, _RESPONDERS):
            responders = tuple(r.each(lambda i: r.opaque(2, _RESPONDER, 1, index=i)))
        return cls(responders, r.opaque(2, _REQUEST_EXTENSIONS))

    def describe(self) -> str:
        return "ocsp"


@fast_init
@dataclass(frozen=True, slots=True)
class CertificateStatus(Extension):
    """status_request in a TLS 1.3 CertificateEntry: the stapled OCSP response."""

    ocsp_response: bytes
    extension_type = ExtensionType.status_request

    def encode(self, w: Writer) -> None:
        w.uint8(CertificateStatusType.ocsp)
        w.vector(self.ocsp_response, 3)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        _read_status_type(r)
        return cls(r.opaque(3, _OCSP_RESPONSE, 1))

    def describe(self) -> str:
        return f"OCSP response {hex_preview(self.ocsp_response, 0)}"
