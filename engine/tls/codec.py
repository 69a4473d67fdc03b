"""Reading and writing TLS wire structures (RFC 8446 §3): integers, vectors, blocks.

`Reader` raises `DecodeError` (the alert) with the field name and the offset whenever
bytes run out or a length prefix overruns its parent, so a malformed message always
becomes the decode_error alert, never an IndexError. `Writer` builds bytes with
length-prefixed blocks.

The byte map comes from the decoder: the `Field`-taking reads (`number`, `fixed`,
`opaque`, `rest`, and the `group`/`item`/`scope` blocks) do what the plain reads do and,
when the Reader was given a `SpanRecorder`, also record a FieldSpan per field with its full
path ("client_hello.cipher_suites[0]"), value, meaning and RFC section. So a message's
byte map is its own bytes read back, and cannot drift from the encoding. Without a
recorder those reads cost no formatting at all.

`FastReader` is the Reader without the bookkeeping (no path, no spans, faults unnamed),
for reading messages when no byte map is asked for: it accepts exactly the bytes a Reader
accepts, and whoever uses it reads a faulty message again with a Reader to name the fault
(`message_base.read_handshake` does).
"""

from __future__ import annotations

import builtins
import dataclasses
import enum
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, NamedTuple, NoReturn, TypeVar

from engine.bytemap import FieldSpan
from engine.tls.alerts import DecodeError
from engine.tls.constants import value_map

SECTION = "RFC 8446 §3"

_T = TypeVar("_T")


def hex_preview(data: bytes, limit: int = 32) -> str:
    """Bytes as a player reads them: all of them up to `limit`, else the first 8 and a count."""
    if len(data) <= limit:
        return data.hex() if data else "(empty)"
    return f"{data[:8].hex()}… ({len(data)} bytes)"


def _show(value: Any) -> str:
    return hex_preview(value) if isinstance(value, bytes) else str(value)


class Field(NamedTuple):
    """What a byte map says about one wire field: `name` is its path segment ("" for a
    list item, which takes its list's path and an index), `show` turns the decoded value
    into words (default: the number, or the bytes in hex)."""

    name: str
    label: str
    meaning: str
    rfc: str = ""
    show: Callable[[Any], str] | None = None


def plural(count: int, noun: str, nouns: str = "") -> str:
    """"1 share", "3 shares" ("1 identity", "2 identities" with `nouns` given)."""
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


class Span:
    """An open `group`, `item` or `scope`, used as a context manager; leaving it checks
    the block was used up and records its FieldSpan.

    Set `value` inside to say what the whole thing holds: a string, or (cheaper, since
    it is only called when a byte map is being recorded) a function returning one, e.g.
    `span.value = lambda: plural(len(items), "suite")`. Left None, the span shows its
    size. `slot` is where its FieldSpan goes in the recorder, so a parent precedes its
    children."""

    __slots__ = ("value", "_reader", "_fld", "_index", "_start", "_slot", "_outer_end", "_size")

    def __init__(self, reader: Reader, fld: Field | None, index: int | None, start: int,
                 slot: int, outer_end: int | None) -> None:
        self.value: str | Callable[[], str] | None = None
        self._reader = reader
        self._fld = fld
        self._index = index
        self._start = start
        self._slot = slot
        self._outer_end = outer_end  # the enclosing block's end, for a length-prefixed group
        self._size = 0

    def __enter__(self) -> Span:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:  # on an error the read is abandoned: nothing to close
            self._reader._close(self)


