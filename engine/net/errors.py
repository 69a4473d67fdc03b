"""What can go wrong at the edge, as one-line messages with an exit status.

`PeerFailure` (exit 1): the TCP connection was up, and then the handshake or the exchange
failed: an alert either way, the peer vanished, or it fell silent past the deadline.
`UsageFailure` (exit 2): a bad option, a file that cannot be read or written, or a TCP
connection that could not be opened at all.
"""

from __future__ import annotations

from engine.errors import SynackError

EXIT_OK = 0
EXIT_PEER = 1
EXIT_USAGE = 2


class NetFailure(SynackError):
    """A failure a user reads as one line; `exit_code` is what the command returns."""

    exit_code = EXIT_PEER


class PeerFailure(NetFailure):
    """The handshake or the exchange failed after the TCP connection was open."""

    exit_code = EXIT_PEER


class AlertFailure(PeerFailure):
    """The endpoint stopped on a fatal alert, sent or received (already in the event log)."""


class PeerTimeout(PeerFailure):
    """The peer said nothing we could use before the deadline."""


class UsageFailure(NetFailure):
    """A bad option, an unusable file, or no TCP connection at all."""

    exit_code = EXIT_USAGE


__all__ = [
    "EXIT_OK", "EXIT_PEER", "EXIT_USAGE",
    "AlertFailure", "NetFailure", "PeerFailure", "PeerTimeout", "UsageFailure",
]
