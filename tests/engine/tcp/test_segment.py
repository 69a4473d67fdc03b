"""The TCP segment codec: one table of byte-exact cases drives the encoder and decoder
tests; scapy cross-checks randomized segments; every decode error names field and offset."""

from __future__ import annotations

import dataclasses
import ipaddress
import random
import struct
from collections.abc import Callable
from typing import NamedTuple

import pytest
from scapy.layers.inet import IP, TCP, in4_chksum
from scapy.layers.inet6 import IPv6, in6_chksum

from engine.bytemap import FieldSpan
from engine.tcp.checksum import IPAddress, tcp_checksum
from engine.tcp.options import decode_options
from engine.tcp.segment import (
    EndOfOptionList,
    Flag,
    MaxSegmentSize,
    NoOperation,
    Sack,
    SackPermitted,
    Segment,
    SegmentKind,
    TcpDecodeError,
    TcpEncodeError,
    TcpOption,
    Timestamps,
    UnknownOption,
    WindowScale,
)

ip = ipaddress.ip_address
CLIENT4, SERVER4 = ip("10.0.0.1"), ip("10.0.0.2")
CLIENT6, SERVER6 = ip("2001:db8::1"), ip("2001:db8::2")


class Case(NamedTuple):
    name: str
    segment: Segment  # checksum None: the encoder computes it
    src_ip: IPAddress
    dst_ip: IPAddress
    wire: str  # hex, spaced by field: ports, seq, ack, offset+flags, window, sum, urg | ...


# Expected bytes were produced by scapy (and the unknown-option case assembled by hand with
# scapy's checksum), not by our encoder.
CASES = [
    Case("syn_linux_ipv4",
         Segment(51000, 443, 2837461, 0, Flag.SYN, 64240, options=(
             MaxSegmentSize(1460), SackPermitted(), Timestamps(0xDEADBEEF, 0), NoOperation(),
             WindowScale(7))),
         CLIENT4, SERVER4,
         "c738 01bb 002b4bd5 00000000 a002 faf0 867b 0000"
         " 020405b4 0402 080adeadbeef00000000 01 030307"),
    Case("syn_ack_ipv6",
         Segment(443, 51000, 90210, 2837462, Flag.SYN | Flag.ACK, 65160, options=(
             MaxSegmentSize(1440), SackPermitted(), Timestamps(12345, 0xDEADBEEF),
             NoOperation(), WindowScale(14))),
         SERVER6, CLIENT6,
         "01bb c738 00016062 002b4bd6 a012 fe88 aad0 0000"
         " 020405a0 0402 080a00003039deadbeef 01 03030e"),
    Case("syn_ecn_setup",
         Segment(40000, 80, 1, 0, Flag.SYN | Flag.ECE | Flag.CWR, 65535, options=(
             MaxSegmentSize(536), NoOperation(), NoOperation(), SackPermitted())),
         ip("192.168.1.10"), ip("93.184.216.34"),
         "9c40 0050 00000001 00000000 70c2 ffff f1dc 0000 02040218 01 01 0402"),
    Case("ack_timestamps",
         Segment(51000, 443, 2837462, 90211, Flag.ACK, 502, options=(
             NoOperation(), NoOperation(), Timestamps(0xDEADBEF0, 12345))),
         CLIENT4, SERVER4,
         "c738 01bb 002b4bd6 00016063 8010 01f6 1d94 0000 01 01 080adeadbef000003039"),
    Case("data_psh_ack",
         Segment(51000, 443, 2837462, 90211, Flag.PSH | Flag.ACK, 502, payload=b"hello"),
         CLIENT4, SERVER4,
         "c738 01bb 002b4bd6 00016063 5018 01f6 e0a3 0000 68656c6c6f"),
    Case("sack_two_blocks_ipv6",
         Segment(51000, 443, 2837467, 91000, Flag.ACK, 1000, options=(
             NoOperation(), NoOperation(), Sack(((92000, 93000), (94000, 95000))))),
         CLIENT6, SERVER6,
         "c738 01bb 002b4bdb 00016378 a010 03e8 cce7 0000"
         " 01 01 0512 0001676000016b48 00016f3000017318"),
    Case("fin_ack_odd_payload_ipv6",
         Segment(443, 51000, 95000, 2837467, Flag.FIN | Flag.ACK, 509, payload=b"bye"),
         SERVER6, CLIENT6,
         "01bb c738 00017318 002b4bdb 5011 01fd 02d2 0000 627965"),
    Case("rst_ack_zero_window",
         Segment(5555, 40000, 0, 1234, Flag.RST | Flag.ACK, 0),
         ip("127.0.0.1"), ip("127.0.0.1"),
         "15b3 9c40 00000000 000004d2 5014 0000 fb08 0000"),
    Case("rst_bare_max_seq",
         Segment(443, 51000, 0xFFFFFFFF, 0, Flag.RST, 0),
         SERVER4, CLIENT4,
         "01bb c738 ffffffff 00000000 5004 0000 d2ea 0000"),
    Case("all_flags_urgent_reserved",
         Segment(65535, 1, 0xFFFFFFFF, 0xFFFFFFFF, Flag(0xFF), 65535, urgent=3,
                 payload=b"\x00\xff!", reserved=0b1011),
         ip("10.1.2.3"), ip("10.3.2.1"),
         "ffff 0001 ffffffff ffffffff 5bff ffff 69d8 0003 00ff21"),
    Case("unknown_option_eol_verbatim_padding",
         Segment(51000, 443, 2837462, 90211, Flag.ACK, 502, payload=b"x",
                 options=(UnknownOption(30, b"\x01\x02"), EndOfOptionList()),
                 option_padding=b"\xde\xad\xbe"),
         CLIENT4, SERVER4,
         "c738 01bb 002b4bd6 00016063 7010 01f6 bed6 0000 1e040102 00 deadbe 78"),
    Case("mss_max_ws_zero_eol",
         Segment(1024, 22, 7, 0, Flag.SYN, 29200, options=(
             MaxSegmentSize(65535), WindowScale(0), EndOfOptionList())),
         CLIENT4, SERVER4,
         "0400 0016 00000007 00000000 7002 7210 00a4 0000 0204ffff 030300 00"),
    Case("mss_eol_zero_padding",
         Segment(51000, 443, 2837461, 0, Flag.SYN, 64240,
                 options=(MaxSegmentSize(1460), EndOfOptionList()), option_padding=bytes(3)),
         CLIENT4, SERVER4,
         "c738 01bb 002b4bd5 00000000 7002 faf0 643b 0000 020405b4 00 000000"),
]
_IDS = [case.name for case in CASES]


