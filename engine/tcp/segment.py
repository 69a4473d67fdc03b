"""TCP segments (RFC 9293 §3.1): the header, its options and payload, as typed values.

OWNERSHIP: the segment-codec helper implements encode/decode/byte_map here.
The dataclass fields and the names below are the contract other modules use.

The option classes and `TcpDecodeError` live in `engine.tcp.options` (option decoding
raises the error) and are re-exported here; import them from this module.

    encode(decode(b)) == b   for every b that decodes: nothing read is normalised away
                              (the checksum, reserved bits, unknown options and the bytes
                              after End of Option List are all kept).
    decode(encode(s)) == s   when s's options fill whole 4-byte words; otherwise encode
                              adds zero bytes, which read back as an End of Option List.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import NamedTuple

from engine.bytemap import FieldSpan
from engine.tcp.checksum import CHECKSUM_OFFSET, IPAddress, checksum_ok, tcp_checksum
from engine.tcp.options import (
    EndOfOptionList,
    MaxSegmentSize,
    NoOperation,
    Sack,
    SackPermitted,
    TcpDecodeError,
    TcpEncodeError,
    TcpOption,
    Timestamps,
    UnknownOption,
    WindowScale,
    check_uint,
    decode_options,
    encode_options,
    option_spans,
    options_summary,
)

__all__ = [
    "EndOfOptionList",
    "Flag",
    "IPAddress",
    "MaxSegmentSize",
    "NoOperation",
    "Sack",
    "SackPermitted",
    "Segment",
    "SegmentKind",
    "TcpDecodeError",
    "TcpEncodeError",
    "TcpOption",
    "Timestamps",
    "UnknownOption",
    "WindowScale",
]


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

HEADER_LENGTH = 20  # the fixed part, before options
_FIXED = struct.Struct("!HHIIBBHHH")  # ports, seq, ack, offset|reserved, flags, window, sum, urg
_MAX_SEGMENT = 0xFFFF  # the IPv4 pseudo-header (and IPv6 payload) length is 16 bits
_UINT_FIELDS = (
    ("src_port", 16), ("dst_port", 16), ("seq", 32), ("ack", 32), ("reserved", 4),
    ("window", 16), ("urgent", 16),
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
        """The ladder word for this segment, by precedence RST > SYN > FIN > data > ACK.

        RST wins because a reset ends everything else the segment says; SYN next because a
        SYN opens a connection whatever rides along; a FIN with data is still a FIN. A
        segment with none of RST/SYN/FIN and no payload is an ACK: the catch-all, even
        when the ACK bit itself is off. `kind` is a label, not a verdict: whether the
        segment is acceptable is for the endpoint, which reads `flags`.
        """
        flags = self.flags
        if Flag.RST in flags:
            return SegmentKind.RST_ACK if Flag.ACK in flags else SegmentKind.RST
        if Flag.SYN in flags:
            return SegmentKind.SYN_ACK if Flag.ACK in flags else SegmentKind.SYN
        if Flag.FIN in flags:
            return SegmentKind.FIN
        return SegmentKind.DATA if self.payload else SegmentKind.ACK

    def summary(self) -> str:
        """A ladder label, e.g. "SYN-ACK seq=90210 ack=2837462 win=64240"."""
        words = [self._label(), f"seq={self.seq}"]
        if Flag.ACK in self.flags:
            words.append(f"ack={self.ack}")
        words.append(f"win={self.window}")
        if self.payload:
            words.append(f"len={len(self.payload)}")
        if Flag.URG in self.flags:
            words.append(f"urg={self.urgent}")
        if options := options_summary(self.options):
            words.append(options)
        return " ".join(words)

    def _label(self) -> str:
        """The kind's name, "+ECE"-style for flags it does not imply, or "[FIN]"-style
        (the flags as they are) when a flag the kind implies is missing. PSH, a delivery
        hint, is never mentioned."""
        shown = self.flags & ~Flag.PSH
        implied = self.kind.flags & ~Flag.PSH
        if implied & ~shown:
            return f"[{_flag_names(shown, ',') or 'none'}]"
        extra = shown & ~implied
        return self.kind.value + "".join(f"+{flag.name}" for flag in Flag if flag in extra)

    def encode(self, src_ip: IPAddress, dst_ip: IPAddress) -> bytes:
        """The segment's bytes; the checksum is computed over the pseudo-header of `src_ip`
        and `dst_ip` (IPv4 or IPv6) unless `self.checksum` is set, which is written as is.

        Raises TcpEncodeError for a field out of range, and ValueError if the addresses
        are of different IP versions.
        """
        options = encode_options(self.options, self.option_padding)
        segment = self._fixed_header(len(options)) + options + self.payload
        if len(segment) > _MAX_SEGMENT:
            raise TcpEncodeError("payload", f"a {len(segment)}-byte segment exceeds the "
                                 f"{_MAX_SEGMENT} bytes an IP length field can carry")
        checksum = self.checksum
        if checksum is None:
            checksum = tcp_checksum(segment, src_ip, dst_ip)
        return _with_checksum(segment, checksum)

    def _fixed_header(self, options_length: int) -> bytes:
        """The first 20 bytes, checksum zero; raises TcpEncodeError for a value out of range."""
        for name, bits in _UINT_FIELDS:
            check_uint(name, getattr(self, name), bits)
        check_uint("flags", int(self.flags), 8)
        if self.checksum is not None:
            check_uint("checksum", self.checksum, 16)
        words = (HEADER_LENGTH + options_length) // 4
        return _FIXED.pack(self.src_port, self.dst_port, self.seq, self.ack,
                           words << 4 | self.reserved, int(self.flags), self.window, 0,
                           self.urgent)

    @classmethod
    def decode(
        cls, data: bytes, src_ip: IPAddress, dst_ip: IPAddress, *, verify_checksum: bool = True
    ) -> Segment:
        """Read one segment (TCP header onwards) that travelled from `src_ip` to `dst_ip`.

        Raises TcpDecodeError naming the field and byte offset for: a header under 20
        bytes, a data offset below 5 words or past the end, a bad checksum (checked before
        the options, as a real stack does), and a malformed option. The segment keeps the
        checksum it read, so `encode` gives back `data` exactly. Addresses of different IP
        versions are the caller's mistake, not the bytes': ValueError.
        """
        data = bytes(data)
        header_length = _header_length(data)
        if verify_checksum:
            _verify_checksum(data, src_ip, dst_ip)
        (src_port, dst_port, seq, ack, offset_reserved, flags, window, checksum,
         urgent) = _FIXED.unpack_from(data)
        options, padding = decode_options(data[HEADER_LENGTH:header_length], HEADER_LENGTH)
        return cls(
            src_port=src_port, dst_port=dst_port, seq=seq, ack=ack, flags=Flag(flags),
            window=window, urgent=urgent, options=options, payload=data[header_length:],
            checksum=checksum, reserved=offset_reserved & 0x0F, option_padding=padding,
        )

    def byte_map(self) -> list[FieldSpan]:
        """Spans for every field of the encoded segment, ordered by start; offsets count
        from the first byte of the TCP header. Depth-0 spans tile the segment exactly."""
        options_start = HEADER_LENGTH
        option_map = option_spans(self.options, self.option_padding, options_start)
        payload_start = option_map[-1].end if option_map else options_start
        values = self._header_values(payload_start)
        spans = [
            FieldSpan(f.start, f.end, f"tcp.{f.name}", f.label, values[f.name], f.meaning,
                      f.rfc, f.depth)
            for f in _HEADER_FIELDS
        ]
        spans += option_map
        if self.payload:
            spans.append(FieldSpan(payload_start, payload_start + len(self.payload),
                                   "tcp.payload", "Payload", f"{len(self.payload)} bytes",
                                   _PAYLOAD_MEANING, _RFC))
        return spans

    def _header_values(self, header_length: int) -> dict[str, str]:
        """Each fixed-header field's value as a player reads it, keyed by field name."""
        checksum = "computed when sent" if self.checksum is None else f"0x{self.checksum:04x}"
        values = {
            "src_port": str(self.src_port),
            "dst_port": str(self.dst_port),
            "seq": str(self.seq),
            "ack": _unless_flag(str(self.ack), Flag.ACK, self.flags),
            "offset_reserved": f"0x{header_length // 4 << 4 | self.reserved:02x}",
            "data_offset": f"{header_length // 4} ({header_length} bytes)",
            "reserved": f"{self.reserved:04b}",
            "flags": f"0x{int(self.flags):02x} ({_flag_names(self.flags, ', ') or 'none'})",
            "window": str(self.window),
            "checksum": checksum,
            "urgent": _unless_flag(str(self.urgent), Flag.URG, self.flags),
        }
        for flag in Flag:
            values[f"flags.{flag.name}"] = "set" if flag in self.flags else "not set"
        return values


