"""Reading and writing TLS wire structures (RFC 8446 §3): integers, vectors, blocks.

`Reader` raises `DecodeError` (the alert) with the field name and the offset whenever
bytes run out or a length prefix overruns its parent, so a malformed message always
becomes the decode_error alert, never an IndexError. `Writer` builds bytes with
length-prefixed blocks. Both can record a byte map as they go (`span`).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from engine.bytemap import FieldSpan
from engine.tls.alerts import DecodeError

SECTION = "RFC 8446 §3"


class Reader:
    """Pulls fields from bytes; `end` bounds the current block."""

    def __init__(self, data: bytes, base: int = 0) -> None:
        self.data = data
        self.pos = 0
        self.end = len(data)
        self.base = base  # offset of data[0] within the whole message, for error messages

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def _take(self, count: int, field: str) -> bytes:
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

    def bytes(self, count: int, field: str) -> bytes:
        return self._take(count, field)

    def vector(self, length_size: int, field: str, minimum: int = 0, maximum: int | None = None) -> bytes:
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


class Writer:
    """Builds bytes; length prefixes are written by `block`."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def uint(self, value: int, size: int) -> None:
        self.buffer += value.to_bytes(size, "big")

    def uint8(self, value: int) -> None:
        self.uint(value, 1)

    def uint16(self, value: int) -> None:
        self.uint(value, 2)

    def uint24(self, value: int) -> None:
        self.uint(value, 3)

    def uint32(self, value: int) -> None:
        self.uint(value, 4)

    def bytes(self, value: bytes) -> None:
        self.buffer += value

    def vector(self, value: bytes, length_size: int) -> None:
        self.uint(len(value), length_size)
        self.buffer += value

    @contextmanager
    def block(self, length_size: int) -> Iterator[Writer]:
        start = len(self.buffer)
        self.buffer += bytes(length_size)
        yield self
        length = len(self.buffer) - start - length_size
        self.buffer[start : start + length_size] = length.to_bytes(length_size, "big")

    def getvalue(self) -> bytes:
        return bytes(self.buffer)


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