def _wire(case: Case) -> bytes:
    return bytes.fromhex(case.wire)


def _with_wire_checksum(segment: Segment, wire: bytes) -> Segment:
    return dataclasses.replace(segment, checksum=int.from_bytes(wire[16:18], "big"))


# --- the table: encoder and decoder --------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_encode(case: Case) -> None:
    assert case.segment.encode(case.src_ip, case.dst_ip).hex() == _wire(case).hex()


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_encode_writes_a_given_checksum_as_is(case: Case) -> None:
    wire = _wire(case)
    assert _with_wire_checksum(case.segment, wire).encode(case.src_ip, case.dst_ip) == wire


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_decode(case: Case) -> None:
    wire = _wire(case)
    assert Segment.decode(wire, case.src_ip, case.dst_ip) == _with_wire_checksum(
        case.segment, wire)


def test_table_covers_every_option_kind_and_flag() -> None:
    option_types = {type(o) for case in CASES for o in case.segment.options}
    assert option_types == set(TcpOption.__args__)
    assert Flag(0xFF) in {case.segment.flags for case in CASES}
    assert {case.src_ip.version for case in CASES} == {4, 6}


def test_bad_checksum_is_written_and_rejected_on_decode() -> None:
    segment = dataclasses.replace(CASES[0].segment, checksum=0x1234)
    wire = segment.encode(CLIENT4, SERVER4)
    assert wire[16:18] == b"\x12\x34"
    with pytest.raises(TcpDecodeError) as caught:
        Segment.decode(wire, CLIENT4, SERVER4)
    assert (caught.value.field, caught.value.offset) == ("checksum", 16)
    assert caught.value.problem == "expected 0x867b, found 0x1234"
    assert Segment.decode(wire, CLIENT4, SERVER4, verify_checksum=False) == segment


def test_checksum_depends_on_the_addresses() -> None:
    wire = CASES[0].segment.encode(CLIENT4, SERVER4)
    with pytest.raises(TcpDecodeError, match="checksum"):
        Segment.decode(wire, CLIENT4, ip("10.0.0.3"))


