"""The move picker: the turn's options under number keys, and a small form for fields.

Number keys (bound on the play screen) call `choose`; an option with fields opens a row of
inputs, the first one focused. `submit` (enter) checks that every field has a value and
posts `MovePicker.MoveSubmitted`; the play screen hands the move to the referee, which
judges the values. A missing value posts `MovePicker.Incomplete` with a line to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from engine.referee import Move, MoveField, MoveOption, Turn


class MoveChip(Static):
    """One option: its number and its kind ("2 SYN-ACK"); click to choose it."""

    def __init__(self, number: int, option: MoveOption) -> None:
        super().__init__(f" {number} {option.key} ", classes="move-chip", markup=False)
        self.number = number
        self.tooltip = Text(option.label)

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.query_ancestor(MovePicker).choose(self.number)


class MovePicker(Vertical):
    """The "your move" box."""

    chosen: reactive[int | None] = reactive(None, init=False)
    """1-based number of the chosen option, or None."""

    @dataclass
    class MoveSubmitted(Message):
        """The player sends this move."""

        move: Move

    @dataclass
    class Incomplete(Message):
        """The player tried to send, but something is missing; `text` says what."""

        text: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.turn: Turn | None = None
        self._idle = "Waiting for the wire…"

    def compose(self) -> ComposeResult:
        yield Horizontal(id="move-chips")
        with Horizontal(id="move-form"):
            yield Static("Waiting…", id="move-label")
        yield Static("", id="field-help", markup=False)

    def on_mount(self) -> None:
        self.border_title = "your move"

    @property
    def option(self) -> MoveOption | None:
        if self.turn is None or self.chosen is None:
            return None
        return self.turn.options[self.chosen - 1]

    async def set_turn(self, turn: Turn | None, *, idle: str = "Waiting for the wire…") -> None:
        """Offer a new turn's options; None: nothing to do, and `idle` says why."""
        self.turn = turn
        self._idle = idle
        self.chosen = None
        chips = self.query_one("#move-chips", Horizontal)
        await chips.remove_children()
        chips.display = turn is not None
        if turn is None:
            self.border_title = "your move"
            await self._show_form(None)
            return
        self.border_title = f"your move · turn {turn.number}"
        await chips.mount_all(
            MoveChip(number, option) for number, option in enumerate(turn.options[:9], 1)
        )
        await self._show_form(None)

    async def choose(self, number: int) -> None:
        """Choose option `number` (1-based); ignored if there is no such option."""
        if self.turn is None or not 1 <= number <= min(len(self.turn.options), 9):
            return
        self.chosen = number
        for chip in self.query(MoveChip):
            chip.set_class(chip.number == number, "-chosen")
            chip.update(f"{'▸' if chip.number == number else ' '}{chip.number} "
                        f"{self.turn.options[chip.number - 1].key} ")
        option = self.turn.options[number - 1]
        await self._show_form(option)
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    async def _show_form(self, option: MoveOption | None) -> None:
        form = self.query_one("#move-form", Horizontal)
        await form.remove_children()
        help_line = self.query_one("#field-help", Static)
        help_line.update("")
        if option is None:
            if self.turn is None:
                text = self._idle
            else:
                count = min(len(self.turn.options), 9)
                keys = "1" if count == 1 else f"1-{count}"
                text = f"{self.turn.prompt}  Press {keys} to choose a move."
            await form.mount(Static(text, id="move-label", classes="-prompt", markup=False))
            help_line.display = False
            return
        widgets: list[Static | Label | Input] = [
            Static(option.label, id="move-label", markup=False)
        ]
        for move_field in option.fields:
            widgets.append(Label(move_field.name, classes="field-label", markup=False))
            widgets.append(_field_input(move_field, blink=not self.app.is_headless))
        widgets.append(Static("enter sends", classes="send-hint"))
        await form.mount_all(widgets)
        help_line.display = bool(option.fields)
        if option.fields:
            help_line.update(_field_help(option.fields[0]))

    def values(self) -> dict[str, str]:
        return {
            widget.name: widget.value.strip()
            for widget in self.query(Input)
            if widget.name is not None
        }

    def submit(self) -> None:
        option = self.option
        if self.turn is None:
            return
        if option is None:
            count = min(len(self.turn.options), 9)
            self.post_message(self.Incomplete(f"Choose a move first: press a number 1-{count}."))
            return
        values = self.values()
        for move_field in option.fields:
            if not values.get(move_field.name):
                self.query_one(f"#field-{move_field.name}", Input).focus()
                self.post_message(self.Incomplete(
                    f"Type the {move_field.label} ({move_field.name}) first: {move_field.help}"
                ))
                return
        self.post_message(self.MoveSubmitted(Move(option.key, values)))

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        option = self.option
        widget = event.widget
        if option is None or not isinstance(widget, Input):
            return
        for move_field in option.fields:
            if move_field.name == widget.name:
                self.query_one("#field-help", Static).update(_field_help(move_field))


def _field_help(move_field: MoveField) -> str:
    return f"{move_field.name}: {move_field.label} — {move_field.help}"


def _field_input(move_field: MoveField, *, blink: bool) -> Input:
    widget = Input(
        placeholder="number" if move_field.numeric else "text",
        restrict=r"[0-9]*" if move_field.numeric else None,
        max_length=10 if move_field.numeric else 0,
        name=move_field.name,
        id=f"field-{move_field.name}",
        classes="field-input -numeric" if move_field.numeric else "field-input",
        compact=True,
        select_on_focus=False,
    )
    widget.cursor_blink = blink
    widget.tooltip = Text(move_field.help)
    return widget
