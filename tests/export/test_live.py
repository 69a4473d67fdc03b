"""A live game (the real Linux kernel's TCP, real OpenSSL's TLS) saved and opened in tshark.
Needs what tests/live needs (root, or unprivileged user namespaces, and /dev/net/tun):
without it this fails, never skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.export import capture_of, write_capture
from engine.live.errors import LiveUnavailable
from engine.live.referee import LiveOptions, LiveReferee
from tests.export import games
from tests.export.tshark import WARNING, dissect


def test_a_live_tls_game_opens_and_decrypts_in_tshark(tmp_path: Path) -> None:
    try:
        referee = LiveReferee(LiveOptions(tls=True, tls_version="1.3"))
    except LiveUnavailable as error:
        pytest.fail(f"live games need a network namespace and /dev/net/tun (CI runs as root): {error}")
    try:
        referee.start()
        while referee.turn is not None:
            referee.play(referee.solution_move())
        capture = capture_of(referee, "a live game")
    finally:
        referee.close()
    pcap = tmp_path / "live.pcapng"
    write_capture(capture, pcap)
    dissection = dissect(pcap)
    assert len(dissection.frames) == len(capture.packets) == len(
        [e for e in referee.ladder if e.kind in games.TCP_KINDS])
    for frame in dissection.frames:
        assert (frame.ip_checksum, frame.tcp_checksum, frame.malformed) == ("1", "1", False)
        assert all(s < WARNING for s in frame.severities)
    assert tuple(t for f in dissection.frames for t in f.handshake_types) == games.handshake_types(referee.ladder)
    assert b"hello over TLS, OpenSSL" in b"".join(dissection.tls_chunks)
