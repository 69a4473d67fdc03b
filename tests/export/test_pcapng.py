"""The pcapng blocks and the IPv4 framing of a capture, checked field by field."""

from __future__ import annotations

import ipaddress
import struct
from datetime import datetime, timezone

from engine.export import Capture, Packet
from engine.export import pcapng
from engine.live.ipv4 import Ipv4Packet
from engine.tcp.checksum import ones_complement_sum


def _blocks(data: bytes) -> list[tuple[int, bytes]]:
    """(type, body) of every block; checks both length fields and the 32-bit alignment."""
    blocks, offset = [], 0
    while offset < len(data):
        block_type, length = struct.unpack_from("<II", data, offset)
        assert length % 4 == 0 and length >= 12
        (trailer,) = struct.unpack_from("<I", data, offset + length - 4)
        assert trailer == length
        blocks.append((block_type, data[offset + 8: offset + length - 4]))
        offset += length
    assert offset == len(data)
    return blocks


def _options(data: bytes) -> dict[int, list[bytes]]:
    found: dict[int, list[bytes]] = {}
    offset = 0
    while offset < len(data):
        code, length = struct.unpack_from("<HH", data, offset)
        if code == 0:
            assert length == 0 and offset + 4 == len(data)
            break
        found.setdefault(code, []).append(data[offset + 4: offset + 4 + length])
        offset += 4 + length + (-length % 4)
    return found


def test_ipv4_header_matches_a_published_example() -> None:
    """The worked example of the IPv4 header checksum (192.168.0.1 -> 192.168.0.199, UDP,
    total length 0x73, DF, TTL 64): checksum 0xB861."""
    packet = Ipv4Packet(ipaddress.IPv4Address("192.168.0.1"), ipaddress.IPv4Address("192.168.0.199"),
                        bytes(0x73 - 20), protocol=17).encode()
    assert packet[:20].hex() == "450000730000400040 11b861c0a80001c0a800c7".replace(" ", "")
    assert ones_complement_sum(packet[:20]) == 0xFFFF


def test_a_capture_is_section_secrets_interface_then_packets() -> None:
    epoch = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    a, b = ipaddress.IPv4Address("192.0.2.1"), ipaddress.IPv4Address("192.0.2.2")
    capture = Capture(
        packets=(Packet(0.0, a, b, b"\x01\x02\x03", "first"), Packet(1.5, b, a, b"\x04" * 8)),
        keylog=("CLIENT_RANDOM " + "00" * 32 + " " + "11" * 48,),
        comment="a test capture",
        epoch=epoch,
    )
    blocks = _blocks(capture.to_pcapng())
    assert [kind for kind, _ in blocks] == [pcapng.SHB_TYPE, pcapng.DSB_TYPE, pcapng.IDB_TYPE,
                                            pcapng.EPB_TYPE, pcapng.EPB_TYPE]
    shb = blocks[0][1]
    assert struct.unpack_from("<IHHq", shb) == (pcapng.BYTE_ORDER_MAGIC, 1, 0, -1)
    assert _options(shb[16:])[pcapng.OPT_COMMENT] == [b"a test capture"]
    secrets_type, length = struct.unpack_from("<II", blocks[1][1])
    assert secrets_type == pcapng.SECRETS_TLS_KEY_LOG
    assert blocks[1][1][8: 8 + length].decode() == capture.keylog_text()
    assert struct.unpack_from("<HHI", blocks[2][1])[0] == pcapng.LINKTYPE_RAW
    first = blocks[3][1]
    interface, high, low, captured, original = struct.unpack_from("<IIIII", first)
    assert (interface, captured, original) == (0, 23, 23)
    assert (high << 32 | low) == int(epoch.timestamp()) * 1_000_000
    frame = first[20: 20 + captured]
    assert frame[12:16] == a.packed and frame[16:20] == b.packed and frame[20:] == b"\x01\x02\x03"
    assert _options(first[20 + 24:])[pcapng.OPT_COMMENT] == [b"first"]
    second = blocks[4][1]
    high, low = struct.unpack_from("<II", second, 4)
    assert (high << 32 | low) - int(epoch.timestamp()) * 1_000_000 == 1_500_000
    assert struct.unpack_from("!H", second, 20 + 4)[0] == 1  # each host numbers its own packets


def test_keys_can_stay_out_of_the_file() -> None:
    capture = Capture((), ("CLIENT_RANDOM " + "00" * 32 + " " + "11" * 48,), "", datetime.now(timezone.utc))
    assert pcapng.DSB_TYPE not in [kind for kind, _ in _blocks(capture.to_pcapng(embed_keys=False))]
