"""The move picker: the turn's options under number keys, and a small form for fields.

Number keys (bound on the play screen) call `choose`; an option with fields opens a row of
fields, the first one focused: an `Input` for a typed value, a `Select` for a field with
`choices` (enter or an arrow opens it, arrows and enter pick; picking moves on to the next
field, then to the send button). `submit` (enter in a text field, the send button, or enter
on the play screen) checks that every field has a value and posts
`MovePicker.MoveSubmitted`; the play screen hands the move to the referee, which judges the
values. A missing value posts `MovePicker.Incomplete` with a line to show.

The option chips wrap onto as many rows as the width needs (`pack_rows`): TLS turns offer
up to nine moves with long names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from engine.referee import Move, MoveField, MoveOption, Turn

CHIP_GAP = 1  # the margin after each chip (app.tcss: .move-chip)
MAX_OPTIONS = 9  # number keys 1-9


def chip_text(number: int, key: str, *, chosen: bool = False) -> str:
    return f"{'▸' if chosen else ' '}{number} {key} "


def pack_rows(widths: Sequence[int], room: int) -> list[list[int]]:
    """Indexes of chips per row: as many as fit in `room` columns, in order (at least one)."""
    rows: list[list[int]] = []
    used = room + 1
    for index, width in enumerate(widths):
        if rows and used + width <= room:
            rows[-1].append(index)
            used += width + CHIP_GAP
        else:
            rows.append([index])
            used = width + CHIP_GAP
    return rows


class MoveChip(Static):
    """One option: its number and its kind ("2 SYN-ACK"); click to choose it."""

    def __init__(self, number: int, option: MoveOption, *, chosen: bool = False) -> None:
        super().__init__(chip_text(number, option.key, chosen=chosen), markup=False,
                         classes="move-chip -chosen" if chosen else "move-chip")
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
        self._rows: list[list[int]] = []

    def compose(self) -> ComposeResult:
        yield Vertical(id="move-chips")
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
        await self._mount_chips()
        if turn is None:
            self.border_title = "your move"
            await self._show_form(None)
            return
        self.border_title = f"your move · turn {turn.number}"
        await self._show_form(None)

    def _chip_rows(self) -> list[list[int]]:
        if self.turn is None:
            return []
        room = self.content_region.width or max(self.app.size.width - 4, 1)
        keys = [option.key for option in self.turn.options[:MAX_OPTIONS]]
        return pack_rows([len(chip_text(n, key)) for n, key in enumerate(keys, 1)], room)

    async def _mount_chips(self) -> None:
        """(Re)build the rows of chips for the turn at the current width."""
        box = self.query_one("#move-chips", Vertical)
        await box.remove_children()
        box.display = self.turn is not None
        self._rows = self._chip_rows()
        if self.turn is None:
            return
        options = self.turn.options
        await box.mount_all(
            Horizontal(
                *(MoveChip(i + 1, options[i], chosen=self.chosen == i + 1) for i in row),
                classes="chip-row",
            )
            for row in self._rows
        )

    async def on_resize(self, event: events.Resize) -> None:
        if self.turn is not None and self._chip_rows() != self._rows:
            await self._mount_chips()

    async def choose(self, number: int) -> None:
        """Choose option `number` (1-based); ignored if there is no such option."""
        if self.turn is None or not 1 <= number <= min(len(self.turn.options), MAX_OPTIONS):
            return
        self.chosen = number
        for chip in self.query(MoveChip):
            chip.set_class(chip.number == number, "-chosen")
            key = self.turn.options[chip.number - 1].key
            chip.update(chip_text(chip.number, key, chosen=chip.number == number))
        option = self.turn.options[number - 1]
        await self._show_form(option)
        fields = self._field_widgets()
        if fields:
            fields[0].focus()

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
        choices = any(move_field.choices for move_field in option.fields)
        widgets: list[Widget] = []
        if not choices:  # a row of selects leaves no room: the label goes on the help line
            widgets.append(Static(option.label, id="move-label", markup=False))
        for move_field in option.fields:
            widgets.append(Label(move_field.name, classes="field-label", markup=False))
            if move_field.choices:
                widgets.append(_field_select(move_field))
            else:
                widgets.append(_field_input(move_field, blink=not self.app.is_headless))
        if option.fields:
            widgets.append(Button("send ⏎", id="move-send", compact=True))
        else:
            widgets.append(Static("enter sends", classes="send-hint"))
        await form.mount_all(widgets)
        help_line.display = bool(option.fields)
        if option.fields:
            help_line.update(self._help_text(option.fields[0]))

    def _help_text(self, move_field: MoveField) -> str:
        option = self.option
        help_text = _field_help(move_field)
        if option is not None and any(f.choices for f in option.fields):
            return f"{option.label} · {help_text}"
        return help_text

    def _field_widgets(self) -> list[Input | Select[str]]:
        return [
            widget
            for widget in self.query_one("#move-form", Horizontal).children
            if isinstance(widget, (Input, Select))
        ]

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for widget in self._field_widgets():
            if widget.name is None:
                continue
            if isinstance(widget, Input):
                found[widget.name] = widget.value.strip()
            elif isinstance(widget.value, str):
                found[widget.name] = widget.value
        return found

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
                self.query_one(f"#field-{move_field.name}").focus()
                verb = "Choose" if move_field.choices else "Type"
                self.post_message(self.Incomplete(
                    f"{verb} the {move_field.label} ({move_field.name}) first: {move_field.help}"
                ))
                return
        self.post_message(self.MoveSubmitted(Move(option.key, values)))

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#move-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    @on(Select.Changed)
    def _choice_made(self, event: Select.Changed) -> None:
        """A value was picked: move on to the next field, or to the send button."""
        event.stop()
        if not isinstance(event.value, str):
            return
        fields: list[Widget] = list(self._field_widgets())
        position = fields.index(event.select) if event.select in fields else -1
        following: Widget | None = None
        if 0 <= position < len(fields) - 1:
            following = fields[position + 1]
        elif position >= 0:
            following = self.query_one("#move-send", Button)
        if following is not None:
            self.call_after_refresh(following.focus)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        option = self.option
        widget = event.widget
        if option is None or not isinstance(widget, (Input, Select)):
            return
        for move_field in option.fields:
            if move_field.name == widget.name:
                self.query_one("#field-help", Static).update(self._help_text(move_field))


def _field_help(move_field: MoveField) -> str:
    return f"{move_field.name}: {move_field.label} — {move_field.help}"


def _field_select(move_field: MoveField) -> Select[str]:
    prompt = "choose…"
    widget: Select[str] = Select(
        [(choice, choice) for choice in move_field.choices],
        prompt=prompt,
        name=move_field.name,
        id=f"field-{move_field.name}",
        classes="field-select",
        compact=True,
    )
    widest = max(len(text) for text in (*move_field.choices, prompt))
    widget.styles.width = widest + 4  # the text, its padding and the ▼
    widget.tooltip = Text(move_field.help)
    return widget


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
