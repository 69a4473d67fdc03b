"""End to end, as a player: `synack web` on loopback, opened in headless Chromium, the first
TCP level played to the end through key presses, the level-complete screen read back from
the terminal's DOM and photographed.

The keys come from a mirror of the game: the same level with the same seed in the engine's
referee, whose solution gives each move (its number on the move bar, the values to type).
The screen must show every segment the mirror has sent before each move, so the seed given
to `synack web` reaches the game in the browser, byte for byte.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from engine.levels import load_level
from engine.referee import Move, Referee, Turn
from tests.web import server
from tests.web.browser import VIEWPORT, TerminalTab, chromium

LEVEL_ID = "tcp-01-handshake-client"
LEVEL_TITLE = "Knock knock: the three-way handshake"
SEED = 7


def play_move(tab: TerminalTab, turn: Turn, move: Move) -> None:
    """The move's number, its typed fields (tab from one to the next), then enter; each key
    once the screen shows that the one before it has landed."""
    keys = [option.key for option in turn.options]
    number = keys.index(move.key) + 1
    assert number <= 9, f"{move.key} is not on a number key: {keys}"
    option = turn.options[number - 1]
    tab.press(str(number))
    tab.wait_for(re.escape(option.label))
    for position, move_field in enumerate(option.fields):
        assert not move_field.choices, f"{move_field.name}: this test types values, it picks no choices"
        if position:
            tab.press("Tab")
        value = move.values.get(move_field.name, "")
        tab.type(value)
        tab.wait_for(rf"{re.escape(move_field.name)} .*{re.escape(value)}")  # in its box
    tab.press("Enter")


def png_size(image: bytes) -> tuple[int, int]:
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and image[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", image[16:24])
    return width, height


def test_the_first_tcp_level_played_to_the_end_in_chromium(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    mirror = Referee(load_level(LEVEL_ID), seed=SEED)
    mirror.start()

    with server.running(data_dir, seed=SEED) as web:
        with chromium() as browser:
            tab = TerminalTab(browser, web.url)
            tab.wait_for(r"0 of \d+ levels done")
            tab.press("Enter")  # Play
            tab.wait_for(rf"▶ next +1\. {re.escape(LEVEL_TITLE)}")
            tab.press("Enter")  # the suggested level
            turn = mirror.turn
            while turn is not None:
                tab.wait_for(re.escape(f"your move · turn {turn.number}"))
                for entry in mirror.ladder:  # e.g. "SYN-ACK seq=1653230823"
                    tab.wait_for(re.escape(" ".join(entry.summary.split()[:2])))
                move = mirror.solution_move()
                play_move(tab, turn, move)
                mirror.play(move)
                turn = mirror.turn
            assert mirror.finished

            screen = tab.wait_for(re.escape(f"✓ Level complete: {LEVEL_TITLE}"))
            picture = tab.screenshot(tmp_path / "level-complete.png")
            assert "★★★" in screen
            assert png_size(picture) == (VIEWPORT["width"], VIEWPORT["height"])

            # Another tab is another game, and it sees the progress the first one saved.
            other = TerminalTab(browser, web.url)
            other.wait_for(r"1 of \d+ levels done")
            assert f"✓ Level complete: {LEVEL_TITLE}" in tab.text()  # the first game is untouched

    assert web.returncode == 0, web.output
    assert "Traceback" not in web.output, web.output
    saved = json.loads((data_dir / "progress.json").read_text())
    assert saved["levels"][LEVEL_ID]["stars"] == 3
    assert saved["levels"][LEVEL_ID]["mistakes"] == 0
