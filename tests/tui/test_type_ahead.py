"""Keys typed while a chosen move's fields are still being mounted go into its first field.

In a browser (`synack web`) keys arrive faster than the form is laid out: "2" (SYN-ACK,
which asks for the ack) then "12345" used to choose moves 1 to 5 instead of typing
ack=12345, and a letter could have fired a binding ("q" leaves the level)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.widgets import Input

from tui.app import SynackApp
from tui.screens.play import PlayScreen
from tui.widgets.move_picker import MovePicker


def test_keys_typed_while_the_form_mounts_go_into_its_field(tmp_path: Path) -> None:
    async def run() -> tuple[int | None, list[str], bool]:
        app = SynackApp(seed=7, level="tcp-02-handshake-server", data_dir=tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PlayScreen)
            turn = screen.referee.turn
            assert turn is not None
            number = [option.key for option in turn.options].index("SYN-ACK") + 1
            picker = screen.query_one(MovePicker)
            choosing = asyncio.create_task(picker.choose(number))
            await asyncio.sleep(0)  # choose() is now mounting the form: the keys come meanwhile
            for key in "12345q":
                app.post_message(events.Key(key, key))
            await choosing
            await pilot.pause()
            return picker.chosen, [field.value for field in screen.query(Input)], app.screen is screen

    chosen, values, still_playing = asyncio.run(run())
    # "q" did not leave the level: it reached the ack field, which takes digits only
    assert chosen == 2 and values == ["12345"] and still_playing
