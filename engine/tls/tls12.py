"""What the TLS 1.2 client and server do alike (RFC 5246): the key exchange's arithmetic,
ChangeCipherSpec, Finished, and the keys each of them switches on.

In TLS 1.2 each side switches its write key when it sends ChangeCipherSpec and its read
key when it receives the peer's; Finished is the first message under the new keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from engine.rng import SeededRandom
from engine.tls import groups, signatures
from engine.tls.alerts import (
    BadCertificate,
    DecodeError,
    DecryptError,
    HandshakeFailure,
    IllegalParameter,
    UnexpectedMessage,
)
from engine.tls.certs import CORRUPT_CERTIFICATE, Credential, verify_chain
from engine.tls.connection import Composer, MoveImpossible, TlsConnection
from engine.tls.constants import ECPointFormat, NamedGroup, ProtocolVersion, SignatureScheme, known
from engine.tls.events import HandshakeComplete
from engine.tls.message_base import DecodeContext
from engine.tls.modexp import mod_exp
from engine.tls.extensions import EcPointFormats, ExtendedMasterSecret, RenegotiationInfo, SessionTicket
from engine.tls.messages import Certificate12, CertificateVerify, ClientHello, Finished, ServerHello
from engine.tls.prf import KeyBlock, Tls12KeySchedule
from engine.tls.suites import KeyExchange, suite_info

FINISHED = "RFC 5246 §7.4.9"
_TLS1_2 = ProtocolVersion.TLS1_2  # (read off the enum class: a slow path)
CCS = "RFC 5246 §7.1"
RSA_KEY_EXCHANGE = "RFC 5246 §7.4.7.1"
# Which certificate keys each key exchange accepts (RFC 5246 §7.4.2; RFC 8422 §2 and §5.3:
# an ECDHE_ECDSA server's key is ECDSA- or EdDSA-capable).
KEY_FOR: dict[KeyExchange | None, tuple[str, ...]] = {
    KeyExchange.RSA: ("rsa",),
    KeyExchange.DHE_RSA: ("rsa",),
    KeyExchange.ECDHE_RSA: ("rsa",),
    KeyExchange.ECDHE_ECDSA: ("ecdsa", "ed25519"),
}


def key_fits(key_exchange: KeyExchange | None, kind: str | None) -> bool:
    """Can a certificate holding a `kind` key serve this key exchange?"""
    return kind in KEY_FOR.get(key_exchange, ())


def needed_key(key_exchange: KeyExchange | None) -> str:
    """What the key exchange needs, for a message: e.g. "ECDSA or ED25519"."""
    return " or ".join(kind.upper() for kind in KEY_FOR.get(key_exchange, ()))


# Extensions both roles' hellos carry the same way every time (immutable, so made once).
UNCOMPRESSED_ONLY = EcPointFormats((ECPointFormat.uncompressed,))
INITIAL_RENEGOTIATION = RenegotiationInfo(b"")  # empty in an initial handshake (RFC 5746 §3.4, §3.5)
EXTENDED_MASTER_SECRET = ExtendedMasterSecret()
EMPTY_SESSION_TICKET = SessionTicket(b"")  # a client's "I take tickets", a server's "one will come" (RFC 5077 §3.2)
KEY_KINDS = ((rsa.RSAPublicKey, "rsa"), (ec.EllipticCurvePublicKey, "ecdsa"), (ed25519.Ed25519PublicKey, "ed25519"))


@cache
def _decode_context12(suite: int) -> DecodeContext:
    """How TLS 1.2 messages under `suite` are read (immutable, so made once per suite)."""
    return DecodeContext(_TLS1_2, suite_info(suite).key_exchange)


class Tls12Mixin(TlsConnection):
    """TLS 1.2 behaviour shared by both roles; mixed into TlsClient and TlsServer."""

    client_random: bytes = b""
    server_random: bytes = b""
    key_block12: KeyBlock | None = None
    use_ems: bool = False
    session_id12: bytes = b""
    abbreviated: bool = False
    sent_ccs12: bool = False
    received_ccs12: bool = False
    certificate_requested12: bool = False
    peer_schemes12: tuple[int, ...] = ()
    COMPOSERS_TLS12: ClassVar[dict[str, Composer]]  # COMPOSERS once TLS 1.2 is spoken (tls13.composer_tables)

    def speak_tls12(self) -> None:
        """From here on this connection speaks TLS 1.2: its version, and the composers that
        send each message's TLS 1.2 form (the instance's table shadows the class's)."""
        self.version = _TLS1_2
        self.COMPOSERS = self.COMPOSERS_TLS12  # type: ignore[misc]

    @property
    def schedule12(self) -> Tls12KeySchedule:
        if not isinstance(self.schedule, Tls12KeySchedule):
            raise MoveImpossible("no TLS 1.2 cipher suite has been agreed yet")
        return self.schedule

    @property
    def key_exchange(self) -> KeyExchange:
        kex = suite_info(self.cipher_suite or 0).key_exchange
        assert kex is not None
        return kex

    def begin12(self, suite: int) -> None:
        """Switch this connection to TLS 1.2 with `suite`."""
        self.speak_tls12()
        self.cipher_suite = suite
        self.schedule = Tls12KeySchedule(suite)
        self._events_seen = 0
        self.decode_context = _decode_context12(suite)

    # --- keys ---------------------------------------------------------------------

    def derive_master12(self, pre_master: bytes, how: str) -> None:
        schedule = self.schedule
        if type(schedule) is not Tls12KeySchedule:  # (the common case without the property's call)
            schedule = self.schedule12
        schedule.pre_master(pre_master, how)
        session_hash = self.transcript_hash() if self.use_ems else None
        schedule.master(self.client_random, self.server_random, session_hash)
        self.key_block12 = schedule.key_block(self.server_random, self.client_random)

    def resume_master12(self, master: bytes) -> None:
        schedule = self.schedule12
        schedule._record("master_secret", master, ("earlier session",), "the master secret of the session resumed",
                         "RFC 5246 §7.3")
        self.key_block12 = schedule.key_block(self.server_random, self.client_random)

    def _keys_for(self, side_is_client: bool) -> tuple[Any, str]:
        block = self.key_block12
        if block is None:
            raise MoveImpossible("there is no key block yet: the key exchange is not done")
        return (block.client_keys(), "client_write_key") if side_is_client else (block.server_keys(), "server_write_key")

    # --- ChangeCipherSpec and Finished -----------------------------------------------

    def compose_change_cipher_spec12(self, choices: Mapping[str, Any]) -> None:
        keys, name = self._keys_for(self.is_client)
        self.send_change_cipher_spec()
        self.writer.set_key(keys, name)
        self.sent_ccs12 = True

    def on_change_cipher_spec(self) -> None:
        if self.version != _TLS1_2:
            super().on_change_cipher_spec()
            return
        if not self.ccs_expected12():
            raise UnexpectedMessage(f"ChangeCipherSpec arrived in {self.state.value}, before it was due", CCS)
        keys, name = self._keys_for(not self.is_client)
        self.reader.set_key(keys, name)
        self.received_ccs12 = True
        self.after_peer_ccs12()

    def ccs_expected12(self) -> bool:
        raise NotImplementedError

    def after_peer_ccs12(self) -> None:
        raise NotImplementedError

    def compose_finished12(self, choices: Mapping[str, Any]) -> None:
        if not self.sent_ccs12:
            raise MoveImpossible("Finished goes under the new keys: send ChangeCipherSpec first")
        label = b"client finished" if self.is_client else b"server finished"
        schedule = self.schedule
        if type(schedule) is not Tls12KeySchedule:
            schedule = self.schedule12
        verify_data = schedule.verify_data(label, self.transcript_hash())
        self.send_handshake(Finished(self.tamper("bad_finished", verify_data)))
        self.after_our_finished12()

    def after_our_finished12(self) -> None:
        raise NotImplementedError

    def check_finished12(self, message: Finished, raw: bytes) -> None:
        label = b"server finished" if self.is_client else b"client finished"
        schedule = self.schedule
        if type(schedule) is not Tls12KeySchedule:
            schedule = self.schedule12
        expected = schedule.verify_data(label, self.transcript_hash())
        if len(message.verify_data) != len(expected):
            raise DecodeError(f"Finished carries {len(message.verify_data)} bytes, expected 12", FINISHED)
        if not self.macs_equal(message.verify_data, expected):
            raise DecryptError("the peer's Finished does not match: the handshake was altered, or the keys differ", FINISHED)
        self.transcript.append(raw)

    def complete12(self) -> None:
        self._set_state(self.CONNECTED)
        leaf = self.peer_leaf() if self.peer_chain else None
        self._events.append(HandshakeComplete(_TLS1_2, self.cipher_suite or 0, self.group, self.alpn,
                                              self.abbreviated, leaf))

    # --- certificates and signatures -----------------------------------------------------

    def compose_certificate12(self, choices: Mapping[str, Any]) -> None:
        chosen = choices.get("credential")
        credential: Credential | None = chosen if isinstance(chosen, Credential) else self.config.credential
        self.sent_credential12 = credential
        self.send_handshake(Certificate12(credential.chain if credential else ()))

    def check_certificate12(self, message: Certificate12, raw: bytes) -> bool:
        self.transcript.append(raw)
        if not message.chain:
            return False
        leaf_der = message.chain[0]
        try:
            if self.config.verify_peer:
                hostname = self.config.server_name if self.is_client else None
                verified = verify_chain(message.chain, self.config.trust_anchors, hostname, self.config.now,
                                        client=not self.is_client)
                leaf, key = verified.certificates[0], verified.leaf_key
            else:
                leaf = x509.load_der_x509_certificate(leaf_der)
                key = leaf.public_key()  # what the key exchange will use
        except CORRUPT_CERTIFICATE as error:  # DER is parsed lazily: a corrupt field shows late
            raise BadCertificate(f"a certificate in the chain is corrupt: {error}", "RFC 5246 §7.4.2") from None
        self.remember_peer_leaf(leaf_der, leaf, key)
        self.peer_chain = tuple(message.chain)
        return True

    def check_key_fits12(self) -> None:
        """The server's certificate key must be the one the suite's key exchange uses
        (RFC 5246 §7.4.2); OpenSSL and BoringSSL say illegal_parameter."""
        key = self.peer_public_key()
        kind = next((name for cls, name in KEY_KINDS if signatures.key_isinstance(key, cls)), type(key).__name__)
        if not key_fits(self.key_exchange, kind):
            raise IllegalParameter(f"{suite_info(self.cipher_suite or 0).name} needs an {needed_key(self.key_exchange)} certificate, "
                                   f"and the server's holds an {kind.upper()} key", "RFC 5246 §7.4.2")

    @staticmethod
    def check_initial_renegotiation(message: ClientHello | ServerHello, section: str) -> None:
        """renegotiation_info, if present, is empty in a first handshake (RFC 5746 §3.4, §3.6)."""
        renegotiation = message.get(RenegotiationInfo)
        if renegotiation is not None and renegotiation.renegotiated_connection:
            raise HandshakeFailure("renegotiation_info must be empty in an initial handshake: there is no "
                                   "earlier connection whose Finished it could carry", section)

    def scheme12_for(self, credential: Credential, offered: tuple[int, ...]) -> int:
        usable = credential.tls12_schemes
        pick = next((s for s in offered if s in usable), usable[0]) if offered else usable[0]
        return known(SignatureScheme, pick)

    def compose_certificate_verify12(self, choices: Mapping[str, Any]) -> None:
        credential = getattr(self, "sent_credential12", None) or self.config.credential
        if credential is None:
            raise MoveImpossible("there is no private key to sign a CertificateVerify with")
        scheme = self.scheme12_for(credential, self.peer_schemes12)
        data = b"".join(self.transcript)
        signature = signatures.sign(scheme, credential.private_key, data, self.rng.child("signature12"))
        signature = self.tamper("bad_certificate_verify_signature", signature)
        self.send_handshake(CertificateVerify(scheme, signature))

    def check_certificate_verify12(self, message: CertificateVerify, raw: bytes) -> None:
        if message.algorithm not in self.config.signature_schemes and message.algorithm not in PKCS1:
            raise IllegalParameter(f"CertificateVerify uses {message.algorithm:#06x}, which was never offered", "RFC 5246 §7.4.8")
        data = b"".join(self.transcript)
        signatures.verify(message.algorithm, self.peer_public_key(), data, message.signature, tls13=False)
        self.transcript.append(raw)

    # --- key exchange arithmetic ---------------------------------------------------------

    def rsa_encrypt_pre_master(self) -> tuple[bytes, bytes]:
        """The client's RSA pre-master secret: version 0x0303 and 46 random bytes, under
        PKCS #1 v1.5 padding drawn from the game's seed (OpenSSL's would not replay)."""
        key = self.peer_public_key()
        if not signatures.key_isinstance(key, rsa.RSAPublicKey):
            raise IllegalParameter("RSA key exchange needs the server's certificate to hold an RSA key", RSA_KEY_EXCHANGE)
        rng = self.rng.child("client.pre_master")
        pre_master = bytes([3, 3]) + rng.bytes(46)
        return pre_master, rsaes_pkcs1_v15_encrypt(key, pre_master, rng)

    def rsa_decrypt_pre_master(self, encrypted: bytes, client_version: int) -> bytes:
        """RFC 5246 §7.4.7.1, step for step: draw R; decrypt to M; if M is not 48 bytes under
        good padding, the pre-master secret is client_version || R, else client_version ||
        M[2..47]. No alert, and no test of M's version to branch on: a bad ciphertext and a
        wrong version both carry on, and the handshake fails at Finished. (OpenSSL 3.2+
        answers bad padding with a synthetic M, RFC 8017 implicit rejection, not an error.)"""
        random = self.rng.draw("server.fallback_pre_master", 46)
        key = self.config.credential.private_key if self.config.credential else None
        try:
            message = key.decrypt(encrypted, padding.PKCS1v15()) if signatures.key_isinstance(key, rsa.RSAPrivateKey) else b""
        except ValueError:  # a ciphertext that is not the size of the modulus
            message = b""
        return client_version.to_bytes(2, "big") + (message[2:] if len(message) == 48 else random)

    def new_share(self, group: int, who: str) -> groups.PrivateShare:
        named = FFDHE_GROUPS.get(group)
        if named is not None:
            return groups.generate_ffdhe(named, self.rng.child(f"{who}.dhe"))
        return groups.generate(group, self.rng.child(f"{who}.share12.{group}"))