def _flag_names(flags: Flag, separator: str) -> str:
    return separator.join(str(flag.name) for flag in Flag if flag in flags)


def _unless_flag(value: str, flag: Flag, flags: Flag) -> str:
    return value if flag in flags else f"{value} (not in use: {flag.name} is off)"


def _with_checksum(segment: bytes, checksum: int) -> bytes:
    return segment[:CHECKSUM_OFFSET] + checksum.to_bytes(2, "big") + segment[CHECKSUM_OFFSET + 2:]


def _header_length(data: bytes) -> int:
    """The data offset in bytes, after checking the header is there to read."""
    if len(data) < HEADER_LENGTH:
        raise TcpDecodeError("header", len(data), f"only {len(data)} bytes; a TCP header "
                             f"needs at least {HEADER_LENGTH}")
    words = data[12] >> 4
    if words < 5:
        raise TcpDecodeError("data_offset", 12, f"data offset {words} words ({words * 4} "
                             "bytes) is below the 5-word minimum header")
    if words * 4 > len(data):
        raise TcpDecodeError("data_offset", 12, f"data offset {words} words ({words * 4} "
                             f"bytes) is past the end of the {len(data)}-byte segment")
    return words * 4


def _verify_checksum(data: bytes, src_ip: IPAddress, dst_ip: IPAddress) -> None:
    if len(data) > _MAX_SEGMENT:
        raise TcpDecodeError("payload", _MAX_SEGMENT, f"a {len(data)}-byte segment exceeds "
                             f"the {_MAX_SEGMENT} bytes an IP length field can carry")
    if not checksum_ok(data, src_ip, dst_ip):
        found = int.from_bytes(data[CHECKSUM_OFFSET:CHECKSUM_OFFSET + 2], "big")
        expected = tcp_checksum(data, src_ip, dst_ip)
        raise TcpDecodeError("checksum", CHECKSUM_OFFSET,
                             f"expected 0x{expected:04x}, found 0x{found:04x}")