def test_encoder_pads_unaligned_options_with_zeros_that_read_back_as_eol() -> None:
    segment = Segment(1, 2, 3, 0, Flag.SYN, 100, options=(MaxSegmentSize(1460), WindowScale(7)))
    wire = segment.encode(CLIENT4, SERVER4)
    assert wire[12] >> 4 == 7 and wire[20:28] == bytes.fromhex("020405b4 030307 00")
    decoded = Segment.decode(wire, CLIENT4, SERVER4)
    assert decoded.options == (*segment.options, EndOfOptionList())
    assert decoded.option_padding == b""


def test_ipv6_zero_sum_checksum_is_accepted_in_either_form() -> None:
    """One's complement has two zeros; a receiver must accept 0xffff where 0 was computed."""
    for payload_word in range(0x10000):
        wire = Segment(1, 2, 0, 0, Flag.ACK, 0, payload=payload_word.to_bytes(2, "big")).encode(
            CLIENT6, SERVER6)
        if wire[16:18] == b"\x00\x00":
            break
    else:
        pytest.fail("no payload gives a zero checksum")
    other_zero = wire[:16] + b"\xff\xff" + wire[18:]
    assert Segment.decode(other_zero, CLIENT6, SERVER6).checksum == 0xFFFF


# --- kind and summary ------------------------------------------------------------------------

@pytest.mark.parametrize(("flags", "payload", "kind"), [
    (Flag.SYN, b"", SegmentKind.SYN),
    (Flag.SYN | Flag.ECE | Flag.CWR, b"", SegmentKind.SYN),
    (Flag.SYN | Flag.ACK, b"", SegmentKind.SYN_ACK),
    (Flag.ACK, b"", SegmentKind.ACK),
    (Flag.PSH | Flag.ACK, b"", SegmentKind.ACK),
    (Flag.ACK, b"x", SegmentKind.DATA),
    (Flag.PSH | Flag.ACK, b"x", SegmentKind.DATA),
    (Flag.FIN | Flag.ACK, b"", SegmentKind.FIN),
    (Flag.FIN | Flag.PSH | Flag.ACK, b"x", SegmentKind.FIN),
    (Flag.RST, b"", SegmentKind.RST),
    (Flag.RST | Flag.ACK, b"", SegmentKind.RST_ACK),
    (Flag.RST | Flag.SYN, b"", SegmentKind.RST),
    (Flag.SYN | Flag.FIN, b"", SegmentKind.SYN),
    (Flag(0), b"", SegmentKind.ACK),
])
def test_kind(flags: Flag, payload: bytes, kind: SegmentKind) -> None:
    assert Segment(1, 2, 3, 4, flags, 5, payload=payload).kind is kind


@pytest.mark.parametrize(("segment", "summary"), [
    (Segment(443, 1, 90210, 2837462, Flag.SYN | Flag.ACK, 64240),
     "SYN-ACK seq=90210 ack=2837462 win=64240"),
    (CASES[0].segment, "SYN seq=2837461 win=64240 <mss 1460,sackOK,ts,ws 7>"),
    (CASES[2].segment, "SYN+ECE+CWR seq=1 win=65535 <mss 536,sackOK>"),
    (CASES[4].segment, "DATA seq=2837462 ack=90211 win=502 len=5"),
    (CASES[5].segment, "ACK seq=2837467 ack=91000 win=1000 <sack 92000-93000 94000-95000>"),
    (CASES[9].segment, "RST-ACK+FIN+SYN+URG+ECE+CWR seq=4294967295 ack=4294967295 win=65535 "
                       "len=3 urg=3"),
    (CASES[10].segment, "DATA seq=2837462 ack=90211 win=502 len=1 <opt 30>"),
    (Segment(1, 2, 7, 0, Flag.FIN, 9), "[FIN] seq=7 win=9"),
    (Segment(1, 2, 7, 0, Flag(0), 9), "[none] seq=7 win=9"),
])
def test_summary(segment: Segment, summary: str) -> None:
    assert segment.summary() == summary


# --- decode errors ----------------------------------------------------------------------------

