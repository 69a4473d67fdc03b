"""Byte maps: which bytes of an encoded message carry which field, and what it means.

Every message the engine encodes or decodes can describe itself as a list of `FieldSpan`s.
The UI draws its field tree and hex highlighting from these; no layout lives in tui/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload


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


class LazyByteMap(Sequence[FieldSpan]):
    """A message's byte map, made the first time it is read. A game keeps one per message
    of its ladder and a player looks at a few; making a map means reading the message again
    with every field named, which costs more than the handshake step that sent it."""

    __slots__ = ("_make", "_spans")

    def __init__(self, make: Callable[[], Iterable[FieldSpan]]) -> None:
        self._make: Callable[[], Iterable[FieldSpan]] | None = make
        self._spans: tuple[FieldSpan, ...] | None = None

    def spans(self) -> tuple[FieldSpan, ...]:
        if self._spans is None:
            assert self._make is not None
            self._spans, self._make = tuple(self._make()), None
        return self._spans

    @overload
    def __getitem__(self, index: int) -> FieldSpan: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[FieldSpan, ...]: ...

    def __getitem__(self, index: int | slice) -> FieldSpan | tuple[FieldSpan, ...]:
        return self.spans()[index]

    def __len__(self) -> int:
        return len(self.spans())

    def __iter__(self) -> Iterator[FieldSpan]:
        return iter(self.spans())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyByteMap, tuple)):
            return self.spans() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.spans())

    def __repr__(self) -> str:
        return f"LazyByteMap({'not made yet' if self._spans is None else self._spans!r})"
