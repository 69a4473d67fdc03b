"""TCP options (RFC 9293 §3.1, RFC 7323, RFC 2018): typed values, their bytes, their byte map.

Each option class knows its own body (the bytes after kind and length), how to read one
back, its one-word summary and the fields of its byte map; the functions at the bottom walk
an option list. The option classes and `TcpDecodeError` are re-exported by
`engine.tcp.segment`, which is where the rest of the engine imports them from; they live
here because option decoding raises it and segment.py imports this module.

Layout rules: kinds 0 (End of Option List) and 1 (No-Operation) are one byte; every other
option is kind, length (counting those two bytes) and a body. After End of Option List,
nothing is an option: the bytes up to the data offset are padding (`option_padding`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

from engine.bytemap import FieldSpan
from engine.errors import DecodeError, SynackError

__all__ = [
    "MAX_OPTIONS_LENGTH",
    "EndOfOptionList",
    "MaxSegmentSize",
    "NoOperation",
    "Sack",
    "SackPermitted",
    "TcpDecodeError",
    "TcpEncodeError",
    "TcpOption",
    "Timestamps",
    "UnknownOption",
    "WindowScale",
    "check_uint",
    "decode_options",
    "encode_options",
    "option_spans",
    "options_summary",
]

MAX_OPTIONS_LENGTH = 40  # a 4-bit data offset allows 15 words = 60 bytes of header


class TcpDecodeError(DecodeError):
    """A segment's bytes do not decode; names the field and offset (see DecodeError)."""


class TcpEncodeError(SynackError, ValueError):
    """A Segment's fields cannot be written as TCP bytes (a value out of its field's range,
    options too long, ...). `field` names the offending field, as in the byte map."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def check_uint(name: str, value: int, bits: int) -> None:
    """Raise TcpEncodeError unless `value` fits an unsigned field of `bits` bits."""
    if not 0 <= value < 1 << bits:
        raise TcpEncodeError(name, f"{value} does not fit in {bits} bits (0..{(1 << bits) - 1})")


class _Part(NamedTuple):
    """One field inside an option's body, for the byte map."""

    name: str
    size: int
    label: str
    value: str
    meaning: str


class _Option:
    """Behaviour shared by the option dataclasses; `kind` is a dataclass field on each."""

    __slots__ = ()
    kind: int
    label: ClassVar[str]
    meaning: ClassVar[str]
    rfc: ClassVar[str] = "RFC 9293 §3.1"
    fixed_length: ClassVar[int | None] = None  # total length incl. kind and length bytes
    length_rule: ClassVar[str] = ""

    @classmethod
    def length_ok(cls, length: int) -> bool:
        return length == cls.fixed_length

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        raise NotImplementedError  # only the kinds in _DECODERS are read back this way

    def body(self) -> bytes:
        return b""

    def check(self, name: str) -> None:
        """Raise TcpEncodeError if a field cannot be written; `name` is the option's path."""

    def parts(self) -> list[_Part]:
        return []

    def short(self) -> str:
        """This option in a ladder label ("mss 1460"); empty for fillers."""
        return ""

    def value_text(self) -> str:
        """This option's value in the byte map."""
        return self.short() or self.label


@dataclass(frozen=True, slots=True)
class EndOfOptionList(_Option):
    kind: int = field(default=0, init=False)
    label: ClassVar[str] = "End of option list"
    meaning: ClassVar[str] = (
        "End of Option List: no option follows; the bytes up to the data offset are padding"
    )


@dataclass(frozen=True, slots=True)
class NoOperation(_Option):
    kind: int = field(default=1, init=False)
    label: ClassVar[str] = "No-operation"
    meaning: ClassVar[str] = (
        "No-Operation: a one-byte filler that lines the next option up on a word boundary"
    )


