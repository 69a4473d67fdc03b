"""Application-Layer Protocol Negotiation (RFC 7301), the same in TLS 1.2 and 1.3: the client
offers protocols in its ClientHello; the server picks one and names it in its ServerHello
(TLS 1.2) or EncryptedExtensions (TLS 1.3)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.tls.alerts import IllegalParameter, NoApplicationProtocol
from engine.tls.extensions_nested import Alpn
from engine.tls.message_base import WithExtensions

SECTION = "RFC 7301 §3.2"


def choose(client_hello: WithExtensions, served: Sequence[str]) -> str | None:
    """The server's pick: our first protocol that the client offers; None when either side
    has no ALPN; no_application_protocol when both do and nothing matches."""
    offer = client_hello.get(Alpn)
    if offer is None or not served:
        return None
    offered = [p.decode(errors="replace") for p in offer.protocols]
    chosen = next((p for p in served if p in offered), None)
    if chosen is None:
        raise NoApplicationProtocol("none of the client's application protocols is one we serve", SECTION)
    return chosen


def accept(server_message: WithExtensions, offered: Sequence[str]) -> str | None:
    """The client's check of the server's answer: exactly one protocol, one we offered."""
    answer = server_message.get(Alpn)
    if answer is None:
        return None
    chosen = answer.protocols[0].decode(errors="replace") if len(answer.protocols) == 1 else None
    if chosen is None or chosen not in offered:
        raise IllegalParameter("the server chose an application protocol we did not offer", SECTION)
    return chosen
