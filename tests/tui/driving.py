"""Play the game through key presses, as a player would: helpers for pilot tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Select

from engine.referee import Move, MoveField, MoveOption, Turn
from tui.app import SynackApp
from tui.screens.play import PlayScreen

KEY_NAMES = {" ": "space", ".": "full_stop", ":": "colon", "-": "minus", "/": "slash"}


def play_screen(app: SynackApp) -> PlayScreen:
    screen = app.screen
    assert isinstance(screen, PlayScreen), f"expected the play screen, found {screen!r}"
    return screen


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*(KEY_NAMES.get(char, char) for char in text))


async def pick_choice(pilot: Pilot[None], move_field: MoveField, value: str) -> None:
    """With the field's select focused: enter opens it, arrows go to `value`, enter picks.

    The list starts on the blank prompt, so `value` is its position + 1 arrows down."""
    focused = pilot.app.focused
    assert isinstance(focused, Select) and focused.name == move_field.name, (
        f"expected the {move_field.name} select to have focus, found {focused!r}"
    )
    await pilot.press("enter")
    await pilot.press(*["down"] * (move_field.choices.index(value) + 1))
    await pilot.press("enter")
    await pilot.pause()


async def make_move(pilot: Pilot[None], move: Move) -> None:
    """Press the move's number, fill its fields (type a value, or pick a choice; tab from
    one typed field to the next, a pick moves on by itself), then press enter to send."""
    app = pilot.app
    assert isinstance(app, SynackApp)
    turn = play_screen(app).referee.turn
    assert turn is not None, "no turn to play"
    keys = [option.key for option in turn.options]
    number = keys.index(move.key) + 1
    assert number <= 9, f"move {move.key} is not on a number key: {keys}"
    await pilot.press(str(number))
    await pilot.pause()
    previous_typed = False
    for move_field in turn.options[number - 1].fields:
        value = move.values.get(move_field.name, "")
        if move_field.choices:
            if previous_typed:
                await pilot.press("tab")
            if value:
                await pick_choice(pilot, move_field, value)
            else:
                await pilot.press("tab")
            previous_typed = False
            continue
        if previous_typed:
            await pilot.press("tab")
        await type_text(pilot, value)
        previous_typed = True
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


def _values_for(option: MoveOption, right: Move) -> dict[str, str]:
    """Values for a wrong option's fields: the right move's where they fit, else plausible
    ones (the first choice, 1, a word), all readable so the move is judged and counted."""
    values: dict[str, str] = {}
    for move_field in option.fields:
        known = right.values.get(move_field.name)
        if known and (not move_field.choices or known in move_field.choices):
            values[move_field.name] = known
        elif move_field.choices:
            values[move_field.name] = move_field.choices[0]
        else:
            values[move_field.name] = "1" if move_field.numeric else "hello"
    return values


def wrong_move(turn: Turn, right: Move) -> Move | None:
    """A move on offer that is not `right`: another option on a number key (the first one),
    else the right option with a different choice in one of its choice fields; None if the
    turn offers nothing else."""
    for option in turn.options[:9]:
        if option.key != right.key:
            return Move(option.key, _values_for(option, right))
    option = next(o for o in turn.options if o.key == right.key)
    for move_field in option.fields:
        others = [c for c in move_field.choices if c != right.values.get(move_field.name)]
        if others:
            return Move(right.key, {**right.values, move_field.name: others[0]})
    return None


async def play_to_a_wrong_move(pilot: Pilot[None], *, max_turns: int = 50) -> Move | None:
    """Play the solution until a turn offers a wrong move, then make that wrong move.
    Returns it, or None if the level ended with no wrong move on offer."""
    app = pilot.app
    assert isinstance(app, SynackApp)
    referee = play_screen(app).referee
    for _ in range(max_turns):
        if referee.finished or referee.turn is None:
            return None
        right = referee.solution_move()
        wrong = wrong_move(referee.turn, right)
        if wrong is not None:
            await make_move(pilot, wrong)
            return wrong
        await make_move(pilot, right)
    raise AssertionError(f"no wrong move found in {max_turns} turns")
