"""The TLS 1.2 half of the server (RFC 5246 §7.3), entered when a ClientHello arrives that
the server answers with TLS 1.2.

    START ──ClientHello──▶ NEGOTIATED (our flight: ServerHello, Certificate, ServerKeyExchange*,
    CertificateRequest*, ServerHelloDone) ──▶ WAIT_CLIENT_CERTIFICATE* ──▶
    WAIT_CLIENT_KEY_EXCHANGE ──ClientKeyExchange──▶ WAIT_CERTIFICATE_VERIFY* ──▶
    WAIT_CHANGE_CIPHER_SPEC ──ChangeCipherSpec──▶ WAIT_CLIENT_FINISHED ──Finished──▶
    (NewSessionTicket*, ChangeCipherSpec, Finished) ──▶ CONNECTED

Resuming (a known session id or ticket), the server sends ServerHello, its CCS and
Finished at once and waits for the client's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from engine.tls import alpn, signatures
from engine.tls.alerts import HandshakeFailure, IllegalParameter, ProtocolVersion as ProtocolVersionAlert
from engine.tls.config import Session12, first_offered
from engine.tls.connection import Composer, Handler, MoveImpossible
from engine.tls.constants import (
    DOWNGRADE_TLS12,
    CipherSuite,
    ECPointFormat,
    HandshakeType,
    IdentityEnum,
    NamedGroup,
    ProtocolVersion,
    known,
)
from engine.tls.extensions import (
    Alpn,
    EcPointFormats,
    ExtendedMasterSecret,
    SessionTicket,
    SignatureAlgorithms,
    SupportedGroups,
    SupportedVersionsClientHello,
)
from engine.tls.messages import (
    Certificate12,
    CertificateRequest12,
    CertificateVerify,
    ClientHello,
    ClientKeyExchange,
    DheParams,
    EcdheParams,
    Finished,
    NewSessionTicket12,
    ServerHello,
    ServerKeyExchange,
)
from engine.tls.messages12 import SERVER_HELLO_DONE
from engine.tls.suites import KeyExchange, suite_info
from engine.tls.tls12 import (
    EMPTY_SESSION_TICKET,
    EXTENDED_MASTER_SECRET,
    FFDHE_GROUPS,
    INITIAL_RENEGOTIATION,
    PKCS1,
    UNCOMPRESSED_ONLY,
    Tls12Mixin,
    key_fits,
    needed_key,
)

HELLO = "RFC 5246 §7.4.1.3"
_TLS1_2, _TLS1_3 = ProtocolVersion.TLS1_2, ProtocolVersion.TLS1_3  # (read off the enum class: a slow path)
TICKET_LIFETIME = 7200


class Server12State(IdentityEnum):
    NEGOTIATED = "NEGOTIATED"  # the ClientHello is answered; our flight is due (nothing may arrive)
    WAIT_CLIENT_CERTIFICATE = "WAIT_CLIENT_CERTIFICATE"
    WAIT_CLIENT_KEY_EXCHANGE = "WAIT_CLIENT_KEY_EXCHANGE"
    WAIT_CERTIFICATE_VERIFY = "WAIT_CERTIFICATE_VERIFY"
    WAIT_CHANGE_CIPHER_SPEC = "WAIT_CHANGE_CIPHER_SPEC"
    WAIT_CLIENT_FINISHED = "WAIT_CLIENT_FINISHED"


# What a handshake reads on its way, read off the enum classes once: in Python 3.11 a
# member read through its class costs about as much as a call.
(_NEGOTIATED, _WAIT_CLIENT_CERTIFICATE, _WAIT_CLIENT_KEY_EXCHANGE, _WAIT_CERTIFICATE_VERIFY,
 _WAIT_CHANGE_CIPHER_SPEC, _WAIT_CLIENT_FINISHED) = (
    Server12State.NEGOTIATED, Server12State.WAIT_CLIENT_CERTIFICATE, Server12State.WAIT_CLIENT_KEY_EXCHANGE,
    Server12State.WAIT_CERTIFICATE_VERIFY, Server12State.WAIT_CHANGE_CIPHER_SPEC, Server12State.WAIT_CLIENT_FINISHED)
_RSA, _DHE_RSA = KeyExchange.RSA, KeyExchange.DHE_RSA
_ECDHE = (KeyExchange.ECDHE_RSA, KeyExchange.ECDHE_ECDSA)


class Server12(Tls12Mixin):
    client_hello: ClientHello | None
    server_share12: Any = None
    ticket_requested12: bool = False
    resumed12: Session12 | None = None
    peer_authenticated: bool

    # --- choosing TLS 1.2 ---------------------------------------------------------------

    def answers_with_tls12(self, message: ClientHello) -> bool:
        """TLS 1.2 when the client does not offer 1.3 (or we do not speak it) but offers 1.2."""
        offered = message.offered_versions
        if _TLS1_3 in offered and _TLS1_3 in self.config.versions:
            return False
        return _TLS1_2 in self.config.versions and (
            _TLS1_2 in offered or message.legacy_version >= _TLS1_2
        )

    def on_client_hello12(self, message: ClientHello, raw: bytes) -> None:
        if message.get(SupportedVersionsClientHello) is not None and _TLS1_2 not in message.offered_versions:
            raise ProtocolVersionAlert("the client's supported_versions lists no version this server speaks", "RFC 8446 §4.2.1")
        self.check_initial_renegotiation(message, "RFC 5746 §3.6")
        self.speak_tls12()
        self.client_hello = message
        self.client_random = message.random
        self.transcript.append(raw)
        self.ticket_requested12 = self.config.session_tickets and message.get(SessionTicket) is not None
        self.use_ems = self.config.ems and message.get(ExtendedMasterSecret) is not None
        self.resumed12 = self._known_session(message)
        self.alpn = alpn.choose(message, self.config.alpn)
        self._set_state(_NEGOTIATED)
        if self.resumed12 is not None:
            self.cipher_suite = self.resumed12.cipher_suite
            self.pending = ["ServerHello", "ChangeCipherSpec", "Finished"]
            return
        self.cipher_suite = self._choose_suite(message)
        algorithms = message.get(SignatureAlgorithms)
        self.peer_schemes12 = tuple(map(int, algorithms.schemes)) if algorithms else tuple(PKCS1)
        self.pending = ["ServerHello", *self._flight_after_hello(self.cipher_suite)]

    def _flight_after_hello(self, suite: int) -> list[str]:
        """What follows ServerHello in a full handshake with `suite`; picks the group."""
        message = self.client_hello
        kex = suite_info(suite).key_exchange
        if kex in _ECDHE:
            supported = message.get(SupportedGroups) if message else None
            offered = tuple(int(g) for g in supported.groups) if supported else (NamedGroup.secp256r1,)
            self.group = first_offered(self.config.groups, offered)
            if self.group is None:
                raise HandshakeFailure("no elliptic curve in common with the client", "RFC 8422 §5.1.1")
            formats = message.get(EcPointFormats) if message else None
            if formats is not None and ECPointFormat.uncompressed not in formats.formats:
                raise IllegalParameter("the client's ec_point_formats leaves out uncompressed, the one point "
                                       "format every implementation must parse", "RFC 8422 §5.1.2")
        elif kex is _DHE_RSA:
            self.group = self.config.dh_group
        flight = ["Certificate"]
        if kex is not _RSA:
            flight.append("ServerKeyExchange")
        if self.config.client_auth != "none":
            flight.append("CertificateRequest")
        return [*flight, "ServerHelloDone"]

    def _choose_suite(self, message: ClientHello) -> int:
        credential = self.config.credential
        kind = credential.key_kind if credential else None
        for suite in self.config.tls12_suites:
            if suite in message.cipher_suites and key_fits(suite_info(suite).key_exchange, kind):
                return int(suite)
        raise HandshakeFailure("no TLS 1.2 cipher suite in common that our certificate can serve", HELLO)

    def _known_session(self, message: ClientHello) -> Session12 | None:
        store = self.config.tickets
        if store is None:
            return None
        ticket = message.get(SessionTicket)
        session = store.tickets12.get(ticket.ticket) if ticket and ticket.ticket else None
        session = session or store.sessions12.get(message.legacy_session_id)
        if session is None or session.cipher_suite not in message.cipher_suites:
            return None
        offers_ems = message.get(ExtendedMasterSecret) is not None
        if session.extended_master_secret and not offers_ems:
            raise HandshakeFailure("the session to resume used the extended master secret, and this ClientHello "
                                   "does not offer it", "RFC 7627 §5.3")
        # A session without it is not resumed for a client that offers it: a full handshake (§5.3).
        return session if session.extended_master_secret == offers_ems else None

    # --- our flight ---------------------------------------------------------------------

    def compose_server_hello12(self, choices: Mapping[str, Any]) -> None:
        hello = self.client_hello
        if hello is None:
            raise MoveImpossible("no ClientHello has arrived: there is nothing to answer")
        suite = int(choices.get("cipher_suite", self.cipher_suite or 0))
        if suite != self.cipher_suite and self.resumed12 is None:
            self._switch_suite(suite)
        random = self.rng.draw("server.random", 32)
        if _TLS1_3 in self.config.versions:
            random = random[:24] + DOWNGRADE_TLS12  # RFC 8446 §4.1.3: say we could have done 1.3
        self.server_random = random
        resumed = self.resumed12
        if resumed is not None:
            session_id = hello.legacy_session_id
        else:
            session_id = self.rng.draw("server.session_id", 32)
        self.session_id12 = session_id
        extensions: list[Any] = [INITIAL_RENEGOTIATION]
        if self.use_ems:
            extensions.append(EXTENDED_MASTER_SECRET)
        if suite_info(suite).key_exchange in _ECDHE:
            extensions.append(UNCOMPRESSED_ONLY)
        if self.ticket_requested12 and self.config.tickets is not None and resumed is None:
            extensions.append(EMPTY_SESSION_TICKET)
        if self.alpn is not None:
            extensions.append(Alpn((self.alpn.encode(),)))
        self.send_handshake(ServerHello(random, session_id, known(CipherSuite, suite), extensions=tuple(extensions),
                                        legacy_version=_TLS1_2))
        self.begin12(suite)
        if resumed is not None:
            self.use_ems = resumed.extended_master_secret
            self.abbreviated = True
            self.resume_master12(resumed.master_secret)
            self._set_state(_WAIT_CHANGE_CIPHER_SPEC)
            return
        first = _WAIT_CLIENT_CERTIFICATE if self.config.client_auth != "none" else _WAIT_CLIENT_KEY_EXCHANGE
        self._set_state(first)

    def _switch_suite(self, suite: int) -> None:
        """The player chose another suite than ours: the rest of the flight follows it."""
        info = suite_info(suite)
        credential = self.config.credential
        if info.version == "1.2" and credential is not None and not key_fits(info.key_exchange, credential.key_kind):
            raise MoveImpossible(
                f"{info.name} needs an {needed_key(info.key_exchange)} certificate, "
                f"and yours holds an {credential.key_kind.upper()} key"
            )
        self.cipher_suite = suite
        if info.version == "1.2":
            self.pending = self._flight_after_hello(suite)

    def compose_server_key_exchange(self, choices: Mapping[str, Any]) -> None:
        credential = self.config.credential
        if credential is None or self.version != _TLS1_2:
            raise MoveImpossible("ServerKeyExchange belongs to a TLS 1.2 server with a certificate")
        group = int(choices.get("group", self.group or 0))
        self.server_share12 = self.new_share(group, "server")
        public = self.server_share12.public_bytes()
        params: Any
        if group in FFDHE_GROUPS:
            named = FFDHE_GROUPS[group]
            params = DheParams(_be(named.p), _be(named.g), public)
        else:
            params = EcdheParams(known(NamedGroup, group), public)
        scheme = self.scheme12_for(credential, self.peer_schemes12)
        unsigned = ServerKeyExchange(params, scheme, b"")
        content = signatures.signed_params_content(self.client_random, self.server_random, unsigned.params_bytes())
        signature = signatures.sign(scheme, credential.private_key, content, self.rng.child("server.ske_signature"))
        signature = self.tamper("bad_server_key_exchange_signature", signature)
        self.send_handshake(ServerKeyExchange(params, scheme, signature))

    def compose_certificate_request12(self, choices: Mapping[str, Any]) -> None:
        schemes = tuple(self.config.signature_schemes) + PKCS1
        self.send_handshake(CertificateRequest12((1, 64), schemes))  # rsa_sign, ecdsa_sign

    def compose_server_hello_done(self, choices: Mapping[str, Any]) -> None:
        self.send_handshake(SERVER_HELLO_DONE)

    # --- the client's flight ----------------------------------------------------------------

    def on_certificate12(self, message: Certificate12, raw: bytes) -> None:
        if self.check_certificate12(message, raw):
            self.peer_authenticated = True
        elif self.config.client_auth == "require":
            raise HandshakeFailure("the client sent no certificate, and this server requires one", "RFC 5246 §7.4.6")
        self._set_state(_WAIT_CLIENT_KEY_EXCHANGE)

    def on_client_key_exchange(self, message: ClientKeyExchange, raw: bytes) -> None:
        self.transcript.append(raw)
        kex = self.key_exchange
        if kex is _RSA:
            client_version = self.client_hello.legacy_version if self.client_hello else _TLS1_2
            pre_master = self.rsa_decrypt_pre_master(message.exchange_keys, client_version)
            self.derive_master12(pre_master, "the client's 48 random bytes, decrypted with our RSA key")
        else:
            share = self.server_share12
            if share is None:
                raise MoveImpossible("no ServerKeyExchange was sent: there is no key share to combine with")
            kwargs = {"tls12": True} if self.group in FFDHE_GROUPS else {}
            shared = share.exchange(message.exchange_keys, **kwargs)
            self.derive_master12(shared, "the (EC)DHE shared secret of the two key shares")
        self._set_state(_WAIT_CERTIFICATE_VERIFY if self.peer_authenticated else _WAIT_CHANGE_CIPHER_SPEC)

    def on_certificate_verify12(self, message: CertificateVerify, raw: bytes) -> None:
        self.check_certificate_verify12(message, raw)
        self._set_state(_WAIT_CHANGE_CIPHER_SPEC)

    def ccs_expected12(self) -> bool:
        return self.state is _WAIT_CHANGE_CIPHER_SPEC and (not self.abbreviated or self.sent_ccs12)

    def after_peer_ccs12(self) -> None:
        self._set_state(_WAIT_CLIENT_FINISHED)

    def on_finished12(self, message: Finished, raw: bytes) -> None:
        self.check_finished12(message, raw)
        if self.abbreviated:
            self.complete12()
            return
        self._remember_session()
        if self.ticket_requested12 and self.config.tickets is not None:
            self.pending.append("NewSessionTicket")
        self.pending += ["ChangeCipherSpec", "Finished"]

    def compose_new_session_ticket12(self, choices: Mapping[str, Any]) -> None:
        store = self.config.tickets
        if store is None or self.version != _TLS1_2:
            raise MoveImpossible("only a TLS 1.2 server that keeps tickets issues one here")
        session = store.sessions12.get(self.session_id12)
        if session is None:
            raise MoveImpossible("a ticket carries the session's master secret, and there is no session until "
                                 "the client's Finished has been checked")
        ticket = self.rng.draw("server.ticket12", 48)
        store.tickets12[ticket] = session
        self.send_handshake(NewSessionTicket12(TICKET_LIFETIME, ticket))

    def after_our_finished12(self) -> None:
        if not self.abbreviated:
            self.complete12()

    def _remember_session(self) -> None:
        store = self.config.tickets
        if store is not None:
            master = self.schedule12.secrets["master_secret"]
            store.sessions12[self.session_id12] = Session12(self.session_id12, master, self.cipher_suite or 0, self.use_ems)

    HANDLERS12: ClassVar[dict[Any, dict[HandshakeType, Handler]]] = {
        Server12State.WAIT_CLIENT_CERTIFICATE: {HandshakeType.certificate: on_certificate12},
        Server12State.WAIT_CLIENT_KEY_EXCHANGE: {HandshakeType.client_key_exchange: on_client_key_exchange},
        Server12State.WAIT_CERTIFICATE_VERIFY: {HandshakeType.certificate_verify: on_certificate_verify12},
        Server12State.WAIT_CLIENT_FINISHED: {HandshakeType.finished: on_finished12},
    }
    COMPOSERS12: ClassVar[dict[str, Composer]] = {
        "ServerKeyExchange": compose_server_key_exchange,
        "ServerHelloDone": compose_server_hello_done,
    }


def _be(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")
