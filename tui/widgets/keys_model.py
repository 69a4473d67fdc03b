"""The key schedule as the screen shows it, without Textual: easy to test.

Everything here is read from the referee's values (`SecretLearned`, `LadderEntry`); no
schedule layout is written down. The tree's shape comes from each secret's `inputs`: its
parent is the first input that is itself a secret already learned, so early → derived →
handshake → master grows as the engine derives them, whatever the level (PSK, HRR, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from engine.referee import EntryRole, LadderEntry, SecretLearned, Side

_TRAFFIC = re.compile(
    r"^(?P<side>client|server)_(?P<stage>early|handshake|application)_traffic_secret(?:_(?P<gen>\d+))?$"
)
_WRITE_KEY = re.compile(r"^(?P<side>client|server)_write_key$")  # TLS 1.2 (RFC 5246 §6.3)
_STAGE_WORDS = {"early": "e", "handshake": "hs", "application": "ap"}


def short_name(name: str) -> str:
    """A key's short name, small enough for an arrow: TLS 1.3's RFC 8446 labels ("s hs",
    "c ap", "c ap 1" after a KeyUpdate), TLS 1.2's "c key" / "s key" for the write keys.

    Any other name comes back as it is."""
    write_key = _WRITE_KEY.match(name)
    if write_key is not None:
        return f"{write_key['side'][0]} key"
    match = _TRAFFIC.match(name)
    if match is None:
        return name
    words = f"{match['side'][0]} {_STAGE_WORDS[match['stage']]}"
    generation = int(match["gen"] or 0)
    return f"{words} {generation}" if generation else words


def protection_tag(entry: LadderEntry) -> str:
    """What an arrow says of its protection: "🔒 s hs", "clear", or "" (not a TLS record)."""
    if entry.protected_by is not None:
        return f"🔒 {short_name(entry.protected_by)}"
    return "clear" if entry.wire else ""


def protection_words(protected_by: str | None) -> str:
    """The long form, for the keys pane: "🔒 s hs (server_handshake_traffic_secret)"."""
    if protected_by is None:
        return "nothing (clear)"
    short = short_name(protected_by)
    return f"🔒 {short} ({protected_by})" if short != protected_by else f"🔒 {protected_by}"


def short_hex(value: bytes, count: int = 8) -> str:
    """The first `count` bytes in hex, with … when there is more."""
    head = value[:count].hex()
    return head + "…" if len(value) > count else head


def parent_of(secret: SecretLearned, known: Iterable[str]) -> str | None:
    """The secret this one hangs from: its first input that is a secret already known."""
    names = set(known)
    return next((name for name in secret.inputs if name in names), None)


def next_protection(
    player: Side, secrets: Sequence[SecretLearned], ladder: Sequence[LadderEntry]
) -> str | None:
    """The key that protects the player's next record (None: it goes in the clear), worked
    out from what the referee knows.

    TLS 1.3: a side writes under the newest traffic secret of its own that it has learned,
    except that application secrets only take over once the side has sent its Finished
    (RFC 8446 §4.4.4). TLS 1.2: a side's write key takes over once it has sent its
    ChangeCipherSpec (RFC 5246 §7.1). Before that, records go in the clear."""
    real = (EntryRole.NORMAL, EntryRole.LOST)  # not a mistake played against a fork
    sent = {entry.kind for entry in ladder if entry.sender is player and entry.role in real}
    usable: str | None = None
    for secret in secrets:
        write_key = _WRITE_KEY.match(secret.name)
        if write_key is not None:
            if write_key["side"] == player.value and "ChangeCipherSpec" in sent:
                usable = secret.name
            continue
        match = _TRAFFIC.match(secret.name)
        if match is None or match["side"] != player.value:
            continue
        if match["stage"] == "application" and "Finished" not in sent:
            continue
        usable = secret.name
    return usable
