"""The NSS key log lines of a game's TLS connection, from the secrets the player's side
learned and the ClientHello's random (the line's middle field)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.referee.types import EntryRole, LadderEntry, SecretLearned
from engine.tls.keylog import TLS13_LABELS, keylog_line, tls12_keylog_line

__all__ = ["client_random", "keylog_lines"]

_HANDSHAKE_HEADER = 4  # msg_type, uint24 length
_RANDOM = slice(_HANDSHAKE_HEADER + 2, _HANDSHAKE_HEADER + 2 + 32)  # after legacy_version


def client_random(ladder: Iterable[LadderEntry]) -> bytes | None:
    """ClientHello.random of the game's real connection (a retried ClientHello keeps it; a
    wrong one sent on a copy does not count)."""
    hello = next((e for e in ladder if e.kind == "ClientHello" and e.role is EntryRole.NORMAL), None)
    return hello.raw[_RANDOM] if hello is not None and len(hello.raw) >= _RANDOM.stop else None


def keylog_lines(ladder: Sequence[LadderEntry], secrets: Sequence[SecretLearned]) -> list[str]:
    """TLS 1.3: one line per traffic secret; TLS 1.2: `CLIENT_RANDOM <random> <master>`.
    Both versions name a secret master_secret; only TLS 1.3 has handshake traffic secrets."""
    random = client_random(ladder)
    if random is None:
        return []
    names = {secret.name for secret in secrets}
    if "client_handshake_traffic_secret" in names:
        lines = [keylog_line(TLS13_LABELS[s.name], random, s.value) for s in secrets if s.name in TLS13_LABELS]
    else:
        lines = [tls12_keylog_line(random, s.value) for s in secrets if s.name == "master_secret"]
    return list(dict.fromkeys(lines))
