"""Snapshots of the main screens, stable under the seed (fixed seed, frozen clock).

Review the SVG diff (pytest writes snapshot_report.html) before `--snapshot-update`. The app
is `make_snapshot_app`: its catalogue is pinned, so new levels do not move the header.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets.tree import TreeNode

from engine.bytemap import FieldSpan

from tests.tui.driving import make_move, play_screen, play_to_the_end
from tests.tui.snapshot_app import make_snapshot_app as make_app
from tui.widgets.inspector import FieldTree

FIRST_LEVEL = "tcp-01-handshake-client"
TLS_LEVEL = "tls13-01-handshake-client"


async def play_one_move(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await make_move(pilot, play_screen(pilot.app).referee.solution_move())  # type: ignore[arg-type]


async def play_all(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await play_to_the_end(pilot)


class TestSnapshots:
    def test_main_menu(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(tmp_path), terminal_size=(80, 24))

    def test_level_list(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(tmp_path), press=["enter"], terminal_size=(100, 30))

    def test_play_mid_level(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_one_move, terminal_size=(100, 30))

    def test_play_mid_level_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_one_move, terminal_size=(80, 24))

    def test_inspector_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(
            app, run_before=play_one_move, press=["i", "down", "down"], terminal_size=(80, 24)
        )

    def test_summary(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=FIRST_LEVEL)
        assert snap_compare(app, run_before=play_all, terminal_size=(100, 30))


async def tls_keys_mid_handshake(pilot: Pilot[None]) -> None:
    """After the ClientHello: the server's whole flight is in, 19 secrets are known; the keys
    pane is swapped in and its cursor put on handshake_secret (its formula shows)."""
    await play_one_move(pilot)
    await pilot.press("k", "home", "down", "down")
    await pilot.pause()


async def tls_wire_view(pilot: Pilot[None]) -> None:
    """The server's EncryptedExtensions as sent: header, ciphertext, tag and its key."""
    await play_one_move(pilot)
    await pilot.press("up", "up", "up", "w")
    await pilot.pause()


