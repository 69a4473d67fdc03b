"""The TLS 1.3 client (RFC 8446), as a table of states and the messages each accepts.

    START ──ClientHello──▶ WAIT_SH ──ServerHello──▶ WAIT_EE ──EncryptedExtensions──▶
    WAIT_CERT_CR ──CertificateRequest──▶ WAIT_CERT ──Certificate──▶ WAIT_CV
    ──CertificateVerify──▶ WAIT_FINISHED ──Finished──▶ (our flight) ──▶ CONNECTED

A HelloRetryRequest in WAIT_SH sends the client back to START to send a second
ClientHello; a resumed handshake skips the certificates (WAIT_EE → WAIT_FINISHED).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from engine.tls import alpn, groups
from engine.tls.alerts import (
    DecodeError,
    HandshakeFailure,
    IllegalParameter,
    MissingExtension,
    ProtocolVersion as ProtocolVersionAlert,
    UnexpectedMessage,
    UnsupportedExtension,
)
from engine.tls.config import SessionTicket
from engine.tls.connection import Handler, TlsConnection
from engine.tls.constants import (
    HELLO_RETRY_REQUEST_RANDOM,
    ExtensionType,
    HandshakeType,
    IdentityEnum,
    ProtocolVersion,
    PskKeyExchangeMode,
    known,
    name,
)
from engine.tls.extension_base import extension_type_of
from engine.tls.extensions import (
    Cookie,
    ExtensionContext,
    KeyShareHelloRetryRequest,
    PreSharedKeyServerHello,
    PskKeyExchangeModes,
    SignatureAlgorithms,
    SupportedGroups,
    SupportedVersionsClientHello,
    SupportedVersionsServerHello,
    check_tls13_placement,
)
from engine.tls.extensions_nested import (
    Alpn,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareServerHello,
    PreSharedKeyClientHello,
    PskIdentity,
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
from engine.tls.suites import suite_info
from engine.tls.client12 import Client12
from engine.tls.tls12 import Tls12Mixin
from engine.tls.tls13 import Tls13Connection, by_version, composer_tables

HELLO = "RFC 8446 §4.1.3"
_TLS1_2, _TLS1_3 = ProtocolVersion.TLS1_2, ProtocolVersion.TLS1_3  # (read off the enum class: a slow path)
_PSK_DHE_KE_ONLY = PskKeyExchangeModes((PskKeyExchangeMode.psk_dhe_ke,))  # (an extension is immutable: one for all)


class ClientState(IdentityEnum):
    START = "START"
    WAIT_SH = "WAIT_SH"
    WAIT_EE = "WAIT_EE"
    WAIT_CERT_CR = "WAIT_CERT_CR"
    WAIT_CERT = "WAIT_CERT"
    WAIT_CV = "WAIT_CV"
    WAIT_FINISHED = "WAIT_FINISHED"
    CONNECTED = "CONNECTED"
    CLOSED = "CLOSED"


# What a handshake reads on its way, read off the enum classes once: in Python 3.11 a
# member read through its class costs about as much as a call.
_START, _WAIT_SH, _WAIT_EE, _WAIT_CERT_CR, _WAIT_CERT, _WAIT_CV, _WAIT_FINISHED = (
    ClientState.START, ClientState.WAIT_SH, ClientState.WAIT_EE, ClientState.WAIT_CERT_CR,
    ClientState.WAIT_CERT, ClientState.WAIT_CV, ClientState.WAIT_FINISHED)
_IN_SERVER_HELLO, _IN_ENCRYPTED_EXTENSIONS = ExtensionContext.SERVER_HELLO, ExtensionContext.ENCRYPTED_EXTENSIONS


class TlsClient(Client12, Tls13Connection):
    is_client: ClassVar[bool] = True
    State = ClientState
    CONNECTED = ClientState.CONNECTED
    CLOSED = ClientState.CLOSED

    def __init__(self, config: Any, *, autoflush: bool = True) -> None:
        super().__init__(config, autoflush=autoflush)
        self.state = _START
        self.client_random = b""
        self.session_id = b""
        self.shares: dict[int, groups.PrivateShare] = {}
        self.offered_suites: tuple[int, ...] = ()
        self.hello_retry: ServerHello | None = None
        self.certificate_requested = False
        self.sent_ccs = False
        self.received_tickets: list[SessionTicket] = []
        self.received_tickets12: list[Any] = []
        self.offered_extensions: frozenset[int] = frozenset()  # the types our ClientHello carried
        self.client_hello_session_id = b""
        self.pending = ["ClientHello"]

    def start(self) -> Any:
        """Send the ClientHello (when the engine, not a player, plays this client)."""
        return self.flush()

    # --- ClientHello -------------------------------------------------------------------

    def compose_client_hello(self, choices: Mapping[str, Any]) -> None:
        config = self.config
        retry = self.hello_retry
        suites12, extensions12 = self.tls12_offer()
        offers13 = _TLS1_3 in config.versions
        if retry is None:
            self.client_random = self.rng.draw("client.random", 32)
            compat = self.rng.draw("client.session_id", 32) if config.middlebox_compat and offers13 else b""
            self.session_id = self.tls12_session_id() or compat
            self.client_hello_session_id = self.session_id
            suites13 = tuple(choices.get("cipher_suites", config.cipher_suites)) if offers13 else ()
            self.offered_suites = suites13 + suites12
            share_groups = tuple(choices.get("key_share_groups", config.key_share_groups))
        else:
            wanted = retry.get(KeyShareHelloRetryRequest)
            # A retry that names no group (only a cookie) keeps the very same shares (§4.1.2).
            share_groups = (wanted.selected_group,) if wanted else ()
        attempt = "2" if retry else "1"
        share_groups = share_groups if offers13 else ()
        if retry is None or share_groups:
            self.shares = {g: groups.generate(g, self.rng.child(f"client.share.{g}.{attempt}")) for g in share_groups}
        extensions: list[Any] = []
        if config.server_name:
            extensions.append(ServerName(config.server_name))
        groups_offered = tuple(choices.get("groups", config.groups))
        if offers13:
            extensions.append(SupportedVersionsClientHello(tuple(config.versions)))
        extensions += [SupportedGroups(groups_offered), SignatureAlgorithms(self.signature_schemes12())]
        if offers13:
            extensions += [
                KeyShareClientHello(tuple([KeyShareEntry(g, s.public_bytes()) for g, s in self.shares.items()])),
                _PSK_DHE_KE_ONLY,
            ]
        extensions += extensions12
        if config.alpn:
            extensions.append(Alpn(tuple(p.encode() for p in config.alpn)))
        cookie = retry.get(Cookie) if retry else None
        if cookie is not None:
            extensions.append(cookie)
        hello = ClientHello(self.client_random, self.session_id, self.offered_suites, extensions=tuple(extensions))
        if config.resume is not None:
            hello = self._with_psk(hello, config.resume)
        self.offered_extensions = frozenset(map(int, map(extension_type_of, hello.extensions)))
        self.send_handshake(hello)
        self._set_state(_WAIT_SH)

    def _with_psk(self, hello: ClientHello, ticket: SessionTicket) -> ClientHello:
        """Add pre_shared_key (last) with a binder over the hello up to the binders."""
        age_ms = int((self.config.now - ticket.received_at).total_seconds() * 1000)
        identity = PskIdentity(ticket.ticket, (age_ms + ticket.age_add) % 2**32)
        length = suite_info(ticket.cipher_suite).hash_length
        draft = ClientHello(
            hello.random, hello.legacy_session_id, hello.cipher_suites,
            extensions=hello.extensions + (PreSharedKeyClientHello((identity,), (bytes(length),)),),
        )
        schedule = self._psk_schedule(ticket)
        partial = self.transcript + [draft.encode_truncated()]
        binder_key = schedule.binder_key("resumption")
        binder = schedule.finished_verify_data(
            binder_key, self.transcript_hash(partial), "binder_key", "ClientHello (truncated)"
        )
        return ClientHello(
            hello.random, hello.legacy_session_id, hello.cipher_suites,
            extensions=hello.extensions + (PreSharedKeyClientHello((identity,), (binder,)),),
        )

    def _psk_schedule(self, ticket: SessionTicket) -> KeySchedule:
        if not isinstance(self.schedule, KeySchedule):
            self.schedule = KeySchedule(ticket.cipher_suite)
        if "early_secret" not in self.schedule.secrets:
            self.schedule.early(ticket.psk)
        return self.schedule

    # --- ServerHello and HelloRetryRequest ---------------------------------------------

    def on_server_hello(self, message: ServerHello, raw: bytes) -> None:
        version = self._check_version(message)
        if version == _TLS1_2 and message.random != HELLO_RETRY_REQUEST_RANDOM:
            self.on_server_hello12(message, raw)
            return
        self._check_hello_basics(message, version)
        if message.random == HELLO_RETRY_REQUEST_RANDOM:
            self._check_extensions(message, ExtensionContext.HELLO_RETRY_REQUEST)
            self._on_hello_retry_request(message, raw)
            return
        self._check_extensions(message, _IN_SERVER_HELLO)
        if self.hello_retry is not None and message.cipher_suite != self.hello_retry.cipher_suite:
            raise IllegalParameter("ServerHello's cipher suite differs from the HelloRetryRequest's", HELLO)
        share = message.get(KeyShareServerHello)
        if share is None:
            raise MissingExtension("ServerHello has no key_share, and we offered only psk_dhe_ke", "RFC 8446 §4.2.8")
        private = self.shares.get(share.server_share.group)
        if private is None:
            raise IllegalParameter(
                f"the server's key share is for group {share.server_share.group:#06x}, for which we sent no share",
                "RFC 8446 §4.2.8",
            )
        shared_secret = private.exchange(share.server_share.key_exchange)
        self.cipher_suite, self.group = int(message.cipher_suite), int(share.server_share.group)
        schedule = self._start_schedule(message)
        self.transcript.append(raw)
        schedule.handshake(shared_secret, self.transcript_hash())
        self.install_read_key("server_handshake_traffic_secret")
        # From here on whatever the client sends (its second flight, or an alert if the
        # server's flight is bad) is under its handshake key; only the CCS stays clear.
        self.install_write_key("client_handshake_traffic_secret")
        self._set_state(_WAIT_EE)

    def _check_version(self, message: ServerHello) -> int:
        """The version the ServerHello picks (its `selected_version`), checked before anything
        else in it."""
        offered = self.config.versions
        selected = message.get(SupportedVersionsServerHello)
        if selected is not None and (
            selected.selected_version < _TLS1_3 or selected.selected_version not in offered
        ):
            raise IllegalParameter(
                f"supported_versions selects {name(selected.selected_version)}: it may only select a version "
                "we offered, TLS 1.3 or later", "RFC 8446 §4.2.1")
        version = message.selected_version
        if version < _TLS1_3 and _TLS1_3 in offered and message.downgrade_sentinel:
            raise IllegalParameter(
                f"the server answers with {name(version)}, but its random ends with the sentinel of a TLS 1.3 "
                f"server forced down to {name(message.downgrade_sentinel)}: someone is tampering", HELLO)
        if version not in offered:
            raise ProtocolVersionAlert(f"the server chose {name(version)}, which we did not offer", "RFC 8446 §D.1")
        return version

    def _check_extensions(self, message: Any, context: ExtensionContext) -> None:
        """RFC 8446 §4.2: an extension the message may not carry is illegal_parameter; an
        answer to an extension our ClientHello never sent is unsupported_extension (a
        HelloRetryRequest's cookie excepted)."""
        check_tls13_placement(message.extensions, context)
        if self.offered_extensions.issuperset(map(int, map(extension_type_of, message.extensions))):
            return  # (the usual case, found in C; the loop below names the first one that is not)
        for extension in message.extensions:
            kind = int(extension.extension_type)
            if kind not in self.offered_extensions and not (
                context is ExtensionContext.HELLO_RETRY_REQUEST and kind == ExtensionType.cookie
            ):
                raise UnsupportedExtension(
                    f"the server's {context.value} carries {name(known(ExtensionType, kind))}, which our "
                    "ClientHello never asked for", "RFC 8446 §4.2")

    def _check_hello_basics(self, message: ServerHello, version: int) -> None:
        if version != _TLS1_3:
            if version in self.config.versions:
                raise HandshakeFailure("TLS 1.2 with this client is for a later chapter", HELLO)
            raise ProtocolVersionAlert(f"the server chose version {version:#06x}, which we did not offer", HELLO)
        if message.legacy_session_id_echo != self.session_id:
            raise IllegalParameter("legacy_session_id_echo does not echo our session id", HELLO)
        if message.cipher_suite not in self.offered_suites:
            raise IllegalParameter(f"the server chose suite {int(message.cipher_suite):#06x}, which we did not offer", HELLO)
        if message.legacy_compression_method != 0:
            raise IllegalParameter("legacy_compression_method must be 0", HELLO)

    def _start_schedule(self, message: ServerHello) -> KeySchedule:
        """The key schedule for the chosen suite, from the PSK if the server took it."""
        suite = int(message.cipher_suite)
        psk = message.get(PreSharedKeyServerHello)
        resume = self.config.resume
        if psk is not None:
            if resume is None or psk.selected_identity != 0:
                raise IllegalParameter("the server selected a PSK identity we did not offer", "RFC 8446 §4.2.11")
            if suite_info(suite).hash is not suite_info(resume.cipher_suite).hash:
                raise IllegalParameter("the resumed suite's hash differs from the ticket's", "RFC 8446 §4.2.11")
            self.resumed = True
        schedule = self.schedule
        if not (isinstance(schedule, KeySchedule) and schedule.suite.code == suite and (
            self.resumed or "early_secret" not in schedule.secrets
        )):
            schedule = self.schedule = KeySchedule(suite)
            self._events_seen = 0
        if "early_secret" not in schedule.secrets:
            schedule.early(resume.psk if self.resumed and resume else None)
        return schedule

    def _on_hello_retry_request(self, message: ServerHello, raw: bytes) -> None:
        if self.hello_retry is not None:
            raise UnexpectedMessage("a second HelloRetryRequest", HELLO)
        wanted = message.get(KeyShareHelloRetryRequest)
        if wanted is None and message.get(Cookie) is None:
            raise IllegalParameter("a HelloRetryRequest that changes nothing", "RFC 8446 §4.1.4")
        if wanted is not None and (wanted.selected_group not in self.config.groups or wanted.selected_group in self.shares):
            raise IllegalParameter(
                f"HelloRetryRequest asks for group {wanted.selected_group:#06x}, which is not one we support "
                "or is one we already sent a share for",
                "RFC 8446 §4.1.4",
            )
        self.hello_retry = message
        self.cipher_suite = int(message.cipher_suite)
        self.schedule = KeySchedule(self.cipher_suite)
        self._events_seen = 0
        first = self.transcript[0]
        self.transcript = [MessageHash(self.transcript_hash([first])).encode(), raw]
        if self.config.middlebox_compat and not self.sent_ccs:
            self.pending.append("ChangeCipherSpec")
        self.pending.append("ClientHello")
        self._set_state(_START)

    # --- the server's encrypted flight -------------------------------------------------

    def on_encrypted_extensions(self, message: EncryptedExtensions, raw: bytes) -> None:
        self._check_extensions(message, _IN_ENCRYPTED_EXTENSIONS)
        self.alpn = alpn.accept(message, self.config.alpn)
        self.transcript.append(raw)
        self._set_state(_WAIT_FINISHED if self.resumed else _WAIT_CERT_CR)

    def on_certificate_request(self, message: CertificateRequest, raw: bytes) -> None:
        check_tls13_placement(message.extensions, ExtensionContext.CERTIFICATE_REQUEST)
        algorithms = message.get(SignatureAlgorithms)
        if algorithms is None:
            raise MissingExtension("CertificateRequest without signature_algorithms", "RFC 8446 §4.3.2")
        self.peer_signature_schemes = tuple(algorithms.schemes)
        self.request_context = message.request_context
        self.certificate_requested = True
        self.transcript.append(raw)
        self._set_state(_WAIT_CERT)

    def on_certificate(self, message: Certificate, raw: bytes) -> None:
        if not self.check_peer_certificate(message, raw):
            raise DecodeError("the server sent an empty Certificate", "RFC 8446 §4.4.2.4")
        self._set_state(_WAIT_CV)

    def on_certificate_verify(self, message: CertificateVerify, raw: bytes) -> None:
        self.check_peer_certificate_verify(message, raw)
        self._set_state(_WAIT_FINISHED)

    def on_finished(self, message: Finished, raw: bytes) -> None:
        schedule = self.check_peer_finished(message, raw)
        schedule.master(self.transcript_hash())
        self.install_read_key("server_application_traffic_secret_0")
        if self.config.middlebox_compat and not self.sent_ccs:
            self.pending.append("ChangeCipherSpec")
        if self.certificate_requested:
            self.pending.append("Certificate")
            if self.config.credential is not None:
                self.pending.append("CertificateVerify")
        self.pending.append("Finished")

    def expected_request_context(self) -> bytes:
        return b""

    # --- our second flight -------------------------------------------------------------

    def compose_change_cipher_spec(self, choices: Mapping[str, Any]) -> None:
        self.sent_ccs = True
        self.send_change_cipher_spec()

    def after_our_finished(self, schedule: KeySchedule) -> None:
        if "client_application_traffic_secret_0" not in schedule.secrets:
            # Sent before the server's Finished was accepted (a player's wrong move): there
            # are no application keys to switch to; the server judges what it got.
            return
        self.install_write_key("client_application_traffic_secret_0")
        schedule.resumption(self.transcript_hash())
        self.complete()

    # --- after the handshake -----------------------------------------------------------

    def on_new_session_ticket(self, message: NewSessionTicket, raw: bytes) -> None:
        psk = self.schedule13.resumption_psk(message.nonce)
        self.received_tickets.append(
            SessionTicket(
                message.ticket, psk, self.cipher_suite or 0, message.age_add, message.lifetime,
                self.config.now, self.config.server_name,
            )
        )

    HANDLERS: ClassVar[dict[Any, dict[HandshakeType, Handler]]] = Client12.HANDLERS12 | {
        ClientState.WAIT_SH: {HandshakeType.server_hello: on_server_hello},
        ClientState.WAIT_EE: {HandshakeType.encrypted_extensions: on_encrypted_extensions},
        ClientState.WAIT_CERT_CR: {
            HandshakeType.certificate_request: on_certificate_request,
            HandshakeType.certificate: on_certificate,
        },
        ClientState.WAIT_CERT: {HandshakeType.certificate: on_certificate},
        ClientState.WAIT_CV: {HandshakeType.certificate_verify: on_certificate_verify},
        ClientState.WAIT_FINISHED: {HandshakeType.finished: on_finished},
        ClientState.CONNECTED: {
            HandshakeType.new_session_ticket: on_new_session_ticket,
            HandshakeType.key_update: Tls13Connection.on_key_update,
        },
    }
    COMPOSERS, COMPOSERS_TLS12 = composer_tables({
        "ClientHello": compose_client_hello,
        "ChangeCipherSpec": by_version(compose_change_cipher_spec, Tls12Mixin.compose_change_cipher_spec12),
        "Certificate": by_version(Tls13Connection.compose_certificate, Tls12Mixin.compose_certificate12),
        "CertificateVerify": by_version(Tls13Connection.compose_certificate_verify, Tls12Mixin.compose_certificate_verify12),
        "Finished": by_version(Tls13Connection.compose_finished, Tls12Mixin.compose_finished12),
        **Client12.COMPOSERS12,
        "KeyUpdate": Tls13Connection.compose_key_update,
        "ApplicationData": TlsConnection.compose_application_data,
        "Alert": TlsConnection.compose_alert,
    })


__all__ = ["ClientState", "TlsClient"]
