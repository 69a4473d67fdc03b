"""Snapshots of the main screens, stable under the seed (fixed seed, frozen clock).

Review the SVG diff (pytest writes snapshot_report.html) before `--snapshot-update`. The app
is `make_snapshot_app`: its catalogue is pinned, so new levels do not move the header.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.tui.driving import make_move, play_screen, play_to_the_end
from tests.tui.snapshot_app import make_snapshot_app as make_app

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