# --- the byte map's fixed header ------------------------------------------------------------

_RFC = "RFC 9293 §3.1"
_ECN_RFC = "RFC 3168 §6.1"
_PAYLOAD_MEANING = (
    "Data: the application's bytes; the first is numbered by the sequence number"
)


class _HeaderField(NamedTuple):
    start: int
    end: int
    name: str
    label: str
    meaning: str
    rfc: str = _RFC
    depth: int = 0


_FLAG_FIELDS = (
    _HeaderField(13, 14, "flags.CWR", "CWR", "Congestion Window Reduced: the sender has slowed "
                 "down after an ECN-Echo", _ECN_RFC, 1),
    _HeaderField(13, 14, "flags.ECE", "ECE", "ECN-Echo: in a SYN, 'I can do ECN'; later, 'a "
                 "router marked your packets as congested'", _ECN_RFC, 1),
    _HeaderField(13, 14, "flags.URG", "URG", "Urgent: the urgent pointer field is in use",
                 depth=1),
    _HeaderField(13, 14, "flags.ACK", "ACK", "Acknowledgment: the acknowledgment number is "
                 "in use; set on every segment after the first SYN", depth=1),
    _HeaderField(13, 14, "flags.PSH", "PSH", "Push: hand the data to the application now "
                 "instead of waiting for more", depth=1),
    _HeaderField(13, 14, "flags.RST", "RST", "Reset: abort (or refuse) the connection at "
                 "once", depth=1),
    _HeaderField(13, 14, "flags.SYN", "SYN", "Synchronize: open a connection; the sequence "
                 "number is the ISN, and the SYN itself uses one sequence number", depth=1),
    _HeaderField(13, 14, "flags.FIN", "FIN", "Finish: the sender has no more data to send; "
                 "the FIN uses one sequence number", depth=1),
)

_HEADER_FIELDS = (
    _HeaderField(0, 2, "src_port", "Source port", "Source port: the sender's port; with the "
                 "addresses and the other port it names the connection"),
    _HeaderField(2, 4, "dst_port", "Destination port", "Destination port: the port of the "
                 "receiving application (443 for HTTPS)"),
    _HeaderField(4, 8, "seq", "Sequence number", "Sequence number: the number of the first "
                 "byte of data in this segment; in a SYN, the initial sequence number (ISN)"),
    _HeaderField(8, 12, "ack", "Acknowledgment number", "Acknowledgment number: the next "
                 "sequence number the sender expects to receive (all before it arrived)"),
    _HeaderField(12, 13, "offset_reserved", "Data offset and reserved", "One byte, two "
                 "fields: the header length (high 4 bits) and 4 reserved bits"),
    _HeaderField(12, 13, "data_offset", "Data offset", "Data offset: the header's length in "
                 "32-bit words, so where the options end and the data begins", depth=1),
    _HeaderField(12, 13, "reserved", "Reserved", "Reserved: 4 bits kept for future use; "
                 "sent as zero, ignored on receipt", depth=1),
    _HeaderField(13, 14, "flags", "Flags", "Control bits: what this segment does (open, "
                 "acknowledge, push, finish, reset, signal congestion)"),
    *_FLAG_FIELDS,
    _HeaderField(14, 16, "window", "Window", "Window: how many bytes, from the acknowledgment "
                 "number on, the sender can accept now (times 2^shift if scaling is on)"),
    _HeaderField(16, 18, "checksum", "Checksum", "Checksum: covers the IP addresses, the "
                 "header and the data; a segment that fails it is silently dropped"),
    _HeaderField(18, 20, "urgent", "Urgent pointer", "Urgent pointer: where urgent data "
                 "ends, as an offset from the sequence number; used only with URG"),
)
