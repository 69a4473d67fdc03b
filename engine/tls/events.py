"""What a TLS endpoint reports upward, one dataclass per kind of happening.

The referee and the UI build the ladder, the byte breakdowns and the key schedule panel
from these; nothing else of the endpoint's internals is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.tls.alerts import AlertDescription


@dataclass(frozen=True)
class RecordSent:
    """One record went out: `raw` is its bytes on the wire, `protected_by` the name of the
    traffic secret whose key encrypted it (None for a plaintext record)."""

    content_type: int
    raw: bytes
    plaintext: bytes
    protected_by: str | None


@dataclass(frozen=True)
class MessageSent:
    """A handshake message (or CCS, alert) this endpoint sent, and under which key."""

    message: Any
    raw: bytes  # the encoded handshake message (header included)
    protected_by: str | None


@dataclass(frozen=True)
class MessageReceived:
    message: Any
    raw: bytes
    protected_by: str | None


@dataclass(frozen=True)
class AlertSent:
    description: AlertDescription
    reason: str
    section: str
    fatal: bool = True


@dataclass(frozen=True)
class FaultFound:
    """A player's endpoint found a fault in what the peer sent: the alert it calls for is
    the player's next move."""

    description: AlertDescription
    reason: str
    section: str


@dataclass(frozen=True)
class AlertReceived:
    description: AlertDescription
    fatal: bool


@dataclass(frozen=True)
class HandshakeComplete:
    version: int
    cipher_suite: int
    group: int | None
    alpn: str | None
    resumed: bool
    peer_certificate_subject: str | None


@dataclass(frozen=True)
class ApplicationDataReceived:
    data: bytes


@dataclass(frozen=True)
class StateChanged:
    old: str
    new: str


TlsEvent = (
    RecordSent | MessageSent | MessageReceived | AlertSent | AlertReceived | HandshakeComplete
    | ApplicationDataReceived | StateChanged | Any
)
