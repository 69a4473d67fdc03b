"""What goes into a capture: the game's own bytes, the player's mistakes, where it stops."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from engine.export import capture_of, play_solution, save_game, save_game_files
from engine.export.capture import Packet
from engine.referee import EntryRole, Referee
from engine.side import Side
from engine.tcp.segment import Flag, Segment
from tests.export import games
from tests.export.tshark import WARNING, dissect


def _segments(packets: tuple[Packet, ...]) -> list[Segment]:
    return [Segment.decode(p.tcp, p.src, p.dst) for p in packets]


def _streams(packets: tuple[Packet, ...]) -> dict[tuple[int, int], bytes]:
    """The payload each (source port, destination port) carried, in order."""
    data: dict[tuple[int, int], bytes] = defaultdict(bytes)
    for segment in _segments(packets):
        data[(segment.src_port, segment.dst_port)] += segment.payload
    return dict(data)


def test_a_tls_level_carries_exactly_the_bytes_its_endpoints_sent() -> None:
    """The records wrapped in TCP are the bytes the game's TLS endpoints put on their wire."""
    level = games.LEVELS["tls12-07-dhe-server-mutual"]
    referee = Referee(level, clock=lambda: 0.0)
    world = referee.game.world  # type: ignore[attr-defined]
    posted: dict[Side, bytes] = defaultdict(bytes)
    real_post = world.post

    def post(sender: Side, data: bytes, events: list[object]) -> None:
        posted[sender] += data
        real_post(sender, data, events)

    world.post = post
    referee.start()
    while referee.turn is not None:
        referee.play(referee.solution_move())
    packets = capture_of(referee, "test").packets
    first = _segments(packets)[0]
    client, server = (first.src_port, first.dst_port), (first.dst_port, first.src_port)
    streams = _streams(packets)
    assert streams[client] == posted[Side.CLIENT] and streams[server] == posted[Side.SERVER]
    assert max(len(s.payload) for s in _segments(packets)) == 1460  # a flight cut at the MSS


def test_a_stack_level_keeps_the_games_own_segments_then_closes_them() -> None:
    referee = play_solution(games.LEVELS["stack-01-tcp-then-tls13"])
    capture = capture_of(referee, "test")
    played = [e.raw for e in referee.ladder if e.kind in games.TCP_KINDS]
    assert [p.tcp for p in capture.packets[: len(played)]] == played
    closing = _segments(capture.packets[len(played):])
    assert [Flag.FIN in s.flags for s in closing] == [True, False, True, False]
    assert "teardown" in capture.comment


def test_a_tcp_level_is_the_games_segments_and_nothing_else() -> None:
    referee = play_solution(games.LEVELS["tcp-07-data"])
    capture = capture_of(referee, "test")
    assert [p.tcp for p in capture.packets] == [e.raw for e in referee.ladder]
    assert [p.time for p in capture.packets] == [e.time for e in referee.ladder]
    assert capture.keylog == ()
    assert "connection open" not in capture.comment  # it closes: FIN both ways
    opened = capture_of(play_solution(games.LEVELS["tcp-01-handshake-client"]), "test")
    assert "ends with the connection open" in opened.comment


def test_the_same_seed_gives_the_same_file_and_another_seed_another() -> None:
    level = games.LEVELS["tls12-03-ecdhe"]
    first = capture_of(play_solution(level, 5), "x").to_pcapng()
    assert capture_of(play_solution(level, 5), "x").to_pcapng() == first
    assert capture_of(play_solution(level, 6), "x").to_pcapng() != first


def test_a_game_saved_midway_stops_where_the_play_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    referee = Referee(games.LEVELS["tls13-01-handshake-client"], clock=lambda: 0.0)
    referee.start()
    referee.play(referee.solution_move())  # ClientHello only
    pcap, keylog = save_game(referee, tmp_path / "data")
    assert pcap.parent == tmp_path and pcap.name.endswith(".pcapng")
    assert keylog is not None and keylog.read_text().count("TRAFFIC_SECRET") == 4  # the server flight is in: all four
    frames = dissect(pcap).frames
    assert [t for f in frames for t in f.handshake_types][:2] == [1, 2]
    assert not any(Flag.FIN in s.flags for s in _segments(capture_of(referee, "x").packets))
    assert "not over" in capture_of(referee, "x").comment
    again, _ = save_game(referee, tmp_path / "data")
    assert again == tmp_path / pcap.name.replace(".pcapng", "-2.pcapng") and pcap.exists()


