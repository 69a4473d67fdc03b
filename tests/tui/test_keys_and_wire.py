"""The keys pane's model, the wire view's byte map and the ladder's lock tags, without Textual.

The TLS levels are played with the referee's own solution (no UI), so these tests see the
real secrets and records of every TLS level.
"""

from __future__ import annotations

from functools import cache

import pytest
from rich.cells import cell_len

from engine.levels import load_builtin, load_level
from engine.referee import (
    EntryRole,
    LadderEntry,
    MessageSent,
    Referee,
    RefereeEvent,
    SecretLearned,
    Side,
)
from tests.tui.snapshot_app import SEED
from tui.widgets.keys_model import next_protection, parent_of, protection_tag, short_hex, short_name
from tui.widgets.ladder_layout import layout
from tui.widgets.wire_map import wire_spans

TLS_LEVELS = [level.id for level in load_builtin().levels if "tls" in str(level.protocol)]


@cache
def played(level_id: str) -> tuple[Referee, tuple[RefereeEvent, ...]]:
    """A TLS level played to the end with the referee's solution, and every event on the way."""
    referee = Referee(load_level(level_id), seed=SEED)
    events = list(referee.start())
    while not referee.finished:
        events.extend(referee.play(referee.solution_move()))
    return referee, tuple(events)


def test_there_are_tls_levels() -> None:
    assert any(level.startswith("tls13") for level in TLS_LEVELS)


def test_short_names_follow_the_rfc_labels() -> None:
    assert short_name("server_handshake_traffic_secret") == "s hs"
    assert short_name("client_handshake_traffic_secret") == "c hs"
    assert short_name("client_application_traffic_secret_0") == "c ap"
    assert short_name("server_application_traffic_secret_2") == "s ap 2"
    assert short_name("client_early_traffic_secret") == "c e"
    assert short_name("client_write_key") == "c key"
    assert short_name("master_secret") == "master_secret"
    assert short_hex(bytes(range(12))) == "0001020304050607…"
    assert short_hex(bytes(4)) == "00000000"


def test_the_tree_hangs_each_secret_from_its_first_secret_input() -> None:
    def secret(name: str, *inputs: str) -> SecretLearned:
        return SecretLearned(Side.CLIENT, name, b"\x00", inputs, "", "")

    known = ["early_secret", "derived_secret_for_handshake", "shared_secret"]
    handshake = secret("handshake_secret", "derived_secret_for_handshake", "shared_secret")
    assert parent_of(handshake, known) == "derived_secret_for_handshake"
    assert parent_of(secret("early_secret", "0"), []) is None  # "0" is not a secret: a root
    assert parent_of(secret("shared_secret"), known) is None


@pytest.mark.parametrize("level_id", TLS_LEVELS)
def test_the_schedule_grows_as_a_few_trees(level_id: str) -> None:
    """Each secret's parent is learned before it, so the tree needs no layout of its own."""
    referee, _ = played(level_id)
    seen: list[str] = []
    roots = []
    for secret in referee.secrets:
        if parent_of(secret, seen) is None:
            roots.append(secret.name)
        seen.append(secret.name)
    assert bool(roots) == bool(referee.secrets)
    assert len(roots) <= 3, f"the schedule should be a few trees, not a list: {roots}"


@pytest.mark.parametrize("level_id", TLS_LEVELS)
def test_the_next_record_protection_matches_what_the_player_then_sent(level_id: str) -> None:
    """Before each record the player sends, the predicted key is the one the engine used
    (ChangeCipherSpec aside: in TLS 1.3 it always goes in the clear)."""
    referee, events = played(level_id)
    ladder: list[LadderEntry] = []
    secrets: list[SecretLearned] = []
    checked = 0
    for event in events:
        if isinstance(event, SecretLearned):
            secrets.append(event)
        if not isinstance(event, MessageSent):
            continue
        entry = event.entry
        if entry.by_player and entry.role is EntryRole.NORMAL and entry.kind != "ChangeCipherSpec":
            predicted = next_protection(referee.player, secrets, ladder)
            assert predicted == entry.protected_by, f"before {entry.kind} #{entry.index}"
            checked += 1
        ladder.append(entry)
    assert checked >= 2


@pytest.mark.parametrize("level_id", TLS_LEVELS)
def test_wire_spans_frame_every_record(level_id: str) -> None:
    referee, _ = played(level_id)
    tls13 = str(referee.level.protocol).endswith("tls13")
    for entry in referee.ladder:
        if not entry.wire:  # a TCP segment of a stack level
            continue
        spans = wire_spans(entry, tls13=tls13)
        assert spans, entry.kind
        assert spans[0].start == 0 and spans[0].end <= len(entry.wire)
        assert all(0 <= s.start <= s.end <= len(entry.wire) for s in spans), entry.kind
        top = [s for s in spans if s.depth == 0]
        assert sum(s.end - s.start for s in top) == len(entry.wire), entry.kind
        paths = {s.path.split(".", 1)[-1] for s in spans}
        if entry.protected_by is None:
            # A clear record carries the engine's own byte map, shifted past the header.
            first = entry.fields[0]
            assert any(s.path == first.path and s.start == first.start + 5 for s in spans)
        else:
            assert {"encrypted_record", "tag"} <= paths, entry.kind
            tag = next(s for s in spans if s.path.endswith(".tag"))
            assert tag.end - tag.start == 16


def test_a_tls13_ciphertext_says_what_it_hides() -> None:
    referee, _ = played("tls13-01-handshake-client")
    entry = next(e for e in referee.ladder if e.kind == "EncryptedExtensions")
    sealed = next(s for s in wire_spans(entry) if s.path.endswith("encrypted_record"))
    assert f"({len(entry.raw)} message + 1 type + 0 padding)" in sealed.value
    assert "server_handshake_traffic_secret" in sealed.meaning


def test_arrows_wear_a_lock_and_the_key_or_say_clear() -> None:
    referee, _ = played("tls13-01-handshake-client")
    entries = referee.ladder
    assert protection_tag(entries[0]) == "clear"  # the ClientHello
    encrypted = next(e for e in entries if e.kind == "EncryptedExtensions")
    assert protection_tag(encrypted) == "🔒 s hs"
    lines = [line.text.plain for line in layout(entries, 60)]
    arrows = [line for line in lines if "▶" in line or "◀" in line]
    assert "· clear ─" in arrows[0]
    assert any("EncryptedExtensions" in line and "· 🔒 s hs" in line for line in arrows)
    assert all(cell_len(line) <= 60 for line in lines)  # the lock is two cells wide


def test_tcp_arrows_carry_no_tag() -> None:
    tcp = LadderEntry(0, Side.CLIENT, "SYN", "SYN seq=1", b"", (), 0.0)
    assert protection_tag(tcp) == ""
