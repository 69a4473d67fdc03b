"""The move picker: the turn's options under number keys, and a small form for fields.

Number keys (bound on the play screen) call `choose`; an option with fields opens a row of
fields, the first one focused: an `Input` for a typed value, a `Select` for a field with
`choices` (enter or an arrow opens it, arrows and enter pick; picking moves on to the next
field, then to the send button). `submit` (enter in a text field, the send button, or enter
on the play screen) checks that every field has a value and posts
`MovePicker.MoveSubmitted`; the play screen hands the move to the referee, which judges the
values. A missing value posts `MovePicker.Incomplete` with a line to show.

The option chips (`MoveChips`, one widget) wrap onto as many rows as the width needs: TLS
turns offer up to nine moves with long names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from engine.referee import Move, MoveField, MoveOption, Turn
from tui.widgets.border_title import retitle
from tui.widgets.component_style import component_style
from tui.widgets.move_chips import MAX_OPTIONS, MoveChips
from tui.widgets.settled import SettledStatic

class MovePicker(Vertical):
    """The "your move" box."""

    COMPONENT_CLASSES = {"move-picker--muted"}  # "enter sends" (app.tcss)

    chosen: var[int | None] = var(None, init=False)
    """1-based number of the chosen option, or None (the chips show it: the box itself is
    not repainted)."""

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
        self._held: list[str] | None = None  # keys typed while a form is being laid out

    def compose(self) -> ComposeResult:
        yield MoveChips(id="move-chips")
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
        self.query_one(MoveChips).show(() if turn is None else turn.options)
        retitle(self, "your move" if turn is None else f"your move · turn {turn.number}")
        await self._show_form(None)

    async def choose(self, number: int) -> None:
        """Choose option `number` (1-based); ignored if there is no such option."""
        if self.turn is None or not 1 <= number <= min(len(self.turn.options), MAX_OPTIONS):
            return
        self.chosen = number
        self.query_one(MoveChips).show(self.turn.options, number)
        option = self.turn.options[number - 1]
        if option.fields:
            self._hold_keys()
        try:
            await self._show_form(option)
        finally:
            held, self._held = self._held or [], None
            self.can_focus = False
        fields = self._field_widgets()
        if fields:
            first = fields[0]
            self.screen.set_focus(first)  # at once: the next key is already on its way
            typed = "".join(key for key in held if key != "enter")
            if typed and isinstance(first, Input):
                first.insert_text_at_cursor(typed)
            if "enter" in held:
                self.submit()

    def _hold_keys(self) -> None:
        """Keys typed while the chosen move's fields are being mounted belong to its first
        field (a quick "3" then "12345" is ack=12345), not to the screen's bindings (where
        "1" would choose another move and "q" leave the level). The picker takes the focus at
        once (a widget's own focus() would wait its turn) and keeps those keys until the field
        is there."""
        self._held = []
        self.can_focus = True
        self.screen.set_focus(self, scroll_visible=False)

    @on(MoveChips.Clicked)
    async def _chip_clicked(self, event: MoveChips.Clicked) -> None:
        event.stop()
        await self.choose(event.number)

    def on_key(self, event: events.Key) -> None:
        """Hold a key typed while the form mounts; one that reached the picker just after
        (sent to it while it had the focus) goes where it was meant: the focused field."""
        key = event.character if event.is_printable and event.character else event.key
        if key != "enter" and len(key) != 1:
            return
        focused = self.screen.focused
        if self._held is not None:
            self._held.append(key)
        elif isinstance(focused, Input) and focused in self.query(Input):
            if key == "enter":
                self.submit()
            else:
                focused.insert_text_at_cursor(key)
        else:
            return
        event.stop()
        event.prevent_default()

    async def _show_form(self, option: MoveOption | None) -> None:
        """The turn's prompt (no option chosen), the chosen option's label with "enter
        sends" (an option without fields: both on the one prompt line, so choosing and
        sending mount nothing), or a row of fields for an option that has them."""
        form = self.query_one("#move-form", Horizontal)
        help_line = self.query_one("#field-help", Static)
        if option is None or not option.fields:
            if option is None:
                text = Text(self._prompt_text())
            else:
                text = Text.assemble(option.label, ("   enter sends", self._muted()))
            shown = list(form.children)
            if len(shown) == 1 and shown[0].has_class("-prompt"):
                cast(Static, shown[0]).update(text)  # the prompt line is up: new words only
            else:
                await form.remove_children()
                await form.mount(SettledStatic(text, id="move-label", classes="-prompt",
                                               markup=False))
            if help_line.display:
                help_line.update("")
                help_line.display = False
            return
        await form.remove_children()
        help_line.update("")
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
        widgets.append(Button("send ⏎", id="move-send", compact=True))
        await form.mount_all(widgets)
        help_line.display = True
        help_line.update(self._help_text(option.fields[0]))

    def _muted(self) -> Style:
        return component_style(self, "move-picker--muted")

    def _prompt_text(self) -> str:
        if self.turn is None:
            return self._idle
        count = min(len(self.turn.options), 9)
        keys = "1" if count == 1 else f"1-{count}"
        return f"{self.turn.prompt}  Press {keys} to choose a move."

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