def _raw(options: str = "", *, words: int | None = None, payload: bytes = b"") -> bytes:
    """A segment with the given options area (hex) and a correct checksum."""
    area = bytes.fromhex(options)
    words = 5 + len(area) // 4 if words is None else words
    header = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, words << 4, 0x02, 1024, 0, 0)
    segment = header + area + payload
    checksum = tcp_checksum(segment, CLIENT4, SERVER4)
    return segment[:16] + checksum.to_bytes(2, "big") + segment[18:]


@pytest.mark.parametrize(("wire", "field", "offset"), [
    pytest.param(b"", "header", 0, id="empty"),
    pytest.param(_raw()[:19], "header", 19, id="truncated_header"),
    pytest.param(_raw(words=4), "data_offset", 12, id="data_offset_below_5"),
    pytest.param(_raw(words=0), "data_offset", 12, id="data_offset_0"),
    pytest.param(_raw(words=6), "data_offset", 12, id="data_offset_past_end"),
    pytest.param(_raw(words=15, payload=bytes(39)), "data_offset", 12, id="data_offset_15"),
    pytest.param(_raw("01 01 01 02"), "options[3].length", 24, id="length_byte_missing"),
    pytest.param(_raw("02 01 0000"), "options[0].length", 21, id="length_1"),
    pytest.param(_raw("01 1e 00 00"), "options[1].length", 22, id="length_0_unknown_kind"),
    pytest.param(_raw("01 08 0a 00"), "options[1].length", 22, id="length_overruns_area"),
    pytest.param(_raw("1e 05 0000"), "options[0].length", 21, id="unknown_overruns_area"),
    pytest.param(_raw("02 03 05 00"), "options[0].length", 21, id="mss_length_3"),
    pytest.param(_raw("02 06 05b4 0000"), "options[0].length", 21, id="mss_length_6"),
    pytest.param(_raw("01 03 02 07"), "options[1].length", 22, id="ws_length_2"),
    pytest.param(_raw("04 03 00 00"), "options[0].length", 21, id="sack_permitted_length_3"),
    pytest.param(_raw("01 01 08 08 00000000 0000"), "options[2].length", 23, id="ts_length_8"),
    pytest.param(_raw("05 0e 00000001 00000002 00000003 0000"), "options[0].length", 21,
                 id="sack_length_14"),
    pytest.param(_raw("05 0c 00000001 00000002 00000003"), "options[0].length", 21,
                 id="sack_length_12"),
    pytest.param(_raw("1e 02 02 05 05b4 00 00"), "options[1].length", 23,
                 id="mss_length_5_after_unknown"),
])
def test_decode_error(wire: bytes, field: str, offset: int) -> None:
    with pytest.raises(TcpDecodeError) as caught:
        Segment.decode(wire, CLIENT4, SERVER4)
    assert (caught.value.field, caught.value.offset) == (field, offset)


def test_option_errors_say_what_was_expected() -> None:
    with pytest.raises(TcpDecodeError, match="must be exactly 4 bytes, found 3"):
        Segment.decode(_raw("02 03 05 00"), CLIENT4, SERVER4)
    with pytest.raises(TcpDecodeError, match=r"2 \+ 8n bytes .*found 12"):
        Segment.decode(_raw("05 0c 00000001 00000002 00000003"), CLIENT4, SERVER4)


def test_checksum_is_checked_before_options() -> None:
    wire = bytearray(_raw("02 03 05 00"))
    wire[16] ^= 0xFF
    with pytest.raises(TcpDecodeError) as caught:
        Segment.decode(bytes(wire), CLIENT4, SERVER4)
    assert caught.value.field == "checksum"
    with pytest.raises(TcpDecodeError) as caught:
        Segment.decode(bytes(wire), CLIENT4, SERVER4, verify_checksum=False)
    assert caught.value.field == "options[0].length"


def test_sack_with_no_blocks_and_unknown_empty_option_decode() -> None:
    segment = Segment.decode(_raw("05 02 1e 02"), CLIENT4, SERVER4)
    assert segment.options == (Sack(()), UnknownOption(30, b""))


@pytest.mark.parametrize("seed", range(4))
def test_decode_raises_nothing_but_tcp_decode_error(seed: int) -> None:
    """Mutated and truncated real segments either decode (and re-encode exactly) or raise
    TcpDecodeError; never IndexError, struct.error or ValueError."""
    rng = random.Random(seed)
    bases = [_wire(case) for case in CASES]
    for _ in range(2000):
        wire = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 4)):
            wire[rng.randrange(len(wire))] = rng.randrange(256)
        if rng.random() < 0.3:
            del wire[rng.randrange(len(wire) + 1):]
        try:
            segment = Segment.decode(bytes(wire), CLIENT4, SERVER4, verify_checksum=False)
        except TcpDecodeError:
            continue
        assert segment.encode(CLIENT4, SERVER4) == wire