@dataclass(frozen=True, slots=True)
class MaxSegmentSize(_Option):
    mss: int
    kind: int = field(default=2, init=False)
    label: ClassVar[str] = "Maximum segment size"
    meaning: ClassVar[str] = (
        "Maximum Segment Size: the largest payload this end will accept in one segment;"
        " sent only in a SYN"
    )
    rfc: ClassVar[str] = "RFC 9293 §3.7.1"
    fixed_length: ClassVar[int | None] = 4
    length_rule: ClassVar[str] = "exactly 4 bytes"

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        return cls(int.from_bytes(body, "big"))

    def body(self) -> bytes:
        return self.mss.to_bytes(2, "big")

    def check(self, name: str) -> None:
        check_uint(f"{name}.mss", self.mss, 16)

    def parts(self) -> list[_Part]:
        return [_Part("mss", 2, "MSS", f"{self.mss} bytes",
                      "The most payload bytes the sender of this SYN wants in one segment")]

    def short(self) -> str:
        return f"mss {self.mss}"


@dataclass(frozen=True, slots=True)
class WindowScale(_Option):
    shift: int
    kind: int = field(default=3, init=False)
    label: ClassVar[str] = "Window scale"
    meaning: ClassVar[str] = (
        "Window Scale: this end's later window fields count in units of 2^shift bytes;"
        " only in a SYN, and used only if both ends send it"
    )
    rfc: ClassVar[str] = "RFC 7323 §2"
    fixed_length: ClassVar[int | None] = 3
    length_rule: ClassVar[str] = "exactly 3 bytes"

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        return cls(body[0])

    def body(self) -> bytes:
        return bytes([self.shift])

    def check(self, name: str) -> None:
        check_uint(f"{name}.shift", self.shift, 8)

    def parts(self) -> list[_Part]:
        factor = 1 << min(self.shift, 14)
        return [_Part("shift", 1, "Shift count", f"{self.shift} (windows x {factor})",
                      "How far this end's windows are shifted left; above 14 counts as 14")]

    def short(self) -> str:
        return f"ws {self.shift}"


@dataclass(frozen=True, slots=True)
class SackPermitted(_Option):
    kind: int = field(default=4, init=False)
    label: ClassVar[str] = "SACK permitted"
    meaning: ClassVar[str] = (
        "SACK Permitted: this end understands selective acknowledgments; sent only in a SYN"
    )
    rfc: ClassVar[str] = "RFC 2018 §2"
    fixed_length: ClassVar[int | None] = 2
    length_rule: ClassVar[str] = "exactly 2 bytes"

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        return cls()

    def short(self) -> str:
        return "sackOK"


@dataclass(frozen=True, slots=True)
class Sack(_Option):
    blocks: tuple[tuple[int, int], ...]
    kind: int = field(default=5, init=False)
    label: ClassVar[str] = "Selective acknowledgment"
    meaning: ClassVar[str] = (
        "SACK: blocks of data received beyond a gap, so the sender resends only what is missing"
    )
    rfc: ClassVar[str] = "RFC 2018 §3"
    length_rule: ClassVar[str] = "2 + 8n bytes (n blocks of two 4-byte edges)"

    @classmethod
    def length_ok(cls, length: int) -> bool:
        return length >= 2 and (length - 2) % 8 == 0

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        edges = struct.unpack(f"!{len(body) // 4}I", body)
        return cls(tuple(zip(edges[::2], edges[1::2])))

    def body(self) -> bytes:
        return b"".join(struct.pack("!II", left, right) for left, right in self.blocks)

    def check(self, name: str) -> None:
        for j, (left, right) in enumerate(self.blocks):
            check_uint(f"{name}.blocks[{j}].left", left, 32)
            check_uint(f"{name}.blocks[{j}].right", right, 32)

    def parts(self) -> list[_Part]:
        return [
            _Part(f"blocks[{j}]", 8, f"Block {j}", f"{left}-{right}",
                  "Left edge (first byte received) and right edge (one past the last)")
            for j, (left, right) in enumerate(self.blocks)
        ]

    def short(self) -> str:
        return "sack " + " ".join(f"{left}-{right}" for left, right in self.blocks)


