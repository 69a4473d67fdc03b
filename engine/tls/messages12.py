"""TLS 1.2 handshake messages (RFC 5246 §7.4, RFC 8422 §5.4, RFC 5077 §3.3).

Import them from `engine.tls.messages`, whose `decode_handshake` reads them when the
context says TLS 1.2. ClientHello, ServerHello, CertificateVerify and Finished are shared
with TLS 1.3; Certificate, CertificateRequest and NewSessionTicket have a TLS 1.2 body of
their own here (`...12`). ServerKeyExchange and ClientKeyExchange bodies have no type tag
for their form: the negotiated suite's key exchange (`DecodeContext.key_exchange`) says
how to read them, and reading one without it (or a ServerKeyExchange under RSA key
exchange, which has none) is unexpected_message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple, Self

from engine.tls.alerts import IllegalParameter, UnexpectedMessage
from engine.tls.codec import Field, Reader, Writer
from engine.tls.constants import (
    ClientCertificateType,
    ECCurveType,
    HandshakeType,
    NamedGroup,
    ProtocolVersion,
    SignatureScheme,
    member_of,
    name,
    shown,
)
from engine.tls.events import fast_init
from engine.tls.message_base import (
    TLS12,
    DecodeContext,
    HandshakeMessage,
    WholeBody,
    certificates_summary,
    read_certificate_list,
    write_certificate_list,
)
from engine.tls.suites import KeyExchange

__all__ = [
    "TLS12_ONLY",
    "Certificate12",
    "CertificateRequest12",
    "ClientKeyExchange",
    "DheParams",
    "EcdheParams",
    "NewSessionTicket12",
    "ServerHelloDone",
    "ServerKeyExchange",
]

_CERT = "RFC 5246 §7.4.2"
_SKE = "RFC 5246 §7.4.3"
_ECDH = "RFC 8422 §5.4"
_CR = "RFC 5246 §7.4.4"
_CKE = "RFC 5246 §7.4.7"
_GROUP_OF, _SCHEME_OF = member_of(NamedGroup), member_of(SignatureScheme)


class _Tls12:
    """Messages that exist only in TLS 1.2 read back in a TLS 1.2 context."""

    __slots__ = ()

    def decode_context(self) -> DecodeContext:
        return TLS12


@fast_init
@dataclass(frozen=True, slots=True)
class Certificate12(_Tls12, HandshakeMessage):
    """TLS 1.2 Certificate: just the chain, the sender's certificate first (may be empty
    from a client that has none)."""

    chain: tuple[bytes, ...]

    msg_type: ClassVar[HandshakeType] = HandshakeType.certificate
    path: ClassVar[str] = "certificate"

    def encode_body(self, w: Writer) -> None:
        write_certificate_list(w, self.chain)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        return cls(tuple(read_certificate_list(r, _CERT)[0]))

    def summary(self) -> str:
        return certificates_summary(len(self.chain))


# --- ServerKeyExchange -------------------------------------------------------------------------

_CURVE_TYPE = Field("curve_type", "Curve type", "How the curve is named: 3 (named_curve), "
                    "the only form still allowed", _ECDH, shown(ECCurveType, 2))
_NAMED_CURVE = Field("namedcurve", "Named curve", "The group the server's ephemeral key is "
                     "on; the client must answer on the same one", _ECDH, shown(NamedGroup))
_POINT = Field("point", "Public point", "The server's ephemeral public key: 32 bytes for "
               "X25519, 04 || x || y for the NIST curves", _ECDH)
_DH_P = Field("dh_p", "Prime p", "The finite field's prime modulus (RFC 7919 groups are "
              "fixed, well-known primes)", _SKE)
_DH_G = Field("dh_g", "Generator g", "The generator of the group (2 for RFC 7919)", _SKE)
_DH_YS = Field("dh_Ys", "Server public value Ys", "g^Xs mod p, for the server's secret Xs",
               _SKE)
_SKE_ALGORITHM = Field("algorithm", "Signature algorithm", "How the server signed the "
                       "parameters (one the client offered)", _SKE, shown(SignatureScheme))
_SKE_SIGNATURE = Field("signature", "Signature", "The server's signature over both randoms "
                       "and these parameters: proves the key share came from the "
                       "certificate's owner", _SKE)


@fast_init
@dataclass(frozen=True, slots=True)
class EcdheParams:
    """ServerECDHParams (RFC 8422 §5.4): a named curve and the server's public point."""

    group: NamedGroup | int
    point: bytes
    curve_type: int = ECCurveType.named_curve

    def encode(self, w: Writer) -> None:
        w.uint8(self.curve_type)
        w.uint16(self.group)
        w.vector(self.point, 1)

    @classmethod
    def decode(cls, r: Reader) -> EcdheParams:
        at = r.offset
        curve_type = r.number(1, _CURVE_TYPE)
        if curve_type != ECCurveType.named_curve:
            raise IllegalParameter(f"{r.path(_CURVE_TYPE)} at byte {at}: curve type "
                                   f"{curve_type}; only named_curve (3) is allowed", _ECDH)
        group = _GROUP_OF(r.number(2, _NAMED_CURVE))
        return cls(group, r.opaque(1, _POINT, 1), curve_type)

    def summary(self) -> str:
        return f"ECDHE {name(self.group)}"


