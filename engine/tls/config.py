"""What a TLS endpoint is configured with: its offers, its credential, its trust, its clock.

Everything random flows from `rng` and everything time-dependent from `now`, so a game
with the same seed replays byte for byte.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal, TypeVar

from engine.rng import SeededRandom
from engine.tls.certs import Credential
from engine.tls.constants import CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme

_T = TypeVar("_T")


def first_offered(ours: Iterable[_T], offered: Container[_T]) -> _T | None:
    """The first of our choices, in our order of preference, that the peer offered too
    (how a server picks its suite, group and signature scheme); None if there is none."""
    for choice in ours:
        if choice in offered:
            return choice
    return None


TLS13_SUITES = (
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_AES_256_GCM_SHA384,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
)
TLS12_SUITES = (
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
)
GROUPS = (NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1)
SIGNATURE_SCHEMES = (
    SignatureScheme.ed25519,
    SignatureScheme.ecdsa_secp256r1_sha256,
    SignatureScheme.ecdsa_secp384r1_sha384,
    SignatureScheme.rsa_pss_rsae_sha256,
    SignatureScheme.rsa_pss_rsae_sha384,
    SignatureScheme.rsa_pss_rsae_sha512,
)
GAME_EPOCH = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class SessionTicket:
    """What a client keeps of a NewSessionTicket to resume with later (RFC 8446 §4.6.1)."""

    ticket: bytes
    psk: bytes
    cipher_suite: int
    age_add: int
    lifetime: int
    received_at: datetime
    server_name: str | None


@dataclass(frozen=True)
class Session12:
    """A TLS 1.2 session to resume (RFC 5246 §7.3, RFC 5077): by its id, or by a ticket."""

    session_id: bytes
    master_secret: bytes
    cipher_suite: int
    extended_master_secret: bool
    ticket: bytes = b""


@dataclass
class TicketStore:
    """A server's memory of the tickets it issued: ticket bytes → (psk, suite, issued at).

    The ticket is an opaque label chosen from the seed; a real server would encrypt its
    state into it, but what the client sees and sends back is the same kind of thing."""

    issued: dict[bytes, tuple[bytes, int, datetime, int]] = field(default_factory=dict)
    # TLS 1.2: sessions by session id, and by ticket (RFC 5077 §4's opaque ticket).
    sessions12: dict[bytes, Session12] = field(default_factory=dict)
    tickets12: dict[bytes, Session12] = field(default_factory=dict)


@dataclass
class TlsConfig:
    rng: SeededRandom
    now: datetime = GAME_EPOCH
    versions: tuple[int, ...] = (ProtocolVersion.TLS1_3,)
    cipher_suites: tuple[int, ...] = TLS13_SUITES
    tls12_suites: tuple[int, ...] = TLS12_SUITES
    dh_group: int = NamedGroup.ffdhe2048
    groups: tuple[int, ...] = GROUPS
    key_share_groups: tuple[int, ...] = (NamedGroup.x25519,)
    signature_schemes: tuple[int, ...] = SIGNATURE_SCHEMES
    server_name: str | None = None
    alpn: tuple[str, ...] = ()
    credential: Credential | None = None
    trust_anchors: tuple[bytes, ...] = ()
    verify_peer: bool = True
    client_auth: Literal["none", "request", "require"] = "none"
    middlebox_compat: bool = True
    tickets: TicketStore | None = None
    tickets_to_send: int = 1
    resume: SessionTicket | None = None
    resume12: Session12 | None = None
    ems: bool = True
    session_tickets: bool = True  # TLS 1.2: ask for (client) or issue (server) RFC 5077 tickets
    # A deliberately broken server, for levels where the player must catch it:
    # "bad_server_key_exchange_signature", "bad_certificate_verify_signature", "bad_finished".
    misbehave: tuple[str, ...] = ()
    max_padding: int = 0