class Reader:
    """Pulls fields from bytes; `end` bounds the current block."""

    def __init__(self, data: builtins.bytes, base: int = 0,
                 spans: SpanRecorder | None = None) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)
        self.base = base  # offset of data[0] within the whole message, for error messages
        self.spans = spans  # when set, the Field-taking reads record the byte map here
        self._path: list[tuple[str, int | None]] = []  # (name, index) of the open blocks

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def _take(self, count: int, field: str) -> builtins.bytes:
        if count < 0 or self.pos + count > self.end:
            raise DecodeError(
                f"{field} at byte {self.offset}: needs {count} bytes, only {self.remaining()} left",
                SECTION,
            )
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def uint(self, size: int, field: str) -> int:
        return int.from_bytes(self._take(size, field), "big")

    def uint8(self, field: str) -> int:
        return self.uint(1, field)

    def uint16(self, field: str) -> int:
        return self.uint(2, field)

    def uint24(self, field: str) -> int:
        return self.uint(3, field)

    def uint32(self, field: str) -> int:
        return self.uint(4, field)

    def bytes(self, count: int, field: str) -> builtins.bytes:
        return self._take(count, field)

    def vector(self, length_size: int, field: str, minimum: int = 0, maximum: int | None = None) -> builtins.bytes:
        """A vector with a `length_size`-byte length prefix (opaque x<minimum..maximum>)."""
        length = self.uint(length_size, f"{field}.length")
        if length < minimum or (maximum is not None and length > maximum):
            limit = f"{minimum}..{maximum}" if maximum is not None else f"at least {minimum}"
            raise DecodeError(f"{field} at byte {self.offset}: length {length}, expected {limit}", SECTION)
        return self._take(length, field)

    @contextmanager
    def block(self, length_size: int, field: str) -> Iterator[Reader]:
        """Read inside a length-prefixed block; the block must be consumed exactly."""
        length = self.uint(length_size, f"{field}.length")
        start = self.pos
        if start + length > self.end:
            raise DecodeError(
                f"{field} at byte {self.offset}: length {length} overruns its container by "
                f"{start + length - self.end} bytes",
                SECTION,
            )
        outer_end = self.end
        self.end = start + length
        yield self
        if self.pos != self.end:
            raise DecodeError(f"{field} at byte {self.offset}: {self.end - self.pos} bytes left over", SECTION)
        self.end = outer_end

    def expect_end(self, field: str) -> None:
        if not self.at_end():
            raise DecodeError(f"{field} at byte {self.offset}: {self.remaining()} trailing bytes", SECTION)

    # --- reads that name their field (and record it when a SpanRecorder is attached) ------

    def path(self, fld: Field | None = None, index: int | None = None) -> str:
        """The full path of `fld` (at `index` in its list) below the open scopes."""
        parts = list(self._path)
        if fld is not None:
            parts.append((fld.name, index))
        return ".".join(_segment(*part) for part in parts).replace(".[", "[")

    def fail(self, where: str, problem: str, rfc: str = "", at: int | None = None) -> NoReturn:
        """Raise the decode_error alert naming the field at path `where` and its offset
        (`at`, a position in `data`; by default where reading stopped)."""
        offset = self.offset if at is None else self.base + at
        raise DecodeError(f"{where} at byte {offset}: {problem}", rfc or SECTION)

    def _need(self, count: int, fld: Field, index: int | None) -> None:
        if count > self.end - self.pos:
            self.fail(self.path(fld, index), f"needs {plural(count, 'byte')}, only "
                      f"{self.end - self.pos} left", fld.rfc)

    def _note(self, start: int, fld: Field, index: int | None, value: object,
              text: str | None = None) -> None:
        if self.spans is not None:
            shown = text if text is not None else (fld.show or _show)(value)
            self.spans.add(self.base + start, self.base + self.pos, self.path(fld, index),
                           fld.label, shown, fld.meaning, fld.rfc)

    def number(self, size: int, fld: Field, index: int | None = None) -> int:
        """An unsigned big-endian integer of `size` bytes."""
        self._need(size, fld, index)
        start = self.pos
        self.pos += size
        value = int.from_bytes(self.data[start : self.pos], "big")
        if self.spans is not None:
            self._note(start, fld, index, value)
        return value

    def fixed(self, count: int, fld: Field, index: int | None = None) -> builtins.bytes:
        """Exactly `count` bytes (e.g. a 32-byte random)."""
        self._need(count, fld, index)
        start = self.pos
        self.pos += count
        value = self.data[start : self.pos]
        if self.spans is not None:
            self._note(start, fld, index, value)
        return value

    def rest(self, fld: Field) -> builtins.bytes:
        """Every byte left in the current block."""
        return self.fixed(self.end - self.pos, fld)

    def opaque(self, length_size: int, fld: Field, minimum: int = 0,
               maximum: int | None = None, index: int | None = None) -> builtins.bytes:
        """A vector of bytes, opaque x<minimum..maximum> with a `length_size`-byte prefix."""
        with self.group(length_size, fld, minimum, maximum, index) as span:
            value = self.data[self.pos : self.end]
            self.pos = self.end
            span.value = lambda: (fld.show or _show)(value)
        return value

    def codes(self, length_size: int, item_size: int, fld: Field, item: Field,
              enum_type: type[enum.IntEnum], minimum: int = 0, maximum: int | None = None,
              unit: str = "value") -> tuple[Any, ...]:
        """A vector of code points: each value as its `enum_type` member, or the plain int
        when it has none (GREASE, suites we do not name)."""
        members = enum_type._value2member_map_
        with self.group(length_size, fld, minimum, maximum) as span:
            if self.spans is None and (self.end - self.pos) % item_size == 0:  # the fast way
                start, self.pos = self.pos, self.end
                return code_points(self.data, start, self.end - start, item_size, enum_type)
            values = self.each(lambda i: members.get(v := self.number(item_size, item, i), v))
            span.value = lambda: plural(len(values), unit)
        return tuple(values)

    def each(self, read: Callable[[int], _T]) -> list[_T]:
        """Call `read(index)` until the current block is used up; the results in order."""
        items: list[_T] = []
        while self.pos < self.end:
            items.append(read(len(items)))
        return items

    def scope(self, name: str) -> Span:
        """Fields read inside get `name.` in front of their path (no span of its own)."""
        self._path.append((name, None))
        return Span(self, None, None, self.pos, 0, None)

    def item(self, fld: Field, index: int | None = None) -> Span:
        """A structure with no length prefix of its own: one span around what is read
        inside, whose fields sit one level deeper under its path."""
        return self._open(fld, index, None)

    def group(self, length_size: int, fld: Field, minimum: int = 0,
              maximum: int | None = None, index: int | None = None) -> Span:
        """A length-prefixed vector x<minimum..maximum>: reads its length (recorded as
        `<path>.length`), bounds the reader to it, and checks it is consumed exactly."""
        span = self._open(fld, index, self.end)
        length = self.number(length_size, _LENGTH)
        if self.spans is not None:  # say whose length it is
            last = self.spans.spans[-1]
            self.spans.spans[-1] = dataclasses.replace(
                last, meaning=f"How many bytes of {fld.label.lower()} follow", rfc=fld.rfc)
        if length < minimum or (maximum is not None and length > maximum):
            limit = f"{minimum}..{maximum}" if maximum is not None else f"at least {minimum}"
            self.fail(self.path(), f"length {length}, expected {limit}", fld.rfc, span._start)
        if length > self.end - self.pos:
            self.fail(self.path(), f"length {length} overruns its container by "
                      f"{plural(length - (self.end - self.pos), 'byte')}", fld.rfc, span._start)
        self.end = self.pos + length
        span._size = length
        return span

    def _open(self, fld: Field, index: int | None, outer_end: int | None) -> Span:
        self._path.append((fld.name, index))
        slot = 0
        if self.spans is not None:
            self.spans.depth += 1
            slot = len(self.spans.spans)
        return Span(self, fld, index, self.pos, slot, outer_end)

    def _close(self, span: Span) -> None:
        fld = span._fld
        if fld is None:  # a scope
            self._path.pop()
            return
        if span._outer_end is not None:
            if self.pos != self.end:
                self.fail(self.path(), f"{plural(self.end - self.pos, 'byte')} left over "
                          "inside it", fld.rfc)
            self.end = span._outer_end
        else:
            span._size = self.pos - span._start
        self._path.pop()
        if self.spans is not None:
            self.spans.depth -= 1
            value = span.value
            text = value() if callable(value) else value or plural(span._size, "byte")
            self._note(span._start, fld, span._index, None, text)
            self.spans.spans.insert(span._slot, self.spans.spans.pop())


