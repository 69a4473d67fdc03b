"""Pilot tests: the game played through key presses, as a player would.

Every built-in level is played to the end with the referee's own solution turned into
keys (the option's number, the field values typed, enter), with one wrong move on the way
(the first turn that offers one). No pytest-asyncio: each test runs its coroutine with
asyncio.run.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text

from engine.levels import load_builtin
from engine.referee import EntryRole, LadderEntry, Move
from tests.tui.driving import (
    make_move,
    play_screen,
    play_to_a_wrong_move,
    play_to_the_end,
    type_text,
)
from tests.tui.snapshot_app import make_app
from tui.screens.help import HelpScreen
from tui.screens.levels import LevelListScreen
from tui.screens.menu import MainMenu
from tui.screens.summary import SummaryScreen
from tui.widgets.feedback import FeedbackLine
from tui.widgets.ladder import LadderView
from tui.widgets.play_header import PlayHeader

LEVEL_IDS = [level.id for level in load_builtin().levels]


def prompt_text(prompt: object, width: int = 100) -> str:
    """An option's prompt (a rich renderable) as plain text, as wide as `width`."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(prompt)
    return console.export_text().strip()


async def select_after_the_client_hello(pilot: Any, kind: str) -> tuple[Any, LadderEntry]:
    """On a TLS client level: the ClientHello sent, then the first answer of `kind` selected
    on the ladder (the inspector shows it). The play screen and that entry."""
    await pilot.pause()
    screen = play_screen(pilot.app)
    await make_move(pilot, screen.referee.solution_move())
    ladder = screen.query_one(LadderView)
    entry = next(e for e in ladder.entries if e.kind == kind)
    ladder.selected = entry.index
    await pilot.pause()
    return screen, entry


def test_there_are_built_in_levels() -> None:
    assert len(LEVEL_IDS) >= 5


@pytest.mark.parametrize("level_id", LEVEL_IDS)
def test_every_level_with_one_wrong_move_to_the_summary(level_id: str, tmp_path: Path) -> None:
    """Each level through key presses: one wrong move at the first turn that offers one (a
    different option, or a different choice for the right one), then the solution to the
    end. The ✗ line shows, the mistake is counted once, and enter on the summary goes to
    the suggested level (the first one not finished: here the first level, or the second
    after the first)."""

    async def run() -> None:
        app = make_app(tmp_path, level=level_id)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            assert screen.level.id == level_id
            wrong = await play_to_a_wrong_move(pilot)
            assert wrong is not None, f"{level_id}: no wrong move on offer at any turn"
            await pilot.pause()
            feedback = screen.query_one(FeedbackLine)
            assert feedback.text.startswith("✗"), feedback.text
            assert feedback.kind == "bad"
            assert screen.referee.score().mistakes == 1
            header = screen.query_one(PlayHeader).info
            assert header is not None and header.mistakes == 1

            await play_to_the_end(pilot)
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            assert "Level complete" in str(summary.query_one("#summary-title").render())
            assert summary.score.mistakes == 1 and summary.score.stars < 3
            stars = summary.score.stars
            await pilot.press("enter")
            await pilot.pause()
            suggested = LEVEL_IDS[1] if level_id == LEVEL_IDS[0] else LEVEL_IDS[0]
            assert play_screen(app).level.id == suggested
        saved = json.loads((tmp_path / "progress.json").read_text())
        assert saved["levels"][level_id]["stars"] == stars
        assert saved["levels"][level_id]["mistakes"] == 1

    asyncio.run(run())


