"""The TLS 1.3 server (RFC 8446), as a table of states and the messages each accepts.

    START ──ClientHello──▶ NEGOTIATED ──ServerHello … Finished──▶ WAIT_FINISHED
          (or WAIT_CERT, WAIT_CV when it asked for a client certificate)
          ──client Finished──▶ CONNECTED
    START ──ClientHello without a usable key share──▶ HelloRetryRequest ──▶ WAIT_CH2

The server's choices (suite, group, certificate) are made when the ClientHello arrives
and can be overridden when its flight is sent: that is where a player serving as the
server picks them, rightly or wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from engine.tls import alpn, groups
from engine.tls.alerts import (
    CertificateRequired,
    DecryptError,
    HandshakeFailure,
    IllegalParameter,
    MissingExtension,
    ProtocolVersion as ProtocolVersionAlert,
)
from engine.tls.config import first_offered
from engine.tls.connection import Handler, MoveImpossible, TlsConnection
from engine.tls.constants import (
    HELLO_RETRY_REQUEST_RANDOM,
    CipherSuite,
    NamedGroup,
    known,
    HandshakeType,
    IdentityEnum,
    ProtocolVersion,
    PskKeyExchangeMode,
)
from engine.tls.extensions import (
    ExtensionContext,
    KeyShareHelloRetryRequest,
    PreSharedKeyServerHello,
    PskKeyExchangeModes,
    ServerNameAck,
    SignatureAlgorithms,
    SupportedGroups,
    SupportedVersionsServerHello,
    check_tls13_placement,
)
from engine.tls.extensions_nested import (
    Alpn,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareServerHello,
    PreSharedKeyClientHello,
    ServerName,
)
from engine.tls.keyschedule import KeySchedule
from engine.tls.messages import (
    Certificate,
    CertificateRequest,
    CertificateVerify,
    ClientHello,
    EncryptedExtensions,
    Finished,
    MessageHash,
    NewSessionTicket,
    ServerHello,
)
from engine.tls.server12 import Server12
from engine.tls.tls12 import Tls12Mixin
from engine.tls.tls13 import Tls13Connection, by_version, composer_tables

HELLO = "RFC 8446 §4.1.1"
_TLS1_3 = ProtocolVersion.TLS1_3  # (read off the enum class: a slow path)
EXTENSIONS = "RFC 8446 §9.2"
TICKET_LIFETIME = 7200
_SELECTS_TLS13 = SupportedVersionsServerHello(_TLS1_3)  # (extensions are immutable: one for all)
_SERVER_NAME_ACK = ServerNameAck()


class ServerState(IdentityEnum):
    START = "START"
    WAIT_CH2 = "WAIT_CH2"
    NEGOTIATED = "NEGOTIATED"
    WAIT_CERT = "WAIT_CERT"
    WAIT_CV = "WAIT_CV"
    WAIT_FINISHED = "WAIT_FINISHED"
    CONNECTED = "CONNECTED"
    CLOSED = "CLOSED"


# What a handshake reads on its way, read off the enum classes once: in Python 3.11 a
# member read through its class costs about as much as a call.
_START, _WAIT_CH2, _NEGOTIATED, _WAIT_CERT, _WAIT_CV, _WAIT_FINISHED = (
    ServerState.START, ServerState.WAIT_CH2, ServerState.NEGOTIATED, ServerState.WAIT_CERT,
    ServerState.WAIT_CV, ServerState.WAIT_FINISHED)
_IN_CLIENT_HELLO = ExtensionContext.CLIENT_HELLO


class TlsServer(Server12, Tls13Connection):
    is_client: ClassVar[bool] = False
    State = ServerState
    CONNECTED = ServerState.CONNECTED
    CLOSED = ServerState.CLOSED

    def __init__(self, config: Any, *, autoflush: bool = True) -> None:
        super().__init__(config, autoflush=autoflush)
        self.state = _START
        self.client_hello: ClientHello | None = None
        self.client_shares: dict[int, bytes] = {}
        self.server_name: str | None = None
        self.psk: bytes | None = None
        self.sent_ccs = False
        self.sent_hello_retry = False
        self.tickets_sent = 0
        self.peer_authenticated = False

    # --- ClientHello: check and choose -------------------------------------------------

    def on_client_hello(self, message: ClientHello, raw: bytes) -> None:
        forced_down = "downgrade_to_tls12" in self.config.misbehave  # a level's man in the middle
        if self.state is _START and (forced_down or self.answers_with_tls12(message)):
            self.on_client_hello12(message, raw)
            return
        if _TLS1_3 not in message.offered_versions:
            raise ProtocolVersionAlert("the client does not offer TLS 1.3, the only version this server speaks", HELLO)
        check_tls13_placement(message.extensions, _IN_CLIENT_HELLO)
        suite = first_offered(self.config.cipher_suites, message.cipher_suites)
        if suite is None:
            raise HandshakeFailure("no cipher suite the client offers is one this server supports", HELLO)
        shares = message.get(KeyShareClientHello)
        supported = message.get(SupportedGroups)
        if (shares is None) != (supported is None):
            raise MissingExtension("supported_groups and key_share must come together", EXTENSIONS)
        self.client_hello = message
        self.client_shares = {int(e.group): e.key_exchange for e in shares.client_shares} if shares else {}
        self._agreed = None
        if self.state is _WAIT_CH2:
            self._check_second_hello(message)
        self.transcript.append(raw)
        self.psk = self._accept_psk(message, suite)
        if self.psk is None:
            self._check_signature_algorithms(message)
        self.cipher_suite = int(suite)
        self.alpn = alpn.choose(message, self.config.alpn)
        name = message.get(ServerName)
        self.server_name = name.host_name if name else None
        group = first_offered(self.config.groups, self.client_shares)
        if group is None:
            offered_groups = tuple(map(int, supported.groups)) if supported else ()
            group = first_offered(self.config.groups, offered_groups)
            if group is None or self.sent_hello_retry:
                raise HandshakeFailure("no key exchange group in common with the client", HELLO)
            self.group = int(group)
            self.pending = ["HelloRetryRequest"] + self._ccs_if_due(message)
            return
        self.group = int(group)
        self._agree(self.group)  # a bad point in the client's share is refused before we say anything
        pending = ["ServerHello", *self._ccs_if_due(message), "EncryptedExtensions"]
        if self.psk is None:
            if self.config.client_auth != "none":
                pending.append("CertificateRequest")
            pending += ["Certificate", "CertificateVerify"]
        pending.append("Finished")
        self.pending = pending
        self._set_state(_NEGOTIATED)

    def _check_second_hello(self, message: ClientHello) -> None:
        if list(self.client_shares) != [self.group]:
            raise IllegalParameter(
                "the second ClientHello must carry exactly one key share, for the group the "
                "HelloRetryRequest asked for",
                "RFC 8446 §4.1.2",
            )

    def _check_signature_algorithms(self, message: ClientHello) -> None:
        algorithms = message.get(SignatureAlgorithms)
        if algorithms is None:
            raise MissingExtension("a ClientHello without signature_algorithms", EXTENSIONS)
        self.peer_signature_schemes = tuple(map(int, algorithms.schemes))
        credential = self.config.credential
        if credential is not None:
            usable = credential.tls13_schemes
            if first_offered(self.peer_signature_schemes, usable) is None:
                raise HandshakeFailure("the client accepts no signature scheme our certificate's key can make", "RFC 8446 §4.4.2.2")

    def _ccs_if_due(self, message: ClientHello) -> list[str]:
        """Middlebox compatibility: a CCS right after our first hello, if the client asked
        for the mode by sending a session id (RFC 8446 §D.4)."""
        due = self.config.middlebox_compat and bool(message.legacy_session_id) and not self.sent_ccs
        return ["ChangeCipherSpec"] if due else []

    def _accept_psk(self, message: ClientHello, suite: int) -> bytes | None:
        offer = message.get(PreSharedKeyClientHello)
        if offer is None:
            return None
        modes = message.get(PskKeyExchangeModes)
        store = self.config.tickets
        if modes is None:  # whether or not we keep tickets
            raise MissingExtension("pre_shared_key without psk_key_exchange_modes", "RFC 8446 §4.2.9")
        if store is None or PskKeyExchangeMode.psk_dhe_ke not in modes.modes:
            return None
        issued = store.issued.get(offer.identities[0].identity)
        if issued is None:
            return None
        psk, ticket_suite = issued[0], issued[1]
        if ticket_suite != suite:
            return None
        schedule = KeySchedule(suite)
        self.schedule, self._events_seen = schedule, 0
        schedule.early(psk)
        partial = self.transcript[:-1] + [message.encode_truncated()]
        binder_key = schedule.binder_key("resumption")
        expected = schedule.finished_verify_data(
            binder_key, self.transcript_hash(partial), "binder_key", "ClientHello (truncated)"
        )
        if not self.macs_equal(expected, offer.binders[0]):
            raise DecryptError("the PSK binder does not match: the ticket's key is not the client's", "RFC 8446 §4.2.11")
        self.resumed = True
        return psk

    # --- our flight --------------------------------------------------------------------

    def compose_hello_retry_request(self, choices: Mapping[str, Any]) -> None:
        group = known(NamedGroup, int(choices.get("group", self.group or 0)))
        suite = known(CipherSuite, int(choices.get("cipher_suite", self.cipher_suite or 0)))
        self.group = group
        self.cipher_suite = suite
        self.schedule = KeySchedule(suite)
        self._events_seen = 0
        hello = ServerHello(
            HELLO_RETRY_REQUEST_RANDOM,
            self.client_hello.legacy_session_id if self.client_hello else b"",
            suite,
            extensions=(_SELECTS_TLS13, KeyShareHelloRetryRequest(group)),
        )
        first = self.transcript[-1]
        self.transcript = [MessageHash(self.transcript_hash([first])).encode()]
        self.send_handshake(hello)
        self.sent_hello_retry = True
        self._set_state(_WAIT_CH2)

    def compose_server_hello(self, choices: Mapping[str, Any]) -> None:
        if self.client_hello is None:
            raise MoveImpossible("no ClientHello has arrived: there is nothing to answer")
        suite = known(CipherSuite, int(choices.get("cipher_suite", self.cipher_suite or 0)))
        group = known(NamedGroup, int(choices.get("group", self.group or 0)))
        self.cipher_suite, self.group = suite, group
        agreed = self._agree(group) if group in self.client_shares else None
        private = agreed[0] if agreed else groups.generate(group, self.rng.child(f"server.share.{group}"))
        extensions: list[Any] = [
            _SELECTS_TLS13,
            KeyShareServerHello(KeyShareEntry(group, private.public_bytes())),
        ]
        if self.psk is not None:
            extensions.append(PreSharedKeyServerHello(0))
        hello = ServerHello(
            self.rng.draw("server.random", 32),
            self.client_hello.legacy_session_id,
            suite,
            extensions=tuple(extensions),
        )
        schedule = self.schedule
        if not isinstance(schedule, KeySchedule) or schedule.suite.code != suite:
            schedule = self.schedule = KeySchedule(suite)
            self._events_seen = 0
        if "early_secret" not in schedule.secrets:
            schedule.early(self.psk)
        self.send_handshake(hello)
        if agreed is None:
            return  # a wrong move: no shared secret can come of it; the client will say so
        schedule.handshake(agreed[1], self.transcript_hash())
        self.install_write_key("server_handshake_traffic_secret")
        self.install_read_key("client_handshake_traffic_secret", plaintext_alerts=True)

    _agreed: tuple[int, groups.PrivateShare, bytes] | None = None

    def _agree(self, group: int) -> tuple[groups.PrivateShare, bytes]:
        """Our share for `group` and the secret it agrees on with the client's share, made
        once; an invalid client point is illegal_parameter (RFC 8446 §4.2.8.2)."""
        agreed = self._agreed
        if agreed is None or agreed[0] != group:
            private = groups.generate(group, self.rng.child(f"server.share.{group}"))
            agreed = self._agreed = (group, private, private.exchange(self.client_shares[group]))
        return agreed[1], agreed[2]

    def compose_change_cipher_spec(self, choices: Mapping[str, Any]) -> None:
        self.sent_ccs = True
        self.send_change_cipher_spec()

    def compose_encrypted_extensions(self, choices: Mapping[str, Any]) -> None:
        extensions: list[Any] = []
        if self.server_name is not None:
            extensions.append(_SERVER_NAME_ACK)
        if self.alpn is not None:
            extensions.append(Alpn((self.alpn.encode(),)))
        self.send_handshake(EncryptedExtensions(tuple(extensions)))

    def compose_certificate_request(self, choices: Mapping[str, Any]) -> None:
        self.send_handshake(CertificateRequest(b"", (SignatureAlgorithms(tuple(self.config.signature_schemes)),)))
        self.requested_client_certificate = True

    def after_our_finished(self, schedule: KeySchedule) -> None:
        schedule.master(self.transcript_hash())
        self.install_write_key("server_application_traffic_secret_0")
        asked = getattr(self, "requested_client_certificate", False)
        self._set_state(_WAIT_CERT if asked else _WAIT_FINISHED)

    # --- the client's second flight ----------------------------------------------------

    def on_certificate(self, message: Certificate, raw: bytes) -> None:
        if self.check_peer_certificate(message, raw):
            self.peer_authenticated = True
            self._set_state(_WAIT_CV)
            return
        if self.config.client_auth == "require":
            raise CertificateRequired("the client sent no certificate, and this server requires one", "RFC 8446 §4.4.2.4")
        self._set_state(_WAIT_FINISHED)

    def on_certificate_verify(self, message: CertificateVerify, raw: bytes) -> None:
        self.check_peer_certificate_verify(message, raw)
        self._set_state(_WAIT_FINISHED)

    def on_finished(self, message: Finished, raw: bytes) -> None:
        schedule = self.check_peer_finished(message, raw)
        self.install_read_key("client_application_traffic_secret_0")
        schedule.resumption(self.transcript_hash())
        if self.config.tickets is not None:
            self.pending += ["NewSessionTicket"] * self.config.tickets_to_send
        self.complete()

    def compose_new_session_ticket(self, choices: Mapping[str, Any]) -> None:
        if not self.handshake_complete or self.config.tickets is None:
            raise MoveImpossible("tickets are issued after the client's Finished, by a server that keeps them")
        rng = self.rng.child(f"server.ticket.{self.tickets_sent}")
        nonce = self.tickets_sent.to_bytes(8, "big")
        ticket = rng.bytes(32)
        age_add = rng.uint32()
        psk = self.schedule13.resumption_psk(nonce)
        self.config.tickets.issued[ticket] = (psk, self.cipher_suite or 0, self.config.now, age_add)
        self.tickets_sent += 1
        self.send_handshake_post(NewSessionTicket(TICKET_LIFETIME, age_add, nonce, ticket))

    HANDLERS: ClassVar[dict[Any, dict[HandshakeType, Handler]]] = Server12.HANDLERS12 | {
        ServerState.START: {HandshakeType.client_hello: on_client_hello},
        ServerState.WAIT_CH2: {HandshakeType.client_hello: on_client_hello},
        ServerState.WAIT_CERT: {HandshakeType.certificate: on_certificate},
        ServerState.WAIT_CV: {HandshakeType.certificate_verify: on_certificate_verify},
        ServerState.WAIT_FINISHED: {HandshakeType.finished: on_finished},
        ServerState.CONNECTED: {HandshakeType.key_update: Tls13Connection.on_key_update},
    }
    COMPOSERS, COMPOSERS_TLS12 = composer_tables({
        "HelloRetryRequest": compose_hello_retry_request,
        "ServerHello": by_version(compose_server_hello, Server12.compose_server_hello12),
        "ChangeCipherSpec": by_version(compose_change_cipher_spec, Tls12Mixin.compose_change_cipher_spec12),
        "EncryptedExtensions": compose_encrypted_extensions,
        "CertificateRequest": by_version(compose_certificate_request, Server12.compose_certificate_request12),
        "Certificate": by_version(Tls13Connection.compose_certificate, Tls12Mixin.compose_certificate12),
        "CertificateVerify": by_version(Tls13Connection.compose_certificate_verify, Tls12Mixin.compose_certificate_verify12),
        "Finished": by_version(Tls13Connection.compose_finished, Tls12Mixin.compose_finished12),
        "NewSessionTicket": by_version(compose_new_session_ticket, Server12.compose_new_session_ticket12),
        **Server12.COMPOSERS12,
        "KeyUpdate": Tls13Connection.compose_key_update,
        "ApplicationData": TlsConnection.compose_application_data,
        "Alert": TlsConnection.compose_alert,
    })


__all__ = ["ServerState", "TlsServer"]
