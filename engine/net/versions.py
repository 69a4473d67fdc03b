"""`--tls-version`: which TLS versions an endpoint offers (client) or accepts (server).

Without the option both are on: a client offers TLS 1.3 and 1.2 and a server answers
with the highest the client offers, as real peers do (a TLS 1.3 server that settles for
1.2 says so in ServerHello.random, RFC 8446 §4.1.3).
"""

from __future__ import annotations

from engine.tls.constants import ProtocolVersion

CHOICES = {"1.3": (ProtocolVersion.TLS1_3,), "1.2": (ProtocolVersion.TLS1_2,)}
BOTH = (ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)


def protocol_versions(choice: str | None) -> tuple[int, ...]:
    """'1.2' → (TLS 1.2,), '1.3' → (TLS 1.3,), None → both, highest first."""
    return BOTH if choice is None else CHOICES[choice]


def versions_words(versions: tuple[int, ...]) -> str:
    """(TLS 1.3, TLS 1.2) → "TLS 1.3 and 1.2"; (TLS 1.2,) → "TLS 1.2 only"."""
    if len(versions) == 1:
        return f"TLS 1.{versions[0] - 0x0301} only"
    return "TLS " + " and ".join(f"1.{version - 0x0301}" for version in versions)


def openssl_flag(versions: tuple[int, ...]) -> str:
    """The `openssl s_client` option that asks for exactly these versions ("" for both)."""
    return f" -tls1_{versions[0] - 0x0301}" if len(versions) == 1 else ""


__all__ = ["BOTH", "CHOICES", "openssl_flag", "protocol_versions", "versions_words"]
