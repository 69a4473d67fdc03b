"""TCP segments (RFC 9293 §3.1): the header, its options and payload, as typed values.

OWNERSHIP: the segment-codec helper implements encode/decode/byte_map here.
The dataclass fields and the names below are the contract other modules use.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field

from engine.bytemap import FieldSpan
from engine.errors import DecodeError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Flag(enum.IntFlag):
    FIN = 0x01
    SYN = 0x02
    RST = 0x04
    PSH = 0x08
    ACK = 0x10
    URG = 0x20
    ECE = 0x40
    CWR = 0x80


class SegmentKind(enum.Enum):
    """What a segment is, in the words of a ladder diagram: the player's move vocabulary."""

    SYN = "SYN"
    SYN_ACK = "SYN-ACK"
    ACK = "ACK"
    DATA = "DATA"
    FIN = "FIN"
    RST = "RST"
    RST_ACK = "RST-ACK"

    @property
    def flags(self) -> Flag:
        return _KIND_FLAGS[self]


_KIND_FLAGS: dict[SegmentKind, Flag] = {
    SegmentKind.SYN: Flag.SYN,
    SegmentKind.SYN_ACK: Flag.SYN | Flag.ACK,
    SegmentKind.ACK: Flag.ACK,
    SegmentKind.DATA: Flag.PSH | Flag.ACK,
    SegmentKind.FIN: Flag.FIN | Flag.ACK,
    SegmentKind.RST: Flag.RST,
    SegmentKind.RST_ACK: Flag.RST | Flag.ACK,
}


class TcpDecodeError(DecodeError):
    """A segment's bytes do not decode; names the field and offset (see DecodeError)."""


# --- options (RFC 9293 §3.2, RFC 7323, RFC 2018) ---------------------------------------

@dataclass(frozen=True, slots=True)
class EndOfOptionList:
    kind: int = field(default=0, init=False)


@dataclass(frozen=True, slots=True)
class NoOperation:
    kind: int = field(default=1, init=False)


@dataclass(frozen=True, slots=True)
class MaxSegmentSize:
    mss: int
    kind: int = field(default=2, init=False)


@dataclass(frozen=True, slots=True)
class WindowScale:
    shift: int
    kind: int = field(default=3, init=False)


@dataclass(frozen=True, slots=True)
class SackPermitted:
    kind: int = field(default=4, init=False)


@dataclass(frozen=True, slots=True)
class Sack:
    blocks: tuple[tuple[int, int], ...]
    kind: int = field(default=5, init=False)


@dataclass(frozen=True, slots=True)
class Timestamps:
    value: int
    echo_reply: int
    kind: int = field(default=8, init=False)


@dataclass(frozen=True, slots=True)
class UnknownOption:
    """An option kind we do not interpret; kept byte for byte so re-encoding is exact."""

    kind: int
    data: bytes


TcpOption = (
    EndOfOptionList | NoOperation | MaxSegmentSize | WindowScale | SackPermitted | Sack
    | Timestamps | UnknownOption
)


@dataclass(frozen=True, slots=True)
class Segment:
    """One TCP segment. `checksum=None` means "compute it when encoding"."""

    src_port: int
    dst_port: int
    seq: int
    ack: int
    flags: Flag
    window: int
    urgent: int = 0
    options: tuple[TcpOption, ...] = ()
    payload: bytes = b""
    checksum: int | None = None
    reserved: int = 0
    # Bytes after an End-of-Option-List option, up to the data offset (normally zeros).
    option_padding: bytes = b""

    @property
    def seg_len(self) -> int:
        """Sequence space the segment occupies: payload plus one each for SYN and FIN."""
        return len(self.payload) + (Flag.SYN in self.flags) + (Flag.FIN in self.flags)

    @property
    def kind(self) -> SegmentKind:
        raise NotImplementedError

    def summary(self) -> str:
        """A ladder label, e.g. "SYN-ACK seq=90210 ack=2837462 win=64240"."""
        raise NotImplementedError

    def encode(self, src_ip: IPAddress, dst_ip: IPAddress) -> bytes:
        raise NotImplementedError

    @classmethod
    def decode(
        cls, data: bytes, src_ip: IPAddress, dst_ip: IPAddress, *, verify_checksum: bool = True
    ) -> Segment:
        raise NotImplementedError

    def byte_map(self) -> list[FieldSpan]:
        raise NotImplementedError