class TestTlsSnapshots:
    def test_keys_mid_handshake(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=TLS_LEVEL)
        assert snap_compare(app, run_before=tls_keys_mid_handshake, terminal_size=(100, 30))

    def test_keys_mid_handshake_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=TLS_LEVEL)
        assert snap_compare(app, run_before=tls_keys_mid_handshake, terminal_size=(80, 24))

    def test_wire_view(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=TLS_LEVEL)
        assert snap_compare(app, run_before=tls_wire_view, terminal_size=(100, 30))

    def test_choice_form_80x24(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        """Nine moves wrap onto rows; ServerHello's suite is a list of the real options."""
        app = make_app(tmp_path, level="tls13-02-handshake-server")
        assert snap_compare(
            app, press=["2", "enter", "down", "down"], terminal_size=(80, 24)
        )


# --- the play screen at full depth, and the campaign, at 120x40 ---------------------------

BIG = (120, 40)
TLS12_LEVEL = "tls12-01-rsa-client"
TLS13_SERVER = "tls13-02-handshake-server"
WRONG_NAME = "tls13-06-wrong-name"
COMPARE_LEVEL = "compare-02-tls12-round-trips"


async def inspector_on_a_field(pilot: Pilot[None]) -> None:
    """After the ClientHello: the server's Finished selected, the inspector focused on its
    third field (tree and bytes highlight each other); the keys pane below it."""
    await play_one_move(pilot)
    await pilot.press("i", "down", "down")
    await pilot.pause()


async def tls12_key_block(pilot: Pilot[None]) -> None:
    """TLS 1.2 after the ClientKeyExchange: pre-master → master → key block → write keys
    and IVs; the cursor on key_block shows its PRF formula."""
    await play_one_move(pilot)  # ClientHello
    await play_one_move(pilot)  # ClientKeyExchange
    await pilot.press("k", "home", "down", "down")
    await pilot.pause()


async def hint_shown(pilot: Pilot[None]) -> None:
    """TLS 1.2, the server's flight in: two hints asked (the nudge, then the rule)."""
    await play_one_move(pilot)
    await pilot.press("h", "h")
    await pilot.pause()


async def wrong_suite(pilot: Pilot[None]) -> None:
    """TLS 1.3 as the server: a suite the client did not offer; the client's alert arrow."""
    from engine.referee import Move

    await pilot.pause()
    right = play_screen(pilot.app).referee.solution_move()  # type: ignore[arg-type]
    await make_move(pilot, Move(right.key, {**right.values, "cipher_suite": "TLS_AES_128_GCM_SHA256"}))
    await pilot.pause()


async def help_on_play(pilot: Pilot[None]) -> None:
    await play_one_move(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


async def certificate_names(pilot: Pilot[None]) -> None:
    """The wrong-name level after the ClientHello: the server's Certificate selected on the
    ladder (two arrows up from its Finished) and, in the inspector, the certificate's
    subjectAltName: the name the player must compare with the one asked for."""
    await play_one_move(pilot)
    await pilot.press("up", "up", "i")
    await pilot.pause()
    tree = pilot.app.screen.query_one(FieldTree)
    node = next(n for n in _nodes(tree.root) if n.data is not None and n.data.label == "subjectAltName")
    tree.move_cursor(node)  # as the arrows would, without counting them here
    await pilot.pause()


def _nodes(node: TreeNode[FieldSpan]) -> list[TreeNode[FieldSpan]]:
    return [node, *(found for child in node.children for found in _nodes(child))]


async def light_theme(pilot: Pilot[None]) -> None:
    await certificate_names(pilot)
    await pilot.press("escape", "t")
    await pilot.pause()


# Each screen and panel of the issue, by (level, what is done before the picture).
FULL_DEPTH = {
    "inspector_on_a_field": (TLS_LEVEL, inspector_on_a_field),
    "certificate_names": (WRONG_NAME, certificate_names),
    "keys_tls13": (TLS_LEVEL, tls_keys_mid_handshake),
    "keys_tls12_key_block": (TLS12_LEVEL, tls12_key_block),
    "hint": (TLS12_LEVEL, hint_shown),
    "wrong_move": (TLS13_SERVER, wrong_suite),
    "summary": (TLS_LEVEL, play_all),
    "compare_summary": (COMPARE_LEVEL, play_all),
    "help": (TLS_LEVEL, help_on_play),
}
SIZES = {"80x24": (80, 24), "120x40": BIG}


class TestFullDepth:
    """The issue-5 screens and panels at 80x24 (the inspector and keys fold under the
    ladder, a key away) and at 120x40 (the side pane shows them beside it)."""

    @pytest.mark.parametrize("size", SIZES)
    @pytest.mark.parametrize("screen", FULL_DEPTH)
    def test_screen(self, snap_compare, tmp_path: Path, screen: str, size: str) -> None:  # type: ignore[no-untyped-def]
        level, run_before = FULL_DEPTH[screen]
        app = make_app(tmp_path, level=level, pinned=level != COMPARE_LEVEL)
        assert snap_compare(app, run_before=run_before, terminal_size=SIZES[size])

    def test_light_theme(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        app = make_app(tmp_path, level=WRONG_NAME)
        assert snap_compare(app, run_before=light_theme, terminal_size=BIG)

    def test_level_list_campaign(self, snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        """Chapter TCP complete, a level with one star, the suggestion highlighted."""
        (tmp_path / "progress.json").write_text(json.dumps({"version": 1, "levels": {
            "tcp-01-handshake-client": RECORD | {"stars": 3},
            "tcp-02-handshake-server": RECORD | {"stars": 2, "mistakes": 1},
            "tls13-01-handshake-client": RECORD | {"stars": 1, "mistakes": 3},
        }}))
        assert snap_compare(make_app(tmp_path), press=["enter"], terminal_size=BIG)


RECORD = {"stars": 3, "points": 900, "mistakes": 0, "hints": 0, "seconds": 42.0}