@fast_init
@dataclass(frozen=True, slots=True)
class DheParams:
    """ServerDHParams (RFC 5246 §7.4.3): p, g and the server's public value Ys."""

    p: bytes
    g: bytes
    ys: bytes

    def encode(self, w: Writer) -> None:
        for value in (self.p, self.g, self.ys):
            w.vector(value, 2)

    @classmethod
    def decode(cls, r: Reader) -> DheParams:
        return cls(*(r.opaque(2, fld, 1) for fld in (_DH_P, _DH_G, _DH_YS)))

    def summary(self) -> str:
        return f"DHE {int.from_bytes(self.p, 'big').bit_length()}-bit p"


class _Form(NamedTuple):
    """How one key exchange's ServerKeyExchange and ClientKeyExchange read."""

    params: type[EcdheParams] | type[DheParams] | None  # None: no ServerKeyExchange (RSA)
    length_size: int  # of ClientKeyExchange's one vector
    minimum: int
    exchange_keys: Field
    noun: str  # for the ladder label


_ECDH_YC = Field("ecdh_Yc", "Client public point", "The client's ephemeral public key on "
                 "the server's curve", _ECDH)
_DH_YC = Field("dh_Yc", "Client public value Yc", "g^Xc mod p, for the client's secret Xc",
               "RFC 5246 §7.4.7.2")
_ENCRYPTED_PMS = Field("encrypted_pre_master_secret", "Encrypted pre-master secret",
                       "48 bytes (version + 46 random) encrypted to the server's RSA key: "
                       "only the certificate's owner can read them", "RFC 5246 §7.4.7.1")
_FORMS: dict[KeyExchange, _Form] = {
    KeyExchange.RSA: _Form(None, 2, 0, _ENCRYPTED_PMS, "encrypted pre-master secret"),
    KeyExchange.DHE_RSA: _Form(DheParams, 2, 1, _DH_YC, "public value Yc"),
    KeyExchange.ECDHE_RSA: _Form(EcdheParams, 1, 1, _ECDH_YC, "public point"),
    KeyExchange.ECDHE_ECDSA: _Form(EcdheParams, 1, 1, _ECDH_YC, "public point"),
}
# The key exchange whose context reads each params form back (for byte maps).
_EXAMPLE_KEX = {EcdheParams: KeyExchange.ECDHE_RSA, DheParams: KeyExchange.DHE_RSA}


def _form(context: DecodeContext, message: str, r: Reader) -> _Form:
    form = _FORMS.get(context.key_exchange) if context.key_exchange is not None else None
    if form is None:
        raise UnexpectedMessage(f"{r.path()}: a {message} cannot be read before a TLS 1.2 key "
                                "exchange is negotiated", _CKE)
    return form


@fast_init
@dataclass(frozen=True, slots=True)
class ServerKeyExchange(HandshakeMessage):
    """The server's signed ephemeral key (ECDHE or DHE); never sent with RSA key exchange."""

    params: EcdheParams | DheParams
    algorithm: SignatureScheme | int
    signature: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.server_key_exchange
    path: ClassVar[str] = "server_key_exchange"

    def params_bytes(self) -> bytes:
        """The encoded params: what the signature covers after the two randoms."""
        w = Writer()
        self.params.encode(w)
        return w.getvalue()

    def encode_body(self, w: Writer) -> None:
        self.params.encode(w)
        w.uint16(self.algorithm)
        w.vector(self.signature, 2)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        params = _form(context, "ServerKeyExchange", r).params
        if params is None:
            raise UnexpectedMessage(f"{r.path()}: RSA key exchange has no ServerKeyExchange",
                                    _SKE)
        values = params.decode(r)
        algorithm = _SCHEME_OF(r.number(2, _SKE_ALGORITHM))
        return cls(values, algorithm, r.opaque(2, _SKE_SIGNATURE))

    def decode_context(self) -> DecodeContext:
        return DecodeContext(ProtocolVersion.TLS1_2, _EXAMPLE_KEX[type(self.params)])

    def summary(self) -> str:
        return f"ServerKeyExchange {self.params.summary()}, signed {name(self.algorithm)}"


@fast_init
@dataclass(frozen=True, slots=True)
class ClientKeyExchange(HandshakeMessage):
    """The client's half of the key exchange: its public value (ECDHE, DHE) or the
    pre-master secret encrypted to the server's key (RSA)."""

    key_exchange: KeyExchange
    exchange_keys: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.client_key_exchange
    path: ClassVar[str] = "client_key_exchange"

    def encode_body(self, w: Writer) -> None:
        w.vector(self.exchange_keys, _FORMS[self.key_exchange].length_size)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        form = _form(context, "ClientKeyExchange", r)
        max_length = 2 ** (8 * form.length_size) - 1
        exchange_keys = r.opaque(form.length_size, form.exchange_keys, form.minimum, max_length)
        return cls(context.key_exchange or KeyExchange.RSA, exchange_keys)

    def decode_context(self) -> DecodeContext:
        return DecodeContext(ProtocolVersion.TLS1_2, self.key_exchange)

    def summary(self) -> str:
        noun = _FORMS[self.key_exchange].noun
        return f"ClientKeyExchange {self.key_exchange.value}, {len(self.exchange_keys)}-byte {noun}"


