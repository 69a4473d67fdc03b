"""Every built-in level's solution, exported and opened by the real tshark: every packet is
IPv4 + TCP with good checksums, nothing is malformed or warned about, and every TLS
handshake message, alert and byte of application data is dissected, decrypted with the
keys embedded in the file or with the key log file alone, and not without keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.export import capture_of, play_solution, write_capture
from engine.levels.model import TcpLevel
from engine.referee import Referee
from tests.export import games
from tests.export.tshark import WARNING, Dissection, dissect


ENCRYPTED_LEVELS = [level_id for level_id in games.TLS_LEVELS if games.encrypts(level_id)]


def _export(level_id: str, folder: Path, *, embed_keys: bool = True) -> tuple[Referee, Path, Path]:
    referee = play_solution(games.LEVELS[level_id])
    capture = capture_of(referee, "the level's solution")
    pcap, keylog = folder / f"{level_id}.pcapng", folder / f"{level_id}.keys"
    write_capture(capture, pcap, keylog, embed_keys=embed_keys)
    assert len(capture.packets) > 0
    return referee, pcap, keylog


def _assert_clean(dissection: Dissection, packets: int) -> None:
    frames = dissection.frames
    assert len(frames) == packets
    for frame in frames:
        assert frame.stream != "", f"frame {frame.number} is not dissected as TCP"
        assert (frame.ip_checksum, frame.tcp_checksum) == ("1", "1"), f"frame {frame.number}: bad checksum"
        assert not frame.malformed, f"frame {frame.number} is malformed"
        warnings = [s for s in frame.severities if s >= WARNING]
        # A real RST is Wireshark's only warning: "Connection reset (RST)".
        assert not warnings or (frame.reset and not frame.analysis), f"frame {frame.number}: {frame.severities}"


def _assert_decrypted(dissection: Dissection, referee: Referee) -> None:
    seen_types = tuple(t for frame in dissection.frames for t in frame.handshake_types)
    seen_alerts = tuple(a for frame in dissection.frames for a in frame.alerts)
    assert seen_types == games.handshake_types(referee.ladder)
    assert seen_alerts == games.alerts(referee.ladder)
    assert dissection.tls_chunks == games.application_data(referee.ladder)


@pytest.mark.parametrize("level_id", sorted(games.LEVELS))
def test_every_level_opens_clean_in_tshark(level_id: str, tmp_path: Path) -> None:
    referee, pcap, _ = _export(level_id, tmp_path)
    dissection = dissect(pcap)
    _assert_clean(dissection, sum(1 for _ in capture_of(referee, "").packets))
    if not isinstance(games.LEVELS[level_id], TcpLevel):
        # TLS rides on a clean connection: no retransmission, no dup ACK, nothing suspect.
        assert not any(frame.analysis for frame in dissection.frames)
        assert not any(frame.reset for frame in dissection.frames)


@pytest.mark.parametrize("level_id", games.TLS_LEVELS)
def test_the_embedded_keys_alone_decrypt_everything(level_id: str, tmp_path: Path) -> None:
    referee, pcap, _ = _export(level_id, tmp_path)
    _assert_decrypted(dissect(pcap), referee)


@pytest.mark.parametrize("level_id", ENCRYPTED_LEVELS)
def test_the_key_log_file_alone_decrypts_everything(level_id: str, tmp_path: Path) -> None:
    referee, pcap, keylog = _export(level_id, tmp_path, embed_keys=False)
    assert keylog.read_text().strip(), "the key log file is empty"
    _assert_decrypted(dissect(pcap, keylog=keylog), referee)


@pytest.mark.parametrize("level_id", ENCRYPTED_LEVELS)
def test_without_keys_the_encrypted_part_stays_hidden(level_id: str, tmp_path: Path) -> None:
    """The control: what the two tests above see is decryption's doing."""
    referee, pcap, _ = _export(level_id, tmp_path, embed_keys=False)
    dissection = dissect(pcap)
    seen_types = tuple(t for frame in dissection.frames for t in frame.handshake_types)
    assert seen_types != games.handshake_types(referee.ladder)
    assert dissection.tls_chunks == []


def test_levels_that_encrypt_include_the_failures_after_keys() -> None:
    """The two tests above leave out only levels that fail before any key exists."""
    assert "wrong-04-bad-finished" in ENCRYPTED_LEVELS
    for level_id in set(games.TLS_LEVELS) - set(ENCRYPTED_LEVELS):
        assert games.LEVELS[level_id].chapter == "When things go wrong" or "bad" in level_id or "wrong" in level_id


@pytest.mark.parametrize("level_id", ["wrong-01-expired", "wrong-02-unknown-ca", "wrong-03-downgrade",
                                      "wrong-04-bad-finished", "tls12-06-bad-signature", "tls13-06-wrong-name"])
def test_failure_levels_show_the_real_alert(level_id: str, tmp_path: Path) -> None:
    referee, pcap, _ = _export(level_id, tmp_path)
    fatal = [e for e in games.tls_entries(referee.ladder) if e.kind == "Alert" and e.raw[0] == 2]
    assert fatal, "the level ends with a fatal alert"
    seen = [a for frame in dissect(pcap).frames for a in frame.alerts]
    assert [e.raw[1] for e in fatal] == [a for a in seen if a != 0]


def test_the_closed_port_level_shows_the_real_rst(tmp_path: Path) -> None:
    referee, pcap, _ = _export("tcp-05-closed-port", tmp_path)
    frames = dissect(pcap).frames
    resets = [frame for frame in frames if frame.reset]
    assert len(resets) == 1 and resets[0].number == len(frames)
    assert referee.ladder[-1].kind in ("RST", "RST-ACK")