# --- encode errors ----------------------------------------------------------------------------

@pytest.mark.parametrize(("segment", "field"), [
    (Segment(65536, 1, 0, 0, Flag.ACK, 0), "src_port"),
    (Segment(1, -1, 0, 0, Flag.ACK, 0), "dst_port"),
    (Segment(1, 1, 1 << 32, 0, Flag.ACK, 0), "seq"),
    (Segment(1, 1, 0, 1 << 32, Flag.ACK, 0), "ack"),
    (Segment(1, 1, 0, 0, Flag.ACK, 1 << 16), "window"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, urgent=1 << 16), "urgent"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, reserved=16), "reserved"),
    (Segment(1, 1, 0, 0, Flag(0x100), 0), "flags"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, checksum=0x10000), "checksum"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(MaxSegmentSize(70000),)), "options[0].mss"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(NoOperation(), WindowScale(256))),
     "options[1].shift"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(Timestamps(0, -1),)), "options[0].echo_reply"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(Sack(((0, 1 << 32),)),)),
     "options[0].blocks[0].right"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(UnknownOption(1, b""),)), "options[0].kind"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(UnknownOption(99, bytes(254)),)),
     "options[0].data"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(Timestamps(0, 0),) * 5), "options"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, options=(EndOfOptionList(), NoOperation())),
     "options[1]"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, option_padding=b"\x00"), "option_padding"),
    (Segment(1, 1, 0, 0, Flag.ACK, 0, payload=bytes(0xFFFF)), "payload"),
])
def test_encode_error(segment: Segment, field: str) -> None:
    with pytest.raises(TcpEncodeError) as caught:
        segment.encode(CLIENT4, SERVER4)
    assert caught.value.field == field


def test_encode_with_mixed_ip_versions_is_refused() -> None:
    with pytest.raises(ValueError, match="same IP version"):
        CASES[0].segment.encode(CLIENT4, SERVER6)


# --- cross-check with scapy -------------------------------------------------------------------

_UNKNOWN_KINDS = [6, 7, 9, 10, 11, 12, 13, 16, 17, 18, 20, 21, 22, 23, 24, 26, 27, 30, 31,
                  253, 254]  # kinds neither we nor scapy interpret


def _random_option(rng: random.Random) -> TcpOption:
    makers: list[Callable[[], TcpOption]] = [
        lambda: NoOperation(),
        lambda: MaxSegmentSize(rng.randrange(1 << 16)),
        lambda: WindowScale(rng.randrange(256)),
        lambda: SackPermitted(),
        lambda: Sack(tuple((rng.randrange(1 << 32), rng.randrange(1 << 32))
                           for _ in range(rng.randint(0, 3)))),
        lambda: Timestamps(rng.randrange(1 << 32), rng.randrange(1 << 32)),
        lambda: UnknownOption(rng.choice(_UNKNOWN_KINDS), rng.randbytes(rng.randint(0, 6))),
    ]
    return rng.choice(makers)()


def _random_options(rng: random.Random) -> tuple[tuple[TcpOption, ...], bytes]:
    """Options that fit 40 bytes; an unaligned list ends with EOL and zero padding."""
    options: list[TcpOption] = []
    length = 0
    for _ in range(rng.randint(0, 8)):
        option = _random_option(rng)
        size = 1 if isinstance(option, NoOperation) else 2 + len(option.body())
        if length + size + 1 > 40:
            break
        options.append(option)
        length += size
    if length % 4 or rng.random() < 0.2:
        options.append(EndOfOptionList())
        return tuple(options), bytes(-(length + 1) % 4)
    return tuple(options), b""


def _random_segment(rng: random.Random) -> Segment:
    options, padding = _random_options(rng)
    return Segment(
        src_port=rng.randrange(1 << 16), dst_port=rng.randrange(1 << 16),
        seq=rng.randrange(1 << 32), ack=rng.randrange(1 << 32),
        flags=Flag(rng.randrange(256)), window=rng.randrange(1 << 16),
        urgent=rng.randrange(1 << 16), options=options,
        payload=rng.randbytes(rng.choice([0, 0, 1, 5, 100, 1459])),
        reserved=rng.choice([0, 0, 0, rng.randrange(16)]), option_padding=padding,
    )