# --- CertificateRequest, ServerHelloDone, NewSessionTicket ----------------------------------

_CERT_TYPES = Field("certificate_types", "Certificate types", "Kinds of client certificate "
                    "(key types) the server accepts", _CR)
_CERT_TYPE = Field("", "Certificate type", "One client certificate key type", _CR,
                   shown(ClientCertificateType, 2))
_SIG_ALGS = Field("supported_signature_algorithms", "Signature algorithms", "Signature "
                  "algorithms the server accepts in the client's CertificateVerify", _CR)
_SIG_ALG = Field("", "Signature algorithm", "One hash and signature pair", _CR,
                 shown(SignatureScheme))
_AUTHORITIES = Field("certificate_authorities", "Certificate authorities", "Names of CAs "
                     "the server trusts; empty means any", _CR)
_AUTHORITY = Field("", "Distinguished name", "One CA's DER-encoded name", _CR)


@fast_init
@dataclass(frozen=True, slots=True)
class CertificateRequest12(_Tls12, HandshakeMessage):
    """TLS 1.2 CertificateRequest: which client certificates the server would accept."""

    certificate_types: tuple[ClientCertificateType | int, ...]
    supported_signature_algorithms: tuple[SignatureScheme | int, ...]
    certificate_authorities: tuple[bytes, ...] = ()

    msg_type: ClassVar[HandshakeType] = HandshakeType.certificate_request
    path: ClassVar[str] = "certificate_request"

    def encode_body(self, w: Writer) -> None:
        w.numbers(self.certificate_types, 1, 1)
        w.numbers(self.supported_signature_algorithms, 2, 2)
        with w.block(2):
            for authority in self.certificate_authorities:
                w.vector(authority, 2)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        types = r.codes(1, 1, _CERT_TYPES, _CERT_TYPE, ClientCertificateType, 1, 255)
        schemes = r.codes(2, 2, _SIG_ALGS, _SIG_ALG, SignatureScheme, 2, 0xFFFE)
        with r.group(2, _AUTHORITIES):
            authorities = tuple(r.each(lambda i: r.opaque(2, _AUTHORITY, 1, index=i)))
        return cls(types, schemes, authorities)

    def summary(self) -> str:
        return (f"CertificateRequest {', '.join(name(t, 2) for t in self.certificate_types)}; "
                f"{len(self.supported_signature_algorithms)} signature algorithms")


@fast_init
@dataclass(frozen=True, slots=True)
class ServerHelloDone(_Tls12, WholeBody):
    """"That was all from me": the server's first flight is over (RFC 5246 §7.4.5)."""

    msg_type: ClassVar[HandshakeType] = HandshakeType.server_hello_done
    path: ClassVar[str] = "server_hello_done"

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> ServerHelloDone:
        return SERVER_HELLO_DONE  # (the body is empty, and anything left over is refused by the caller)

    def summary(self) -> str:
        return "ServerHelloDone"


SERVER_HELLO_DONE = ServerHelloDone()  # it has no fields (and is frozen): one serves every send and read


_TICKET = "RFC 5077 §3.3"
_LIFETIME_HINT = Field("ticket_lifetime_hint", "Ticket lifetime hint", "How many seconds "
                       "the server expects to honour the ticket (0: unspecified)", _TICKET,
                       lambda v: f"{v} s")
_TICKET_DATA = Field("ticket", "Ticket", "The session state, encrypted under a key only the "
                     "server knows; the client sends it back to resume", _TICKET)


@fast_init
@dataclass(frozen=True, slots=True)
class NewSessionTicket12(_Tls12, HandshakeMessage):
    """TLS 1.2 NewSessionTicket, sent before the server's ChangeCipherSpec."""

    lifetime_hint: int
    ticket: bytes

    msg_type: ClassVar[HandshakeType] = HandshakeType.new_session_ticket
    path: ClassVar[str] = "new_session_ticket"

    def encode_body(self, w: Writer) -> None:
        w.uint32(self.lifetime_hint)
        w.vector(self.ticket, 2)

    @classmethod
    def decode_body(cls, r: Reader, context: DecodeContext) -> Self:
        return cls(r.number(4, _LIFETIME_HINT), r.opaque(2, _TICKET_DATA))

    def summary(self) -> str:
        return (f"NewSessionTicket lifetime hint {self.lifetime_hint}s, "
                f"{len(self.ticket)}-byte ticket")


TLS12_ONLY: tuple[type[HandshakeMessage], ...] = (
    Certificate12, ServerKeyExchange, CertificateRequest12, ServerHelloDone, ClientKeyExchange,
    NewSessionTicket12,
)
