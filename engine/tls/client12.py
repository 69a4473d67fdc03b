"""The TLS 1.2 half of the client (RFC 5246 §7.3), entered when the server's ServerHello
picks TLS 1.2.

    WAIT_SH ──ServerHello──▶ WAIT_SERVER_CERTIFICATE ──Certificate──▶ WAIT_SERVER_KEY_EXCHANGE
    ──ServerKeyExchange (not for RSA)──▶ WAIT_SERVER_HELLO_DONE (CertificateRequest may come)
    ──ServerHelloDone──▶ WAIT_CHANGE_CIPHER_SPEC (our flight: Certificate*, ClientKeyExchange,
    CertificateVerify*, ChangeCipherSpec, Finished) ──▶ WAIT_NEW_SESSION_TICKET (only if the
    ServerHello said a ticket comes, RFC 5077 §3.3) ──NewSessionTicket──▶ WAIT_CHANGE_CIPHER_SPEC
    ──ChangeCipherSpec──▶ WAIT_SERVER_FINISHED ──Finished──▶ CONNECTED

A resumed session (the server echoed our session id) goes from ServerHello straight to
WAIT_NEW_SESSION_TICKET or WAIT_CHANGE_CIPHER_SPEC, and the client's CCS and Finished come last.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

from engine.tls import alpn, signatures
from engine.tls.alerts import HandshakeFailure, IllegalParameter, UnsupportedExtension
from engine.tls.config import Session12
from engine.tls.connection import Composer, Handler, MoveImpossible
from engine.tls.constants import (
    ExtensionType,
    HandshakeType,
    IdentityEnum,
    ProtocolVersion,
    known,
    name,
)
from engine.tls.extension_base import extension_type_of
from engine.tls.extensions import ExtendedMasterSecret, SessionTicket
from engine.tls.messages import (
    Certificate12,
    CertificateRequest12,
    ClientKeyExchange,
    DheParams,
    Finished,
    NewSessionTicket12,
    ServerHello,
    ServerHelloDone,
    ServerKeyExchange,
)
from engine.tls.suites import KeyExchange
from engine.tls.tls12 import (
    EMPTY_SESSION_TICKET,
    EXTENDED_MASTER_SECRET,
    INITIAL_RENEGOTIATION,
    PKCS1,
    UNCOMPRESSED_ONLY,
    Tls12Mixin,
)

HELLO = "RFC 5246 §7.4.1.3"
_TLS1_2 = ProtocolVersion.TLS1_2  # (read off the enum class: a slow path)
HELLO_REQUEST = b"\x00\x00\x00\x00"  # type 0, empty body (RFC 5246 §7.4.1.1)


class Client12State(IdentityEnum):
    WAIT_SERVER_CERTIFICATE = "WAIT_SERVER_CERTIFICATE"
    WAIT_SERVER_KEY_EXCHANGE = "WAIT_SERVER_KEY_EXCHANGE"
    WAIT_SERVER_HELLO_DONE = "WAIT_SERVER_HELLO_DONE"
    WAIT_NEW_SESSION_TICKET = "WAIT_NEW_SESSION_TICKET"
    WAIT_CHANGE_CIPHER_SPEC = "WAIT_CHANGE_CIPHER_SPEC"
    WAIT_SERVER_FINISHED = "WAIT_SERVER_FINISHED"


@cache
def _with_pkcs1(schemes: tuple[int, ...]) -> tuple[int, ...]:
    """`schemes` and then the PKCS #1 v1.5 schemes it lacks, which TLS 1.2 servers may sign
    with (the same for every connection with these schemes)."""
    return schemes + tuple(s for s in PKCS1 if s not in schemes)


# What a handshake reads on its way, read off the enum classes once: in Python 3.11 a
# member read through its class costs about as much as a call.
(_WAIT_SERVER_CERTIFICATE, _WAIT_SERVER_KEY_EXCHANGE, _WAIT_SERVER_HELLO_DONE, _WAIT_NEW_SESSION_TICKET,
 _WAIT_CHANGE_CIPHER_SPEC, _WAIT_SERVER_FINISHED) = (
    Client12State.WAIT_SERVER_CERTIFICATE, Client12State.WAIT_SERVER_KEY_EXCHANGE,
    Client12State.WAIT_SERVER_HELLO_DONE, Client12State.WAIT_NEW_SESSION_TICKET,
    Client12State.WAIT_CHANGE_CIPHER_SPEC, Client12State.WAIT_SERVER_FINISHED)
_RSA = KeyExchange.RSA


class Client12(Tls12Mixin):
    server_params: Any = None
    received_tickets12: list[Session12]
    offered_extensions: frozenset[int]
    client_hello_session_id: bytes
    ticket_expected12: bool = False

    # --- the ClientHello's TLS 1.2 part ------------------------------------------------

    def tls12_offer(self) -> tuple[tuple[int, ...], list[Any]]:
        """Suites and extensions a client offering TLS 1.2 adds to its ClientHello."""
        if _TLS1_2 not in self.config.versions:
            return (), []
        extensions: list[Any] = [UNCOMPRESSED_ONLY, INITIAL_RENEGOTIATION]
        if self.config.ems:
            extensions.append(EXTENDED_MASTER_SECRET)
        resume = self.config.resume12
        if self.config.session_tickets:
            extensions.append(SessionTicket(resume.ticket) if resume else EMPTY_SESSION_TICKET)
        return tuple(self.config.tls12_suites), extensions

    def tls12_session_id(self) -> bytes | None:
        """The session id to offer: the one to resume, or (with a ticket) a fresh one."""
        resume = self.config.resume12
        if resume is None:
            return None
        return resume.session_id or self.rng.draw("client.ticket_session_id", 32)

    def signature_schemes12(self) -> tuple[int, ...]:
        schemes = tuple(self.config.signature_schemes)
        return _with_pkcs1(schemes) if _TLS1_2 in self.config.versions else schemes

    # --- ServerHello for TLS 1.2 ---------------------------------------------------------

    def on_server_hello12(self, message: ServerHello, raw: bytes) -> None:
        if _TLS1_2 not in self.config.versions:
            raise HandshakeFailure("the server chose TLS 1.2, which this client does not offer", HELLO)
        # (The downgrade sentinel was checked already, for both versions: TlsClient._check_version.)
        if message.cipher_suite not in self.config.tls12_suites:
            raise IllegalParameter(f"the server chose suite {int(message.cipher_suite):#06x}, which we did not offer", HELLO)
        if not self.offered_extensions.issuperset(map(int, map(extension_type_of, message.extensions))):
            # (the usual case, found in C; here the first extension we never offered is named)
            unasked = next(e for e in message.extensions if int(e.extension_type) not in self.offered_extensions)
            raise UnsupportedExtension(f"the ServerHello carries {name(known(ExtensionType, int(unasked.extension_type)))}, "
                                       "which our ClientHello never asked for", "RFC 5246 §7.4.1.4")
        self.check_initial_renegotiation(message, "RFC 5746 §3.4")
        self.alpn = alpn.accept(message, self.config.alpn)
        self.server_random = message.random
        self.begin12(int(message.cipher_suite))
        self.use_ems = message.get(ExtendedMasterSecret) is not None
        self.ticket_expected12 = message.get(SessionTicket) is not None
        self.session_id12 = message.legacy_session_id_echo
        self.transcript.append(raw)
        resume = self.config.resume12
        offered_id = self.client_hello_session_id
        if resume is not None and offered_id and message.legacy_session_id_echo == offered_id:
            if resume.cipher_suite != message.cipher_suite:
                raise IllegalParameter("a resumed session must keep its cipher suite", "RFC 5246 §7.4.1.3")
            if self.use_ems != resume.extended_master_secret:
                raise HandshakeFailure("the ServerHello's extended_master_secret differs from the session it "
                                       "resumes: a session keeps the master secret it was made with", "RFC 7627 §5.3")
            self.abbreviated = True
            self.resume_master12(resume.master_secret)
            self._set_state(self._before_server_ccs12())
            return
        self._set_state(_WAIT_SERVER_CERTIFICATE)

    # --- the server's flight -------------------------------------------------------------

    def on_certificate12(self, message: Certificate12, raw: bytes) -> None:
        if not self.check_certificate12(message, raw):
            raise IllegalParameter("the server sent an empty Certificate", "RFC 5246 §7.4.2")
        self.check_key_fits12()
        rsa = self.key_exchange is _RSA
        self._set_state(_WAIT_SERVER_HELLO_DONE if rsa else _WAIT_SERVER_KEY_EXCHANGE)

    def on_server_key_exchange(self, message: ServerKeyExchange, raw: bytes) -> None:
        if message.algorithm not in self.signature_schemes12():
            raise IllegalParameter(f"ServerKeyExchange is signed with {int(message.algorithm):#06x}, never offered", "RFC 5246 §7.4.3")
        content = signatures.signed_params_content(self.client_random, self.server_random, message.params_bytes())
        signatures.verify(message.algorithm, self.peer_public_key(), content, message.signature, tls13=False)
        if isinstance(message.params, DheParams):
            self.server_params = message.params
        else:
            if message.params.group not in self.config.groups:
                raise IllegalParameter("ServerKeyExchange names a curve we did not offer", "RFC 8422 §5.4")
            self.server_params = message.params
            self.group = int(message.params.group)
        self.transcript.append(raw)
        self._set_state(_WAIT_SERVER_HELLO_DONE)

    def on_certificate_request12(self, message: CertificateRequest12, raw: bytes) -> None:
        self.certificate_requested12 = True
        self.peer_schemes12 = tuple(map(int, message.supported_signature_algorithms))
        self.transcript.append(raw)

    def on_server_hello_done(self, message: ServerHelloDone, raw: bytes) -> None:
        self.transcript.append(raw)
        if self.certificate_requested12:
            self.pending.append("Certificate")
        self.pending.append("ClientKeyExchange")
        if self.certificate_requested12 and self.config.credential is not None:
            self.pending.append("CertificateVerify")
        self.pending += ["ChangeCipherSpec", "Finished"]
        self._set_state(_WAIT_CHANGE_CIPHER_SPEC)

    # --- our flight -------------------------------------------------------------------------

    def compose_client_key_exchange(self, choices: Mapping[str, Any]) -> None:
        if self.version != _TLS1_2 or not self.peer_chain:
            raise MoveImpossible("ClientKeyExchange comes after a TLS 1.2 server's certificate")
        kex = self.key_exchange
        if kex is _RSA:
            pre_master, encrypted = self.rsa_encrypt_pre_master()
            self.send_handshake(ClientKeyExchange(kex, encrypted))
            self.derive_master12(pre_master, "48 random bytes of the client's, sent encrypted to the server's RSA key")
            return
        params = self.server_params
        if params is None:
            raise MoveImpossible("there are no server key exchange parameters to answer")
        if isinstance(params, DheParams):
            share = self._dhe_share(params)
            shared = share.exchange(params.ys, tls12=True)  # type: ignore[call-arg]
        else:
            share = self.new_share(int(params.group), "client")
            shared = share.exchange(params.point)
        self.send_handshake(ClientKeyExchange(kex, share.public_bytes()))
        self.derive_master12(shared, "the (EC)DHE shared secret of the two key shares")

    def _dhe_share(self, params: DheParams) -> Any:
        from engine.tls import groups

        group = groups.ffdhe_group_for(int.from_bytes(params.p, "big"), int.from_bytes(params.g, "big"))
        return groups.generate_ffdhe(group, self.rng.child("client.dhe"))

    def ccs_expected12(self) -> bool:
        return self.state is _WAIT_CHANGE_CIPHER_SPEC and (self.abbreviated or self.sent_ccs12)

    def after_peer_ccs12(self) -> None:
        self._set_state(_WAIT_SERVER_FINISHED)

    def ignores(self, raw: bytes) -> bool:
        """HelloRequest: ignored by a client in the middle of a handshake, and (as this engine
        never renegotiates) after it too; never part of the transcript (RFC 5246 §7.4.1.1)."""
        return raw == HELLO_REQUEST and self.speaks12

    def _before_server_ccs12(self) -> Client12State:
        """A NewSessionTicket comes before the server's CCS if and only if its ServerHello
        carried session_ticket (RFC 5077 §3.3)."""
        return _WAIT_NEW_SESSION_TICKET if self.ticket_expected12 else _WAIT_CHANGE_CIPHER_SPEC

    def on_new_session_ticket12(self, message: NewSessionTicket12, raw: bytes) -> None:
        self.transcript.append(raw)
        self.new_ticket12 = message.ticket
        self._set_state(_WAIT_CHANGE_CIPHER_SPEC)

    def on_finished12(self, message: Finished, raw: bytes) -> None:
        self.check_finished12(message, raw)
        self._remember_session()
        if self.abbreviated:
            self.pending += ["ChangeCipherSpec", "Finished"]
            return
        self.complete12()

    def after_our_finished12(self) -> None:
        if self.abbreviated:
            self.complete12()
        else:
            self._set_state(self._before_server_ccs12())

    def _remember_session(self) -> None:
        master = self.schedule12.secrets["master_secret"]
        ticket = getattr(self, "new_ticket12", b"")
        session = Session12(self.session_id12, master, self.cipher_suite or 0, self.use_ems, ticket)
        self.received_tickets12.append(session)

    HANDLERS12: ClassVar[dict[Any, dict[HandshakeType, Handler]]] = {
        Client12State.WAIT_SERVER_CERTIFICATE: {HandshakeType.certificate: on_certificate12},
        Client12State.WAIT_SERVER_KEY_EXCHANGE: {HandshakeType.server_key_exchange: on_server_key_exchange},
        Client12State.WAIT_SERVER_HELLO_DONE: {
            HandshakeType.certificate_request: on_certificate_request12,
            HandshakeType.server_hello_done: on_server_hello_done,
        },
        Client12State.WAIT_NEW_SESSION_TICKET: {HandshakeType.new_session_ticket: on_new_session_ticket12},
        Client12State.WAIT_SERVER_FINISHED: {HandshakeType.finished: on_finished12},
    }
    COMPOSERS12: ClassVar[dict[str, Composer]] = {
        "ClientKeyExchange": compose_client_key_exchange,
    }