def test_from_the_menu_through_the_list_into_the_first_level(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            assert isinstance(app.screen, MainMenu)
            await pilot.press("enter")  # Play
            await pilot.pause()
            assert isinstance(app.screen, LevelListScreen)
            await pilot.press("enter")  # the first unfinished level
            await pilot.pause()
            assert play_screen(app).level.id == LEVEL_IDS[0]
            await play_to_the_end(pilot)
            await pilot.press("escape")  # summary → level list
            await pilot.pause()
            assert isinstance(app.screen, LevelListScreen)
            options = app.screen.query_one("#level-options")
            first = prompt_text(options.get_option(LEVEL_IDS[0]).prompt)  # type: ignore[attr-defined]
            assert first.startswith("✓ ★★★") and first.endswith("3 stars")
            second = prompt_text(options.get_option(LEVEL_IDS[1]).prompt)  # type: ignore[attr-defined]
            assert second.startswith("▶ next") and options.highlighted_option.id == LEVEL_IDS[1]  # type: ignore[attr-defined]

    asyncio.run(run())


def test_a_wrong_move_is_explained_and_counted_once(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            await make_move(pilot, screen.referee.solution_move())  # SYN
            right = screen.referee.solution_move()
            assert right.key == "ACK"
            wrong_ack = str(int(right.values["ack"]) + 1000)
            await make_move(pilot, Move("ACK", {"ack": wrong_ack}))
            await pilot.pause()

            feedback = screen.query_one(FeedbackLine).text
            assert feedback.startswith("✗")
            assert right.values["ack"] in feedback  # the expected value is named
            assert "RFC 9293" in feedback
            assert screen.referee.score().mistakes == 1
            header = screen.query_one(PlayHeader).info
            assert header is not None and header.mistakes == 1
            roles = [entry.role for entry in screen.query_one(LadderView).entries]
            assert EntryRole.MISTAKE in roles and EntryRole.REACTION in roles
            # The game goes on from before the mistake; finishing still works.
            await play_to_the_end(pilot)
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            assert summary.score.mistakes == 1

    asyncio.run(run())


def test_a_missing_field_is_asked_for_not_counted(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            await make_move(pilot, screen.referee.solution_move())  # SYN
            await pilot.press("enter")  # nothing chosen yet
            assert "Choose a move first" in screen.query_one(FeedbackLine).text
            keys = [option.key for option in screen.referee.turn.options]  # type: ignore[union-attr]
            await pilot.press(str(keys.index("ACK") + 1), "enter")  # ACK with no ack typed
            await pilot.pause()
            assert "Type the acknowledgement number" in screen.query_one(FeedbackLine).text
            await type_text(pilot, "abc")  # digits only: letters are not typed at all
            assert screen.referee.score().mistakes == 0

    asyncio.run(run())


def test_hints_help_and_inspector_keys(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            await pilot.press("h")
            assert screen.query_one(FeedbackLine).text.startswith("Hint 1/3")
            assert screen.referee.score().hints_used == 1
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            await make_move(pilot, screen.referee.solution_move())
            await pilot.press("i")  # at 80 columns the inspector takes the ladder's place
            await pilot.pause()
            assert screen.has_class("-inspecting")
            assert screen.query_one("#inspector").display
            assert not screen.query_one("#ladder-pane").display
            await pilot.press("down", "down")
            await pilot.press("escape")
            await pilot.pause()
            assert screen.query_one("#ladder-pane").display
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, LevelListScreen)

    asyncio.run(run())


def test_corrupt_progress_is_moved_aside_and_the_player_told(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("{ this is not json")

    async def run() -> None:
        app = make_app(tmp_path)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MainMenu)
            notices = [notice.message for notice in app._notifications]
            assert any("moved to progress.json.corrupt-" in notice for notice in notices)

    asyncio.run(run())
    assert not (tmp_path / "progress.json").exists()
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1


def test_an_unknown_level_argument_shows_the_problem_not_a_traceback(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-99-no-such-level")
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LevelListScreen)
            assert any("tcp-99-no-such-level" in (n.title + n.message) for n in app._notifications)

    asyncio.run(run())


def test_a_byte_clicked_in_a_scrolled_hex_dump_selects_its_field(tmp_path: Path) -> None:
    """The hex dump scrolls itself: deep in a certificate, a click on a shown row's byte
    finds the byte that row holds, not the byte that far from the top of the message."""
    from tui.widgets.hexview import OFFSET_WIDTH, HexView, bytes_per_row
    from tui.widgets.inspector import FieldTree

    async def run() -> None:
        app = make_app(tmp_path, level="tls13-01-handshake-client")
        async with app.run_test(size=(120, 40)) as pilot:
            screen, _ = await select_after_the_client_hello(pilot, "Certificate")
            tree = screen.query_one(FieldTree)
            nodes, stack = [], [tree.root]
            while stack:  # every field node of the tree
                nodes.append(stack.pop())
                stack.extend(nodes[-1].children)
            node = max((n for n in nodes if n.data is not None and n.data.end - n.data.start >= 2),
                       key=lambda n: n.data.start)  # type: ignore[union-attr]
            deep = node.data
            assert deep is not None
            tree.move_cursor(node)
            await pilot.pause()
            hexview = screen.query_one(HexView)
            per_row = bytes_per_row(hexview.scrollable_content_region.width)
            top = int(hexview.scroll_offset.y)
            assert top > 0, "the dump scrolled to the field"
            row_of_field = deep.start // per_row
            tree.move_cursor(tree.root.children[0])  # somewhere else
            await pilot.pause()
            assert hexview.scroll_offset.y == 0
            hexview.scroll_to(y=top, animate=False, immediate=True)
            column = deep.start % per_row
            await pilot.click(HexView, offset=(OFFSET_WIDTH + 3 * column, row_of_field - top))
            await pilot.pause()
            assert tree.cursor_node is not None and tree.cursor_node.data is not None
            picked = tree.cursor_node.data
            assert picked.start <= deep.start < picked.end

    asyncio.run(run())


def test_the_feedback_line_takes_the_new_themes_colour(tmp_path: Path) -> None:
    """The verdict's colour is drawn into its words: a theme switch draws them again."""
    from tui.widgets.feedback import FeedbackText

    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            await make_move(pilot, screen.referee.solution_move())
            feedback = screen.query_one(FeedbackLine)
            assert feedback.kind == "good" and feedback.text.startswith("✓")
            dark = screen.query_one(FeedbackText).content
            await pilot.press("t")
            await pilot.pause()
            light = screen.query_one(FeedbackText).content
            assert isinstance(dark, Text) and isinstance(light, Text)
            assert light.plain == dark.plain
            assert light.spans[0].style != dark.spans[0].style  # the success colour of each theme

    asyncio.run(run())


def test_the_mouse_chooses_moves_and_selects_arrows(tmp_path: Path) -> None:
    from tui.widgets.move_chips import CHIP_GAP, MoveChips, chip_text
    from tui.widgets.move_picker import MovePicker

    async def run() -> None:
        app = make_app(tmp_path, level="tcp-02-handshake-server")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            await pilot.click(MoveChips)  # the first chip
            await pilot.pause()
            assert screen.query_one(MovePicker).chosen == 1
            turn = screen.referee.turn
            assert turn is not None
            first_key = turn.options[0].key
            second = len(chip_text(1, first_key)) + CHIP_GAP  # past the first chip and the gap
            await pilot.click(MoveChips, offset=(second, 0))
            await pilot.pause()
            assert screen.query_one(MovePicker).chosen == 2
            chips = screen.query_one(MoveChips)
            await pilot.hover(MoveChips, offset=(second, 0))  # the chip's move, in words
            await pilot.pause()
            assert str(chips.tooltip) == turn.options[1].label
            await pilot.hover(MoveChips, offset=(second - CHIP_GAP, 0))  # the gap: none
            await pilot.pause()
            assert chips.tooltip is None
            ladder = screen.query_one(LadderView)
            first_arrow = next(n for n, line in enumerate(ladder.lines) if line.entry is not None)
            ladder.selected = None
            await pilot.click(LadderView, offset=(3, first_arrow))
            await pilot.pause()
            assert ladder.selected == ladder.lines[first_arrow].entry

    asyncio.run(run())


def test_the_inspector_describes_the_new_arrow_not_the_old_one(tmp_path: Path) -> None:
    from textual.widgets import Static

    from tui.widgets.inspector import FieldTree

    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            for _ in range(2):  # the SYN, then the ACK: each time a new arrow is selected
                await make_move(pilot, screen.referee.solution_move())
                await pilot.pause()
                selected = screen.query_one(LadderView).selected
                entry = next(e for e in screen.referee.ladder if e.index == selected)
                node = screen.query_one(FieldTree).cursor_node
                assert node is not None and node.data in entry.fields
                meaning = screen.query_one("#field-meaning", Static).content
                assert f"{node.data.label} = {node.data.value}" in str(meaning)

    asyncio.run(run())


# --- TLS ----------------------------------------------------------------------------------


def test_a_wrong_tls_choice_shows_the_clients_alert(tmp_path: Path) -> None:
    """The client offered only AES-256 and ChaCha20: choosing AES-128 in the ServerHello is
    refused by the real client with illegal_parameter, and the ✗ line says so."""

    async def run() -> None:
        app = make_app(tmp_path, level="tls13-02-handshake-server")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            right = screen.referee.solution_move()
            assert right.key == "ServerHello"
            wrong = Move("ServerHello", {**right.values, "cipher_suite": "TLS_AES_128_GCM_SHA256"})
            await make_move(pilot, wrong)
            await pilot.pause()

            feedback = screen.query_one(FeedbackLine).text
            assert feedback.startswith("✗")
            assert "illegal_parameter" in feedback
            assert "RFC 8446" in feedback
            assert screen.referee.score().mistakes == 1
            entries = screen.query_one(LadderView).entries
            reaction = next(entry for entry in entries if entry.role is EntryRole.REACTION)
            assert reaction.kind == "Alert" and "illegal_parameter" in reaction.summary
            # The right choice still wins the level.
            await play_to_the_end(pilot)
            summary = app.screen
            assert isinstance(summary, SummaryScreen)
            assert summary.score.mistakes == 1

    asyncio.run(run())


def test_a_choice_left_blank_is_asked_for_not_counted(tmp_path: Path) -> None:
    from textual.widgets import Select

    async def run() -> None:
        app = make_app(tmp_path, level="tls13-02-handshake-server")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            keys = [option.key for option in screen.referee.turn.options]  # type: ignore[union-attr]
            await pilot.press(str(keys.index("ServerHello") + 1))
            await pilot.pause()
            focused = app.focused
            assert isinstance(focused, Select) and focused.name == "cipher_suite"
            await pilot.press("tab", "tab", "enter")  # past both selects to send
            await pilot.pause()
            assert "Choose the cipher suite (cipher_suite) first" in screen.query_one(FeedbackLine).text
            assert app.focused is focused  # back to the empty choice
            assert screen.referee.score().mistakes == 0

    asyncio.run(run())


def test_the_keys_pane_grows_from_the_secrets_inputs(tmp_path: Path) -> None:
    from tui.widgets.keys_panel import KeysPanel, KeyTree
    from tui.widgets.move_picker import MovePicker

    async def run() -> None:
        app = make_app(tmp_path, level="tls13-01-handshake-client")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            tree = screen.query_one(KeyTree)
            picker = screen.query_one(MovePicker)
            assert tree.names == []
            assert "clear" in str(picker.border_subtitle)
            await make_move(pilot, screen.referee.solution_move())  # ClientHello
            await pilot.pause()
            assert tree.names == [secret.name for secret in screen.referee.secrets]
            handshake = next(n for n in tree.root.children[0].children[0].children)
            assert handshake.data is not None and handshake.data.name == "handshake_secret"
            assert "🔒 c hs" in str(picker.border_subtitle)
            await pilot.press("k")  # at 80 columns the keys take the ladder's place
            await pilot.pause()
            assert screen.has_class("-keys")
            assert screen.query_one(KeysPanel).display and screen.query_one("#side-pane").display
            assert not screen.query_one("#ladder-pane").display
            assert isinstance(app.focused, KeyTree)
            protection = str(screen.query_one("#keys-protection").render())
            assert "client_handshake_traffic_secret" in protection
            await pilot.press("home", "down", "down")
            await pilot.pause()
            detail = str(screen.query_one("#key-detail").render())
            assert "handshake_secret" in detail and "HKDF-Extract" in detail
            assert "RFC 8446 §7.1" in detail
            await pilot.press("escape")
            await pilot.pause()
            assert screen.query_one("#ladder-pane").display

    asyncio.run(run())


def test_w_shows_the_wire_bytes_and_the_key_that_protected_them(tmp_path: Path) -> None:
    from tui.widgets.hexview import HexView
    from tui.widgets.inspector import Inspector

    async def run() -> None:
        app = make_app(tmp_path, level="tls13-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            screen, encrypted = await select_after_the_client_hello(pilot, "EncryptedExtensions")
            ladder = screen.query_one(LadderView)
            hexview = screen.query_one(HexView)
            assert hexview.data == encrypted.raw
            await pilot.press("w")
            await pilot.pause()
            assert screen.query_one(Inspector).wire
            assert hexview.data == encrypted.wire
            line = str(screen.query_one("#inspector-wire").render())
            assert "server_handshake_traffic_secret" in line and "🔒" in line
            first = ladder.entries[0]  # the ClientHello: a clear record, shown as such
            ladder.selected = first.index
            await pilot.pause()
            assert hexview.data == first.wire
            assert "clear" in str(screen.query_one("#inspector-wire").render())
            await pilot.press("w")
            await pilot.pause()
            assert hexview.data == first.raw

    asyncio.run(run())


def test_tcp_levels_have_no_keys_pane(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = play_screen(app)
            assert not screen.query_one("#keys").display
            await pilot.press("k")
            await pilot.pause()
            assert not screen.has_class("-keys")

    asyncio.run(run())
