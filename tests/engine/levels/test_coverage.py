"""Campaign coverage: every handshake message is a move the player must make somewhere, in
every role where the protocol lets that side send it.

Computed the way an instructor's script would: from `synack levels list --json` (each
level's protocol, role and the moves the player must make). The table of what must be
covered is written from the RFCs, not read from the levels; each name is checked against
the engine's move vocabulary so that a renamed move cannot make the test pass vacuously.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

from engine.levels.model import TCP_MOVES
from engine.referee.tls_moves import VOCABULARY
from engine.side import Side

BOTH = ("client", "server")

# RFC 9293: either side may open actively (simultaneous open, §3.5 figure 8), answer a SYN
# with SYN-ACK, acknowledge, send data, close and abort. A RST that also ACKs is the answer
# to a segment without ACK arriving where there is no connection (§3.10.7.1): the side that
# receives the unexpected SYN, the would-be server.
TCP: dict[str, tuple[str, ...]] = {
    "SYN": BOTH, "SYN-ACK": BOTH, "ACK": BOTH, "DATA": BOTH, "FIN": BOTH, "RST": BOTH,
    "RST-ACK": ("server",),
}

# RFC 5246 §7.3 figure 1 (the thirteen messages of a full handshake with client auth) and
# RFC 5077 NewSessionTicket; application data and alerts in both directions.
TLS12: dict[str, tuple[str, ...]] = {
    "ClientHello": ("client",), "ServerHello": ("server",), "Certificate": BOTH,
    "ServerKeyExchange": ("server",), "CertificateRequest": ("server",), "ServerHelloDone": ("server",),
    "ClientKeyExchange": ("client",), "CertificateVerify": ("client",), "ChangeCipherSpec": BOTH,
    "Finished": BOTH, "NewSessionTicket": ("server",), "ApplicationData": BOTH, "Alert": BOTH,
}

# RFC 8446 §2 and §4: the full handshake, HelloRetryRequest, client auth (§4.3.2),
# post-handshake tickets and KeyUpdate (§4.6), the compatibility ChangeCipherSpec (§D.4).
# EndOfEarlyData is absent: the engine does not do 0-RTT.
TLS13: dict[str, tuple[str, ...]] = {
    "ClientHello": ("client",), "HelloRetryRequest": ("server",), "ServerHello": ("server",),
    "ChangeCipherSpec": BOTH, "EncryptedExtensions": ("server",), "CertificateRequest": ("server",),
    "Certificate": BOTH, "CertificateVerify": BOTH, "Finished": BOTH, "NewSessionTicket": ("server",),
    "KeyUpdate": BOTH, "ApplicationData": BOTH, "Alert": BOTH,
}

REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {"tcp": TCP, "tls12": TLS12, "tls13": TLS13}


def list_levels() -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "levels", "list", "--json"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def covered(levels: list[dict[str, object]]) -> dict[str, set[tuple[str, str]]]:
    """(move, role) pairs the player must make, per protocol; a TCP-then-TLS level counts
    its TCP segments for TCP and its TLS messages for its TLS version."""
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for level in levels:
        protocol, role = str(level["protocol"]), str(level["role"])
        tls = protocol.removeprefix("tcp+") if protocol != "tcp" else None
        for move in level["moves"]:  # type: ignore[attr-defined]
            layer = "tcp" if move in TCP_MOVES else tls
            assert layer is not None, f"{level['id']}: TLS move {move} in a TCP level"
            seen[layer].add((move, role))
    return seen


def test_the_required_moves_are_the_engines_names() -> None:
    unknown = [f"tcp {move}" for move in TCP if move not in TCP_MOVES]
    for version, table in (("tls12", TLS12), ("tls13", TLS13)):
        for move, roles in table.items():
            unknown += [
                f"{version} {move} as {role}" for role in roles if move not in VOCABULARY[(version, Side(role))]
            ]
    assert not unknown, "not in the engine's move vocabulary: " + ", ".join(unknown)


def test_every_message_is_played_in_every_role() -> None:
    seen = covered(list_levels())
    missing = [
        f"{protocol} {move} as {role}"
        for protocol, table in REQUIRED.items()
        for move, roles in table.items()
        for role in roles
        if (move, role) not in seen[protocol]
    ]
    assert not missing, "no level makes the player send: " + "; ".join(missing)