def _random_addresses(rng: random.Random) -> tuple[IPAddress, IPAddress]:
    if rng.random() < 0.5:
        return ip(rng.randrange(1 << 32)), ip(rng.randrange(1 << 32))
    return ipaddress.IPv6Address(rng.randrange(1 << 128)), ipaddress.IPv6Address(
        rng.randrange(1 << 128))


def _scapy_options(options: tuple[TcpOption, ...]) -> list[tuple[object, object]]:
    """Our options written the way scapy's TCP layer reads them."""
    def one(option: TcpOption) -> tuple[object, object]:
        match option:
            case EndOfOptionList():
                return ("EOL", None)
            case NoOperation():
                return ("NOP", None)
            case MaxSegmentSize(mss=mss):
                return ("MSS", mss)
            case WindowScale(shift=shift):
                return ("WScale", shift)
            case SackPermitted():
                return ("SAckOK", b"")
            case Sack(blocks=blocks):
                edges = tuple(edge for block in blocks for edge in block)
                return ("SAck", edges[0] if len(edges) == 1 else edges)
            case Timestamps(value=value, echo_reply=echo):
                return ("Timestamp", (value, echo))
            case UnknownOption(kind=kind, data=data):
                return (kind, data)
        raise AssertionError(option)
    return [one(option) for option in options]


def _scapy_layer(src_ip: IPAddress) -> type[IP] | type[IPv6]:
    return IP if src_ip.version == 4 else IPv6


def assert_scapy_agrees(segment: Segment, wire: bytes, src_ip: IPAddress,
                        dst_ip: IPAddress) -> None:
    """scapy reads `wire` as `segment`, computes the checksum we compute for it, and with
    its own encoder rebuilds the bytes ours writes when asked to compute the checksum."""
    layer = _scapy_layer(src_ip)
    packet = layer(bytes(layer(src=str(src_ip), dst=str(dst_ip)) / TCP(wire)))
    tcp = packet[TCP]
    assert (tcp.sport, tcp.dport, tcp.seq, tcp.ack) == (
        segment.src_port, segment.dst_port, segment.seq, segment.ack)
    assert int(tcp.flags) & 0xFF == segment.flags
    assert tcp.reserved << 1 | int(tcp.flags) >> 8 == segment.reserved
    assert (tcp.window, tcp.chksum, tcp.urgptr) == (segment.window, segment.checksum,
                                                    segment.urgent)
    assert tcp.dataofs * 4 == len(wire) - len(segment.payload)
    assert tcp.options == _scapy_options(segment.options)
    assert bytes(tcp.payload) == segment.payload
    zeroed = wire[:16] + b"\x00\x00" + wire[18:]
    if isinstance(packet, IP):
        scapy_checksum = in4_chksum(6, packet, zeroed)
    else:
        scapy_checksum = in6_chksum(6, packet, zeroed)  # type: ignore[no-untyped-call]
    assert scapy_checksum == tcp_checksum(wire, src_ip, dst_ip)
    if segment.option_padding.strip(b"\x00"):
        return  # scapy keeps nothing after EOL, so it cannot rebuild these bytes
    del tcp.chksum
    rebuilt = bytes(layer(bytes(packet))[TCP])
    assert rebuilt == dataclasses.replace(segment, checksum=None).encode(src_ip, dst_ip)


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_scapy_reads_table_cases_alike(case: Case) -> None:
    wire = _wire(case)
    assert_scapy_agrees(Segment.decode(wire, case.src_ip, case.dst_ip), wire, case.src_ip,
                        case.dst_ip)