def rsaes_pkcs1_v15_encrypt(key: rsa.RSAPublicKey, message: bytes, rng: SeededRandom) -> bytes:
    """RSAES-PKCS1-v1_5-ENCRYPT (RFC 8017 §7.2.1): 00 02 || PS (nonzero, from `rng`) || 00 || M, then
    RSAEP, c = m^e mod n (§5.1.1), by `mod_exp`: cryptography encrypts only with padding of
    its own drawing, and the padding must come from the seed."""
    numbers = key.public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    # Each byte is rng.randint(1, 255): a stream byte b < 255 gives b + 1, and 255 is drawn again.
    need = size - len(message) - 3
    parts = []
    while need > 0:
        kept = rng.bytes(need).translate(_PLUS_ONE, b"\xff")
        parts.append(kept)
        need -= len(kept)
    padding_string = b"".join(parts)
    encoded = int.from_bytes(b"\x00\x02" + padding_string + b"\x00" + message, "big")
    return mod_exp(encoded, numbers.e, numbers.n).to_bytes(size, "big")


_PLUS_ONE = bytes([(b + 1) & 0xFF for b in range(256)])
FFDHE_GROUPS: dict[int, groups.FfdheGroup] = {NamedGroup.ffdhe2048: groups.FFDHE2048, NamedGroup.ffdhe3072: groups.FFDHE3072}
PKCS1 = (SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512)
