"""What the TLS 1.3 client and server do alike: Certificate, CertificateVerify, Finished,
KeyUpdate, and the checks of the peer's versions of them (RFC 8446 §4.4, §4.6.3)."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any


from engine.tls import signatures
from engine.tls.alerts import BadCertificate, DecodeError, DecryptError, IllegalParameter
from engine.tls.certs import CORRUPT_CERTIFICATE, Credential, verify_chain
from engine.tls.connection import Composer, MoveImpossible, TlsConnection
from engine.tls.constants import ContentType, KeyUpdateRequest, SignatureScheme, known
from engine.tls.events import HandshakeComplete
from engine.tls.extensions import ExtensionContext, check_tls13_placement
from engine.tls.keyschedule import KeySchedule
from engine.tls.messages import (
    Certificate,
    CertificateEntry,
    CertificateVerify,
    Finished,
    KeyUpdate,
)

AUTH = "RFC 8446 §4.4"
_CERT_DATA = attrgetter("cert_data")


def _side(is_client: bool) -> str:
    return "client" if is_client else "server"


_HANDSHAKE_SECRET = {True: "client_handshake_traffic_secret", False: "server_handshake_traffic_secret"}  # by is_client


class Tls13Connection(TlsConnection):
    """TLS 1.3 behaviour shared by both roles."""

    request_context: bytes = b""
    peer_signature_schemes: tuple[int, ...] = ()

    @property
    def schedule13(self) -> KeySchedule:
        schedule = self.schedule
        return schedule if type(schedule) is KeySchedule else self._require_schedule()

    # --- our authentication -----------------------------------------------------------

    def credential_for(self, choices: Mapping[str, Any]) -> Credential | None:
        chosen = choices.get("credential")
        return chosen if isinstance(chosen, Credential) else self.config.credential

    def compose_certificate(self, choices: Mapping[str, Any]) -> None:
        credential = self.credential_for(choices)
        self.sent_credential = credential
        entries = tuple(map(CertificateEntry, credential.chain)) if credential else ()
        self.send_handshake(Certificate(self.request_context, entries))

    def compose_certificate_verify(self, choices: Mapping[str, Any]) -> None:
        credential = getattr(self, "sent_credential", None) or self.credential_for(choices)
        if credential is None:
            raise MoveImpossible("there is no private key to sign a CertificateVerify with")
        scheme = self.signature_scheme_for(credential)
        content = signatures.certificate_verify_content(self.transcript_hash(), not self.is_client)
        signature = signatures.sign(scheme, credential.private_key, content, self.rng.child("signature"))
        signature = self.tamper("bad_certificate_verify_signature", signature)
        self.send_handshake(CertificateVerify(scheme, signature))

    def signature_scheme_for(self, credential: Credential) -> int:
        usable = credential.tls13_schemes
        for scheme in self.peer_signature_schemes or usable:  # the first the peer offered that we can make
            if scheme in usable:
                return known(SignatureScheme, scheme)
        return known(SignatureScheme, usable[0])

    def compose_finished(self, choices: Mapping[str, Any]) -> None:
        base = _HANDSHAKE_SECRET[self.is_client]
        schedule = self.schedule13
        if base not in schedule.secrets:
            raise MoveImpossible("there is no handshake traffic secret yet to compute Finished from")
        verify_data = schedule.finished_verify_data(schedule.secrets[base], self.transcript_hash(), base)
        self.send_handshake(Finished(self.tamper("bad_finished", verify_data)))
        self.after_our_finished(schedule)

    def after_our_finished(self, schedule: KeySchedule) -> None:
        """Hook: what follows our Finished, sent with `schedule`."""
        raise NotImplementedError

    # --- the peer's authentication ----------------------------------------------------

    def check_peer_certificate(self, message: Certificate, raw: bytes) -> bool:
        """Verify the peer's chain; False for an empty Certificate (no certificate)."""
        self.transcript.append(raw)
        if message.request_context != self.expected_request_context():
            raise IllegalParameter("certificate_request_context does not match the request", "RFC 8446 §4.4.2")
        for entry in message.entries:
            if entry.extensions:
                check_tls13_placement(entry.extensions, ExtensionContext.CERTIFICATE)
        chain = tuple(map(_CERT_DATA, message.entries))
        if not chain:
            return False
        config = self.config
        if config.verify_peer:
            hostname = config.server_name if self.is_client else None
            try:
                verified = verify_chain(chain, config.trust_anchors, hostname, config.now, client=not self.is_client)
            except CORRUPT_CERTIFICATE as error:  # cryptography parses DER lazily: a corrupt field shows late
                raise BadCertificate(f"a certificate in the chain is corrupt: {error}", "RFC 8446 §6.2") from None
            self.remember_peer_leaf(chain[0], verified.certificates[0], verified.leaf_key)
        self.peer_chain = chain
        return True

    def expected_request_context(self) -> bytes:
        return b""

    def check_peer_certificate_verify(self, message: CertificateVerify, raw: bytes) -> None:
        if message.algorithm not in self.config.signature_schemes:
            raise IllegalParameter(
                f"CertificateVerify uses {message.algorithm:#06x}, which was never offered", "RFC 8446 §4.4.3"
            )
        content = signatures.certificate_verify_content(self.transcript_hash(), self.is_client)
        signatures.verify(message.algorithm, self.peer_public_key(), content, message.signature, tls13=True)
        self.transcript.append(raw)

    def check_peer_finished(self, message: Finished, raw: bytes) -> KeySchedule:
        """Check the peer's Finished; returns the key schedule it was checked with, which the
        handshake goes on from."""
        schedule = self.schedule13
        base = _HANDSHAKE_SECRET[not self.is_client]
        expected = schedule.finished_verify_data(schedule.secrets[base], self.transcript_hash(), base)
        if len(message.verify_data) != len(expected):
            raise DecodeError(
                f"Finished carries {len(message.verify_data)} bytes, expected {len(expected)}", "RFC 8446 §4.4.4"
            )
        if not self.macs_equal(message.verify_data, expected):
            raise DecryptError(
                f"the {_side(not self.is_client)}'s Finished does not match the transcript: "
                "the handshake was altered, or the keys differ",
                "RFC 8446 §4.4.4",
            )
        self.transcript.append(raw)
        return schedule

    def complete(self) -> None:
        self._set_state(self.CONNECTED)
        leaf = self.peer_leaf() if self.peer_chain else None
        self._events.append(HandshakeComplete(0x0304, self.cipher_suite or 0, self.group, self.alpn, self.resumed, leaf))

    # --- KeyUpdate (RFC 8446 §4.6.3) -------------------------------------------------

    def compose_key_update(self, choices: Mapping[str, Any]) -> None:
        if not self.handshake_complete:
            raise MoveImpossible("KeyUpdate is only for after the handshake")
        request = bool(choices.get("request_update", False))
        self.send_handshake_post(KeyUpdate(KeyUpdateRequest.update_requested if request else KeyUpdateRequest.update_not_requested))
        self.install_next_write_key()

    def on_key_update(self, message: KeyUpdate, raw: bytes) -> None:
        if message.request_update not in (0, 1):
            raise IllegalParameter("request_update must be 0 or 1", "RFC 8446 §4.6.3")
        name = self.reader.protected_by or ""
        secret = self.schedule13.next_application_secret(self.schedule13.secrets[name])
        self.reader.set_key(self.schedule13.traffic_keys(secret), self.schedule13.name_of(secret))
        if message.request_update == 1:
            self.pending.append("KeyUpdate")

    def install_next_write_key(self) -> None:
        name = self.writer.protected_by or ""
        secret = self.schedule13.next_application_secret(self.schedule13.secrets[name])
        self.writer.set_key(self.schedule13.traffic_keys(secret), self.schedule13.name_of(secret))

    def send_handshake_post(self, message: Any) -> None:
        """A post-handshake message: not part of the handshake transcript."""
        self._write(ContentType.handshake, message.encode(), message)


def by_version(tls13: Composer, tls12: Composer) -> tuple[Composer, Composer]:
    """A message both versions send: its TLS 1.3 composer and its TLS 1.2 one."""
    return tls13, tls12


def composer_tables(composers: Mapping[str, Composer | tuple[Composer, Composer]],
                    ) -> tuple[dict[str, Composer], dict[str, Composer]]:
    """The composers of a TLS 1.3 connection and of one that has settled on TLS 1.2 (see
    `Tls12Mixin.speak_tls12`), from one table whose `by_version` entries name both: each
    message is composed straight by its version's composer, with no choice per message."""
    tls13 = {name: c if callable(c) else c[0] for name, c in composers.items()}
    tls12 = {name: c if callable(c) else c[1] for name, c in composers.items()}
    return tls13, tls12
