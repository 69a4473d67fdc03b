"""Lay the ladder diagram out as text lines for a given width: no Textual, easy to test.

The timeline is what happened, in order: messages on the wire (`LadderEntry`), state
changes (`StateMark`) and narration (`NoteMark`). `layout` turns it into lines:

     CLOSED                                            LISTEN        <- a state row
     SYN seq=2837461 win=64240 ──────────────────────────▶          <- client → server
     SYN-SENT                                    SYN-RECEIVED
     ◀──────────────── SYN-ACK seq=90210 ack=2837462 win=64240      <- server → client
   ✗ ACK ack=999 ──────────────────────────────────────▶            <- the player's mistake
     ◀──────────────────────── ↩ RST seq=999  (your move caused it)

A state row shows each side's new state, in order with the messages (the engine changes
state as it sends or receives): the client's on the left, the server's on the right; two
changes share a row unless they are of the same side, and a run of one side's changes with
nothing in between reads as one chain ("WAIT_CERT_CR › WAIT_CV › WAIT_FINISHED"). Column 0 is a gutter for the selection
marker. Meaning never rests on colour alone: arrows give the direction, ✗ a mistake, ↩ a
reaction, ✕ a lost segment, and a TLS record ends in "· 🔒 s hs" (the short name of the
traffic secret whose key encrypted it) or "· clear".
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from engine.referee import EntryRole, LadderEntry, Side
from tui.widgets.keys_model import protection_tag

MIN_LINE = 3  # the shortest arrow shaft drawn


@dataclass(frozen=True, slots=True)
class StateMark:
    """One side's connection state changed to `state`."""

    side: Side
    state: str


@dataclass(frozen=True, slots=True)
class NoteMark:
    """A line of narration on the timeline (a timer fired, data was delivered)."""

    text: str


TimelineItem = LadderEntry | StateMark | NoteMark


@dataclass(frozen=True, slots=True)
class LadderStyles:
    """Rich styles for the parts of a line; the widget fills them from its TCSS."""

    arrow: Style = field(default_factory=Style)
    state: Style = field(default_factory=lambda: Style(bold=True))
    note: Style = field(default_factory=lambda: Style(dim=True, italic=True))
    mistake: Style = field(default_factory=lambda: Style(color="red"))
    reaction: Style = field(default_factory=lambda: Style(color="yellow"))
    lost: Style = field(default_factory=lambda: Style(dim=True))
    turn: Style = field(default_factory=lambda: Style(italic=True))


@dataclass(frozen=True, slots=True)
class LadderLine:
    """One line of the diagram; `entry` is the ladder index when the line is an arrow."""

    text: Text
    entry: int | None = None


def layout(
    timeline: Sequence[TimelineItem],
    width: int,
    *,
    your_turn: Side | None = None,
    styles: LadderStyles | None = None,
) -> list[LadderLine]:
    """The diagram's lines at `width` columns (gutter and right margin included)."""
    styles = styles or LadderStyles()
    inner = max(width - 2, MIN_LINE + 4)  # a gutter on the left, a margin on the right
    lines: list[LadderLine] = []
    pending: dict[Side, list[str]] = {}

    def flush_states() -> None:
        if pending:
            lines.append(LadderLine(_state_row(pending, inner, styles.state)))
            pending.clear()

    for item in timeline:
        if isinstance(item, StateMark):
            if item.side in pending:
                if len(pending) == 1:  # one side moving on alone: a chain on one row
                    pending[item.side].append(item.state)
                    continue
                flush_states()  # else a second change of the same side starts a new row
            pending[item.side] = [item.state]
            continue
        flush_states()
        if isinstance(item, NoteMark):
            lines.extend(LadderLine(line) for line in _note_rows(item.text, inner, styles.note))
        else:
            lines.append(LadderLine(_arrow_row(item, inner, styles), entry=item.index))
    flush_states()
    if your_turn is not None:
        lines.append(LadderLine(_turn_row(your_turn, inner, styles.turn)))
    return [LadderLine(Text(" ") + line.text, line.entry) for line in lines]


def label_for(entry: LadderEntry) -> str:
    """The words on an arrow: its summary, marked by the entry's role."""
    text = entry.summary
    if entry.role is EntryRole.MISTAKE:
        text = f"✗ {text}"
    elif entry.role is EntryRole.REACTION:
        text = f"↩ {text}"
    note = entry.note or ("lost" if entry.role is EntryRole.LOST else "")
    return f"{text} ({note})" if note else text


def _arrow_row(entry: LadderEntry, width: int, styles: LadderStyles) -> Text:
    lost = entry.role is EntryRole.LOST
    tag = protection_tag(entry)
    suffix = f" · {tag}" if tag else ""
    label = _fit_label(label_for(entry), width - MIN_LINE - 2 - cell_len(suffix)) + suffix
    shaft_len = max(width - cell_len(label) - 2, 1)
    shaft = ("╌" if lost else "─") * shaft_len
    style = {
        EntryRole.MISTAKE: styles.mistake,
        EntryRole.REACTION: styles.reaction,
        EntryRole.LOST: styles.lost,
    }.get(entry.role, styles.arrow)
    if entry.sender is Side.CLIENT:
        head = "✕" if lost else "▶"
        return Text.assemble((label, style), " ", (shaft + head, style))
    head = "✕" if lost else "◀"
    return Text.assemble((head + shaft, style), " ", (label, style))


def _state_row(states: dict[Side, list[str]], width: int, style: Style) -> Text:
    client, server = states.get(Side.CLIENT, []), states.get(Side.SERVER, [])
    half = (width - 1) // 2
    server_needs = min(len(" › ".join(server)), half) + 1 if server else 0
    left = _chain(client, width - server_needs)
    right = _chain(server, width - len(left) - 1 if client else width)
    gap = max(width - len(left) - len(right), 1)
    return Text.assemble((left, style), " " * gap, (right, style))


def _chain(states: list[str], room: int) -> str:
    """States in order joined by ›; the oldest give way (…) when they do not fit."""
    text = " › ".join(states)
    dropped = 0
    while len(text) > room and dropped < len(states) - 1:
        dropped += 1
        text = " › ".join(["…", *states[dropped:]])
    return _fit(text, room) if states else ""


def _note_rows(text: str, width: int, style: Style) -> list[Text]:
    rows = textwrap.wrap(text, width - 4, initial_indent="  · ", subsequent_indent="    ")
    return [Text(row, style=style) for row in rows[:3]]


def _turn_row(side: Side, width: int, style: Style) -> Text:
    words = "▷ your move" if side is Side.CLIENT else "your move ◁".rjust(width)
    return Text(words, style=style)


def _fit_label(text: str, room: int) -> str:
    """Shorten a label to `room` columns: fold its <options>, drop win=, then a marked
    entry's note, then cut."""
    if len(text) <= room:
        return text
    folded = re.sub(r" <[^>]*>", " <…>", text)
    if len(folded) <= room:
        return folded
    bare = re.sub(r" win=\d+", "", folded)
    if len(bare) <= room:
        return bare
    if bare.startswith(("✗", "↩")):  # the mark already says why it is there
        bare = re.sub(r" \([^)]*\)$", "", bare)
    return _fit(bare, room)


def _fit(text: str, room: int) -> str:
    room = max(room, 1)
    return text if len(text) <= room else text[: room - 1] + "…"
