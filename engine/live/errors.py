"""What can go wrong in live mode, as typed errors with words a player can act on."""

from __future__ import annotations

from engine.errors import SynackError

__all__ = ["LiveUnavailable"]


class LiveUnavailable(SynackError):
    """This system cannot give us a private namespace and a TUN device (the text says what
    failed and what to enable). The offline game is unaffected."""