_LENGTH = Field("length", "Length", "How many bytes follow")
_STRUCT_CODES = {1: "B", 2: "H", 4: "I"}  # struct's big-endian unsigned code for each size


@lru_cache(maxsize=128)  # bounded: a peer's vectors choose `count`
def _vector_struct(count: int, size: int, length_size: int = 0) -> struct.Struct | None:
    """The struct that reads or writes `count` big-endian `size`-byte integers (after a
    `length_size`-byte length, if any), made once per shape; None for sizes struct lacks."""
    if size not in _STRUCT_CODES or (length_size and length_size not in _STRUCT_CODES):
        return None
    prefix = _STRUCT_CODES[length_size] if length_size else ""
    return struct.Struct(f">{prefix}{count}{_STRUCT_CODES[size]}")


def code_points(data: builtins.bytes, start: int, length: int, item_size: int,
                enum_type: type[enum.IntEnum]) -> tuple[Any, ...]:
    """`length` bytes from `start` as big-endian `item_size`-byte code points, each as its
    `enum_type` member or the plain int when it has none."""
    get = value_map(enum_type).get
    shape = _vector_struct(length // item_size, item_size)
    if shape is None:
        values: tuple[int, ...] = tuple([int.from_bytes(data[at : at + item_size], "big")
                                         for at in range(start, start + length, item_size)])
    else:
        values = shape.unpack_from(data, start)
    return tuple(map(get, values, values))  # get(v, v): the member, or v itself


class _Unnamed(DecodeError):
    """A fault a `FastReader` found but does not name: the caller reads again with a
    `Reader`, which names it."""


def unnamed_fault() -> NoReturn:
    """A `FastReader`'s fault: a DecodeError that the caller re-reads with a `Reader`."""
    raise _Unnamed("malformed (re-read with a Reader to name the field)", SECTION)


class _FastBlock:
    """An open `FastReader.group`: leaving it checks the block was used up."""

    __slots__ = ("value", "_reader", "_outer_end")

    def __init__(self, reader: FastReader, outer_end: int) -> None:
        self._reader = reader
        self._outer_end = outer_end

    def __enter__(self) -> _FastBlock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is None:
            reader = self._reader
            if reader.pos != reader.end:
                unnamed_fault()
            reader.end = self._outer_end


class _NoSpan:
    """What a `FastReader`'s `item` and `scope` open: nothing to check, nothing to record
    (a `value` set on it is dropped)."""

    __slots__ = ("value",)

    def __enter__(self) -> _NoSpan:
        return self

    def __exit__(self, *_: object) -> None:
        return None


_NO_SPAN = _NoSpan()


class FastReader(Reader):
    """A `Reader` for when no byte map is wanted and the bytes are usually good: it keeps
    no path and opens no spans, and a fault raises a DecodeError that does not name the
    field. Whoever uses one must, on any exception, read the same bytes again with a
    plain `Reader` (see `message_base.read_handshake`): the two accept exactly the same
    bytes and return equal values, and the `Reader` raises the alert that names the fault.
    The path-taking helpers (`path`) answer "" here, since only a fault would show them."""

    base = 0  # the same for every FastReader: set once here, not per message
    spans = None
    _path: list[tuple[str, int | None]] = []  # never grown: the path-keeping reads are overridden

    def __init__(self, data: builtins.bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data)

    def path(self, fld: Field | None = None, index: int | None = None) -> str:
        return ""

    def fail(self, where: str, problem: str, rfc: str = "", at: int | None = None) -> NoReturn:
        unnamed_fault()

    def number(self, size: int, fld: Field, index: int | None = None) -> int:
        start = self.pos
        stop = start + size
        if stop > self.end:
            unnamed_fault()
        self.pos = stop
        return int.from_bytes(self.data[start:stop], "big")

    def fixed(self, count: int, fld: Field, index: int | None = None) -> builtins.bytes:
        start = self.pos
        stop = start + count
        if stop > self.end:
            unnamed_fault()
        self.pos = stop
        return self.data[start:stop]

    def rest(self, fld: Field) -> builtins.bytes:
        start, self.pos = self.pos, self.end
        return self.data[start : self.end]

    def length_prefix(self, length_size: int, minimum: int, maximum: int | None) -> int:
        """Read a length prefix; the bytes it covers must fit in the block and the
        bounds: the new position is where they start."""
        body = self.pos + length_size
        length = int.from_bytes(self.data[self.pos : body], "big")  # short if cut: then caught below
        if body + length > self.end or length < minimum or (maximum is not None and length > maximum):
            unnamed_fault()
        self.pos = body
        return length

    def opaque(self, length_size: int, fld: Field, minimum: int = 0,
               maximum: int | None = None, index: int | None = None) -> builtins.bytes:
        start = self.pos + length_size
        stop = start + self.length_prefix(length_size, minimum, maximum)
        self.pos = stop
        return self.data[start:stop]

    def codes(self, length_size: int, item_size: int, fld: Field, item: Field,
              enum_type: type[enum.IntEnum], minimum: int = 0, maximum: int | None = None,
              unit: str = "value") -> tuple[Any, ...]:
        length = self.length_prefix(length_size, minimum, maximum)
        if length % item_size:
            unnamed_fault()
        start = self.pos
        self.pos = start + length
        return code_points(self.data, start, length, item_size, enum_type)

    def scope(self, name: str) -> Span:
        return _NO_SPAN  # type: ignore[return-value]

    def item(self, fld: Field, index: int | None = None) -> Span:
        return _NO_SPAN  # type: ignore[return-value]

    def group(self, length_size: int, fld: Field, minimum: int = 0,
              maximum: int | None = None, index: int | None = None) -> Span:
        length = self.length_prefix(length_size, minimum, maximum)
        block = _FastBlock(self, self.end)
        self.end = self.pos + length
        return block  # type: ignore[return-value]


def _segment(name: str, index: int | None) -> str:
    return name if index is None else f"{name}[{index}]"


class Writer:
    """Builds bytes; length prefixes are written by `block`."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def uint(self, value: int, size: int) -> None:
        self.buffer += value.to_bytes(size, "big")

    def uint8(self, value: int) -> None:
        self.buffer += value.to_bytes(1, "big")

    def uint16(self, value: int) -> None:
        self.buffer += value.to_bytes(2, "big")

    def uint24(self, value: int) -> None:
        self.buffer += value.to_bytes(3, "big")

    def uint32(self, value: int) -> None:
        self.buffer += value.to_bytes(4, "big")

    def bytes(self, value: builtins.bytes) -> None:
        self.buffer += value

    def vector(self, value: builtins.bytes, length_size: int) -> None:
        self.buffer += len(value).to_bytes(length_size, "big") + value

    def numbers(self, values: Sequence[int], size: int, length_size: int) -> None:
        """A vector of `size`-byte integers with a `length_size`-byte length prefix."""
        shape = _vector_struct(len(values), size, length_size)
        if shape is not None:
            try:
                self.buffer += shape.pack(len(values) * size, *values)
                return
            except struct.error:  # a value or the length out of range: to_bytes says which
                pass
        body = b"".join([value.to_bytes(size, "big") for value in values])
        self.buffer += len(body).to_bytes(length_size, "big") + body

    def block(self, length_size: int) -> _Block:
        """`with w.block(n):` writes what is inside after an n-byte length prefix."""
        return _Block(self, length_size)

    def getvalue(self) -> builtins.bytes:
        return bytes(self.buffer)


class _Block:
    """The open `Writer.block`: fills in the length prefix when it closes."""

    __slots__ = ("_writer", "_length_size", "_start")

    def __init__(self, writer: Writer, length_size: int) -> None:
        self._writer = writer
        self._length_size = length_size
        self._start = len(writer.buffer)
        writer.buffer += bytes(length_size)

    def __enter__(self) -> Writer:
        return self._writer

    def __exit__(self, *_: object) -> None:
        buffer, start, size = self._writer.buffer, self._start, self._length_size
        buffer[start : start + size] = (len(buffer) - start - size).to_bytes(size, "big")


class SpanRecorder:
    """Collects FieldSpans while a message is laid out, with a nesting depth."""

    def __init__(self, prefix: str = "") -> None:
        self.spans: list[FieldSpan] = []
        self.prefix = prefix
        self.depth = 0

    def add(self, start: int, end: int, path: str, label: str, value: str, meaning: str, rfc: str = "") -> None:
        full = f"{self.prefix}.{path}" if self.prefix else path
        self.spans.append(FieldSpan(start, end, full, label, value, meaning, rfc, self.depth))

    @contextmanager
    def nested(self) -> Iterator[SpanRecorder]:
        self.depth += 1
        yield self
        self.depth -= 1