@pytest.mark.parametrize("seed", range(5))
def test_scapy_reads_random_segments_alike(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        segment = _random_segment(rng)
        src_ip, dst_ip = _random_addresses(rng)
        wire = segment.encode(src_ip, dst_ip)
        decoded = Segment.decode(wire, src_ip, dst_ip)
        assert decoded == dataclasses.replace(segment, checksum=decoded.checksum)
        assert_scapy_agrees(decoded, wire, src_ip, dst_ip)
        assert decoded.encode(src_ip, dst_ip) == wire


# --- byte map -----------------------------------------------------------------------------------

def _int_at(wire: bytes, start: int, end: int) -> int:
    return int.from_bytes(wire[start:end], "big")


def assert_byte_map_is_sound(segment: Segment, wire: bytes) -> None:
    spans = segment.byte_map()
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert all(0 <= s.start <= s.end <= len(wire) for s in spans)
    assert all(s.label and s.value and s.meaning and s.rfc for s in spans)
    top = [s for s in spans if s.depth == 0]
    assert top[0].start == 0 and top[-1].end == len(wire)
    assert all(a.end == b.start for a, b in zip(top, top[1:])), "gap or overlap at depth 0"
    parent = spans[0]
    for span in spans:
        if span.depth == 0:
            parent = span
        else:
            assert span.depth == 1 and span.path.startswith(("tcp.", parent.path))
            assert parent.start <= span.start <= span.end <= parent.end
    _assert_values_match(segment, wire, {s.path: s for s in spans})


def _assert_values_match(segment: Segment, wire: bytes, by_path: dict[str, FieldSpan]) -> None:
    for name in ("src_port", "dst_port", "seq", "ack", "window", "urgent"):
        span = by_path[f"tcp.{name}"]
        number = int(span.value.split()[0])
        assert number == getattr(segment, name) == _int_at(wire, span.start, span.end)
    assert by_path["tcp.checksum"].value == f"0x{wire[16:18].hex()}"
    assert by_path["tcp.data_offset"].value.startswith(f"{wire[12] >> 4} (")
    assert by_path["tcp.reserved"].value == f"{segment.reserved:04b}"
    assert by_path["tcp.flags"].value.startswith(f"0x{wire[13]:02x}")
    for flag in Flag:
        assert (by_path[f"tcp.flags.{flag.name}"].value == "set") == (flag in segment.flags)
    for index, option in enumerate(segment.options):
        span = by_path[f"tcp.options[{index}]"]
        area = wire[span.start:span.end]
        assert decode_options(area, span.start)[0] == (option,)
        if len(area) > 1:
            assert by_path[f"tcp.options[{index}].kind"].value == str(area[0])
            assert by_path[f"tcp.options[{index}].length"].value == str(area[1])
    for name in ("mss", "shift", "value", "echo_reply"):
        for path, span in by_path.items():
            if path.endswith(f"].{name}"):
                assert int(span.value.split()[0]) == _int_at(wire, span.start, span.end)
    if segment.payload:
        span = by_path["tcp.payload"]
        assert wire[span.start:span.end] == segment.payload


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_byte_map_of_table_cases(case: Case) -> None:
    wire = _wire(case)
    assert_byte_map_is_sound(Segment.decode(wire, case.src_ip, case.dst_ip), wire)


def test_byte_map_of_random_segments() -> None:
    rng = random.Random(7)
    for _ in range(300):
        segment = _random_segment(rng)
        wire = segment.encode(CLIENT4, SERVER4)
        assert_byte_map_is_sound(Segment.decode(wire, CLIENT4, SERVER4), wire)


def test_byte_map_shows_implicit_padding_and_uncomputed_checksum() -> None:
    segment = Segment(1, 2, 3, 0, Flag.SYN, 100, options=(MaxSegmentSize(1460), WindowScale(7)))
    spans = segment.byte_map()
    by_path = {s.path: s for s in spans}
    assert by_path["tcp.checksum"].value == "computed when sent"
    assert (by_path["tcp.padding"].start, by_path["tcp.padding"].end) == (27, 28)
    assert by_path["tcp.options[0].mss"].value == "1460 bytes"
    assert by_path["tcp.options[1].shift"].value == "7 (windows x 128)"
    assert by_path["tcp.seq"].meaning.startswith("Sequence number: the number of the first byte")


def test_byte_map_cites_the_rfc_of_each_option() -> None:
    rfcs = {s.path: s.rfc for s in CASES[0].segment.byte_map()}
    assert rfcs["tcp.src_port"] == "RFC 9293 §3.1"
    assert rfcs["tcp.options[0]"] == "RFC 9293 §3.7.1"
    assert rfcs["tcp.options[1]"] == "RFC 2018 §2"
    assert rfcs["tcp.options[2]"] == "RFC 7323 §3"
    assert rfcs["tcp.options[4]"] == "RFC 7323 §2"
    assert rfcs["tcp.flags.ECE"] == "RFC 3168 §6.1"