@dataclass(frozen=True, slots=True)
class Timestamps(_Option):
    value: int
    echo_reply: int
    kind: int = field(default=8, init=False)
    label: ClassVar[str] = "Timestamps"
    meaning: ClassVar[str] = (
        "Timestamps: the sender's clock and an echo of the peer's, to measure round-trip time"
        " and reject old duplicates (PAWS)"
    )
    rfc: ClassVar[str] = "RFC 7323 §3"
    fixed_length: ClassVar[int | None] = 10
    length_rule: ClassVar[str] = "exactly 10 bytes"

    @classmethod
    def from_body(cls, body: bytes) -> TcpOption:
        return cls(*struct.unpack("!II", body))

    def body(self) -> bytes:
        return struct.pack("!II", self.value, self.echo_reply)

    def check(self, name: str) -> None:
        check_uint(f"{name}.value", self.value, 32)
        check_uint(f"{name}.echo_reply", self.echo_reply, 32)

    def parts(self) -> list[_Part]:
        return [
            _Part("value", 4, "TS value", str(self.value),
                  "The sender's timestamp clock when it sent this segment"),
            _Part("echo_reply", 4, "TS echo reply", str(self.echo_reply),
                  "The latest TS value received from the peer, echoed back (0 in a first SYN)"),
        ]

    def short(self) -> str:
        return "ts"

    def value_text(self) -> str:
        return f"val {self.value} ecr {self.echo_reply}"


@dataclass(frozen=True, slots=True)
class UnknownOption(_Option):
    """An option kind we do not interpret; kept byte for byte so re-encoding is exact."""

    kind: int
    data: bytes
    label: ClassVar[str] = "Unknown option"
    meaning: ClassVar[str] = (
        "An option kind this game does not interpret; a receiver skips options it does not know"
    )

    def body(self) -> bytes:
        return self.data

    def check(self, name: str) -> None:
        check_uint(f"{name}.kind", self.kind, 8)
        if self.kind in (0, 1):
            raise TcpEncodeError(f"{name}.kind", "kinds 0 and 1 are one-byte options; use "
                                 "EndOfOptionList or NoOperation")
        if len(self.data) > 0xFF - 2:
            raise TcpEncodeError(f"{name}.data",
                                 f"{len(self.data)} bytes do not fit the length byte")

    def parts(self) -> list[_Part]:
        if not self.data:
            return []
        return [_Part("data", len(self.data), "Data", self.data.hex(" "),
                      "The option's body, as sent")]

    def short(self) -> str:
        return f"opt {self.kind}"


TcpOption = (
    EndOfOptionList | NoOperation | MaxSegmentSize | WindowScale | SackPermitted | Sack
    | Timestamps | UnknownOption
)

_DECODERS: dict[int, type[_Option]] = {
    2: MaxSegmentSize, 3: WindowScale, 4: SackPermitted, 5: Sack, 8: Timestamps,
}
_ONE_BYTE: dict[int, TcpOption] = {0: EndOfOptionList(), 1: NoOperation()}


# --- encoding ------------------------------------------------------------------------------

def _encode_option(option: TcpOption) -> bytes:
    if isinstance(option, (EndOfOptionList, NoOperation)):
        return bytes([option.kind])
    body = option.body()
    return bytes([option.kind, 2 + len(body)]) + body


def _check_options(options: tuple[TcpOption, ...], padding: bytes) -> None:
    for i, option in enumerate(options):
        option.check(f"options[{i}]")
        if isinstance(option, EndOfOptionList) and i != len(options) - 1:
            raise TcpEncodeError(f"options[{i + 1}]", "nothing after End of Option List is "
                                 "read as an option; put such bytes in option_padding")
    if padding and not (options and isinstance(options[-1], EndOfOptionList)):
        raise TcpEncodeError("option_padding", "padding may only follow End of Option List")


def _zero_fill(length: int) -> int:
    """Zero bytes that bring an options area of `length` bytes to a 4-byte boundary."""
    return -length % 4


def encode_options(options: tuple[TcpOption, ...], padding: bytes = b"") -> bytes:
    """The options area: each option, then `padding` verbatim, then zeros to a word boundary.

    Raises TcpEncodeError for a field out of range or an area longer than 40 bytes.
    """
    _check_options(options, padding)
    area = b"".join(_encode_option(option) for option in options) + padding
    area += bytes(_zero_fill(len(area)))
    if len(area) > MAX_OPTIONS_LENGTH:
        raise TcpEncodeError("options", f"{len(area)} bytes of options (with padding) exceed "
                             f"the {MAX_OPTIONS_LENGTH} a 4-bit data offset allows")
    return area


# --- decoding ------------------------------------------------------------------------------

