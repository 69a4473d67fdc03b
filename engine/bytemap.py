"""Byte maps: which bytes of an encoded message carry which field, and what it means.

Every message the engine encodes or decodes can describe itself as a list of `FieldSpan`s.
The UI draws its field tree and hex highlighting from these; no layout lives in tui/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """Bytes [start, end) of a message hold the field at `path` (e.g. "tcp.options[1].mss").

    `depth` is the nesting level in the field tree (0 for a top-level field), `value` the
    field's value as shown to a player, `meaning` one line of what it is for, and `rfc`
    where the rule lives (e.g. "RFC 9293 §3.1"). A span may be empty (start == end) for a
    field that is present only as a flag bit inside its parent byte range.
    """

    start: int
    end: int
    path: str
    label: str
    value: str
    meaning: str
    rfc: str = ""
    depth: int = 0
