"""Typed errors shared by the engine's layers.

Two sides of blame, after h11: `LocalProtocolError` means the player broke a rule,
`RemoteProtocolError` means the peer did. A `DecodeError` names the field and the byte
offset where bytes stopped making sense.
"""

from __future__ import annotations


class SynackError(Exception):
    """Base of every error the engine raises on purpose."""


class DecodeError(SynackError):
    """Bytes that do not decode: names the field and the offset where decoding failed."""

    def __init__(self, field: str, offset: int, problem: str) -> None:
        super().__init__(f"{field} at byte {offset}: {problem}")
        self.field = field
        self.offset = offset
        self.problem = problem


class LocalProtocolError(SynackError):
    """Our side (the player's) broke a protocol rule."""


class RemoteProtocolError(SynackError):
    """The peer broke a protocol rule."""
