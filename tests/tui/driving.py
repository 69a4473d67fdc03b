"""Play the game through key presses, as a player would: helpers for pilot tests."""

from __future__ import annotations

from textual.pilot import Pilot

from engine.referee import Move
from tui.app import SynackApp
from tui.screens.play import PlayScreen

KEY_NAMES = {" ": "space", ".": "full_stop", ":": "colon", "-": "minus", "/": "slash"}


def play_screen(app: SynackApp) -> PlayScreen:
    screen = app.screen
    assert isinstance(screen, PlayScreen), f"expected the play screen, found {screen!r}"
    return screen


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(char, char) for char in text))


async def make_move(pilot: Pilot[None], move: Move) -> None:
    """Press the move's number, type its field values (tab between them), press enter."""
    app = pilot.app
    assert isinstance(app, SynackApp)
    turn = play_screen(app).referee.turn
    assert turn is not None, "no turn to play"
    keys = [option.key for option in turn.options]
    number = keys.index(move.key) + 1
    assert number <= 9, f"move {move.key} is not on a number key: {keys}"
    await pilot.press(str(number))
    await pilot.pause()
    for position, move_field in enumerate(turn.options[number - 1].fields):
        if position:
            await pilot.press("tab")
        await type_text(pilot, move.values.get(move_field.name, ""))
    await pilot.press("enter")
    await pilot.pause()


async def play_to_the_end(pilot: Pilot[None], *, max_turns: int = 50) -> None:
    """Play the referee's own solution, key by key, until the level is over."""
    app = pilot.app
    assert isinstance(app, SynackApp)
    referee = play_screen(app).referee
    for _ in range(max_turns):
        if referee.finished:
            return
        await make_move(pilot, referee.solution_move())
    raise AssertionError(f"level not finished after {max_turns} turns")
