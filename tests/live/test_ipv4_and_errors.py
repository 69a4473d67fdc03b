"""The live link's own IPv4 framing, and what a system without namespaces is told."""

from __future__ import annotations

import ipaddress
import json

import pytest

from engine.live.errors import LiveUnavailable
from engine.live.ipv4 import Ipv4DecodeError, Ipv4Packet, header_checksum
from engine.live.namespace import WHAT_TO_ENABLE, _namespace_from

# The worked example of the IPv4 header checksum (Wikipedia, "IPv4 header checksum"):
# 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
EXAMPLE = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")


def test_header_checksum_known_answer() -> None:
    assert header_checksum(EXAMPLE) == 0xB861


def test_encode_decode_round_trip() -> None:
    packet = Ipv4Packet(ipaddress.IPv4Address("192.0.2.2"), ipaddress.IPv4Address("192.0.2.1"), b"segment",
                        identification=7)
    raw = packet.encode()
    assert len(raw) == 27 and raw[0] == 0x45 and raw[9] == 6
    assert header_checksum(raw[:20]) == int.from_bytes(raw[10:12], "big")
    assert Ipv4Packet.decode(raw) == packet


@pytest.mark.parametrize(("data", "field"), [
    (b"\x45" * 10, "ip.header"),
    (bytes([0x60]) + EXAMPLE[1:], "ip.version"),
    (EXAMPLE[:10] + b"\x00\x00" + EXAMPLE[12:] + b"\x00" * 0x5F, "ip.checksum"),
    (EXAMPLE, "ip.total_length"),  # says 0x73 bytes, holds 20
])
def test_bad_packets_name_the_field(data: bytes, field: str) -> None:
    with pytest.raises(Ipv4DecodeError) as error:
        Ipv4Packet.decode(data)
    assert error.value.field == field


def test_no_namespace_says_why_and_what_to_enable() -> None:
    message = json.dumps({"ok": False, "error": "unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: "
                                                 "Operation not permitted"}).encode()
    with pytest.raises(LiveUnavailable) as error:
        _namespace_from(message, [], 1, "")
    text = str(error.value)
    assert "Operation not permitted" in text and WHAT_TO_ENABLE in text
    assert "kernel.unprivileged_userns_clone" in text and "/dev/net/tun" in text


def test_the_command_refuses_in_words_when_live_mode_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import engine.live.namespace as namespace
    from tui.cli import main

    def unavailable(sockets: int = 1) -> None:
        raise LiveUnavailable(f"no network namespace here. {WHAT_TO_ENABLE}")

    monkeypatch.setattr(namespace, "open_namespace", unavailable)
    assert main(["live", "tcp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synack live: not available here: no network namespace here.")
    assert "Traceback" not in err