def _option_length(area: bytes, at: int, index: int, base: int) -> int:
    """Read and bounds-check the length byte of the option whose kind byte is at `at`."""
    field_name = f"options[{index}].length"
    if at + 1 >= len(area):
        raise TcpDecodeError(field_name, base + at + 1,
                             "option kind has no length byte before the options area ends")
    length = area[at + 1]
    if length < 2:
        raise TcpDecodeError(field_name, base + at + 1,
                             f"length {length} is less than 2 (kind and length bytes)")
    if at + length > len(area):
        raise TcpDecodeError(field_name, base + at + 1,
                             f"length {length} runs {at + length - len(area)} bytes past the "
                             f"end of the options area (byte {base + len(area)})")
    return length


def _decode_option(kind: int, length: int, body: bytes, index: int, offset: int) -> TcpOption:
    decoder = _DECODERS.get(kind)
    if decoder is None:
        return UnknownOption(kind, body)
    if not decoder.length_ok(length):
        raise TcpDecodeError(f"options[{index}].length", offset + 1,
                             f"{decoder.label} option must be {decoder.length_rule}, "
                             f"found {length}")
    return decoder.from_body(body)


def decode_options(area: bytes, base: int) -> tuple[tuple[TcpOption, ...], bytes]:
    """Read an options area into (options, bytes after End of Option List).

    `base` is the area's offset in the segment, so errors name segment offsets.
    """
    options: list[TcpOption] = []
    at = 0
    while at < len(area):
        kind = area[at]
        if kind in _ONE_BYTE:
            options.append(_ONE_BYTE[kind])
            at += 1
            if kind == 0:
                return tuple(options), area[at:]
            continue
        length = _option_length(area, at, len(options), base)
        options.append(_decode_option(kind, length, area[at + 2 : at + length],
                                      len(options), base + at))
        at += length
    return tuple(options), b""


# --- describing ----------------------------------------------------------------------------

def options_summary(options: tuple[TcpOption, ...]) -> str:
    """Options for a ladder label, e.g. "<mss 1460,sackOK,ts,ws 7>"; empty if none shows."""
    words = [word for option in options if (word := option.short())]
    return f"<{','.join(words)}>" if words else ""


_KIND_MEANING = (
    "Option kind: which option this is (2 MSS, 3 window scale, 4 SACK-permitted, 5 SACK,"
    " 8 timestamps)"
)
_PADDING_MEANING = "Padding: zero bytes that fill the header to a multiple of 4 bytes; never read"
_LENGTH_MEANING = "Option length: this option's size in bytes, counting the kind and length bytes"


def _spans_of_option(option: TcpOption, index: int, start: int) -> list[FieldSpan]:
    path = f"tcp.options[{index}]"
    encoded = _encode_option(option)
    end = start + len(encoded)
    spans = [FieldSpan(start, end, path, option.label, option.value_text(), option.meaning,
                       option.rfc)]
    if len(encoded) == 1:
        return spans
    spans.append(FieldSpan(start, start + 1, f"{path}.kind", "Kind", str(option.kind),
                           _KIND_MEANING, "RFC 9293 §3.1", 1))
    spans.append(FieldSpan(start + 1, start + 2, f"{path}.length", "Length", str(len(encoded)),
                           _LENGTH_MEANING, "RFC 9293 §3.1", 1))
    at = start + 2
    for part in option.parts():
        spans.append(FieldSpan(at, at + part.size, f"{path}.{part.name}", part.label,
                               part.value, part.meaning, option.rfc, 1))
        at += part.size
    return spans


def option_spans(options: tuple[TcpOption, ...], padding: bytes, start: int) -> list[FieldSpan]:
    """Byte-map spans for the options area `encode_options` writes, starting at `start`."""
    spans: list[FieldSpan] = []
    at = start
    for index, option in enumerate(options):
        spans += _spans_of_option(option, index, at)
        at += len(_encode_option(option))
    if padding:
        spans.append(FieldSpan(at, at + len(padding), "tcp.option_padding", "Option padding",
                               padding.hex(" "), _PADDING_MEANING, "RFC 9293 §3.1"))
        at += len(padding)
    if fill := _zero_fill(at - start):
        spans.append(FieldSpan(at, at + fill, "tcp.padding", "Padding", bytes(fill).hex(" "),
                               _PADDING_MEANING, "RFC 9293 §3.1"))
    return spans