def test_a_tcp_game_has_no_key_log_file_and_a_folder_that_fails_is_skipped(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    pcap, keylog = save_game_files(capture_of(play_solution(games.LEVELS["tcp-01-handshake-client"]), "x"),
                                   "game", [not_a_folder / "sub", tmp_path])
    assert pcap == tmp_path / "game.pcapng" and keylog is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "game.pcapng"]


def test_wrong_moves_are_in_the_capture_and_the_real_connection_still_decrypts(tmp_path: Path) -> None:
    """A wrong TCP segment (ACK instead of SYN) and its RST sit in the stream where they
    happened; a wrong TLS message (Certificate instead of ClientKeyExchange) and the
    server's alert go on a stream of their own."""
    referee = games.play_with_mistakes("stack-02-tcp-then-tls12", {0: "ACK", 3: "Certificate"})
    times = [p.time for p in capture_of(referee, "test").packets]
    assert times == sorted(times)
    mistakes = [e for e in referee.ladder if e.role is EntryRole.MISTAKE]
    assert [e.kind for e in mistakes] == ["ACK", "Certificate"]
    pcap, _ = save_game_files(capture_of(referee, "test"), "game", [tmp_path])
    frames = dissect(pcap).frames
    wrong = [f for f in frames if f.comment.startswith("✗ your mistake")]
    answers = [f for f in frames if f.comment.startswith("↩")]
    assert len(wrong) == 2 and len(answers) == 2
    assert answers[0].reset  # the server's RST to the stray ACK
    assert wrong[1].handshake_types == (11,) and answers[1].alerts == (10,)  # unexpected_message
    assert wrong[1].stream != frames[-1].stream  # the wrong TLS move is not in the real stream
    real = [f for f in frames if f.stream == frames[-1].stream]
    assert tuple(t for f in real for t in f.handshake_types) == games.handshake_types(referee.ladder)
    assert tuple(a for f in real for a in f.alerts) == games.alerts(referee.ladder)
    for frame in frames:
        assert not frame.malformed
        assert all(s < WARNING for s in frame.severities) or frame.reset


def test_a_wrong_encrypted_move_in_a_tls_level_leaves_the_real_connection_whole(tmp_path: Path) -> None:
    referee = games.play_with_mistakes("tls13-01-handshake-client", {2: "Certificate"})
    pcap, _ = save_game_files(capture_of(referee, "test"), "game", [tmp_path])
    dissection = dissect(pcap)
    main = [f for f in dissection.frames if f.stream == "0"]
    assert tuple(t for f in main for t in f.handshake_types) == games.handshake_types(referee.ladder)
    assert dissection.tls_chunks == games.application_data(referee.ladder)
    fork = [f for f in dissection.frames if f.stream == "1"]
    assert len(fork) == 2 and "your mistake" in fork[0].comment and fork[0].tcp_len > 0


def test_each_wrong_tls_move_starts_where_the_right_one_then_did() -> None:
    """Two wrong moves on their own streams: each carries the sequence and acknowledgement
    numbers the real connection stood at, the ones the right move then used."""
    referee = games.play_with_mistakes("tls13-01-handshake-client", {1: "Certificate", 2: "Certificate"})
    packets = capture_of(referee, "test").packets
    segments = _segments(packets)
    main_port = segments[0].src_port
    assert [p.time for p in packets] == sorted(p.time for p in packets)
    forks = [i for i, p in enumerate(packets) if p.aside and p.comment.startswith("✗")]
    assert len(forks) == 2
    ports = {segments[i].src_port for i in forks}
    assert main_port not in ports and len(ports) == 2
    for index in forks:
        wrong = segments[index]
        right = next(s for s in segments[index + 2:] if s.src_port == main_port and s.payload)
        assert (wrong.seq, wrong.ack) == (right.seq, right.ack)
