"""The `synack` command's level tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.levels import builtin_dir
from tui.cli import main


def test_levels_list_json_reports_each_level_and_its_moves(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["levels", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    first = next(row for row in rows if row["id"] == "tcp-01-handshake-client")
    assert first == {
        "id": "tcp-01-handshake-client",
        "title": "Knock knock: the three-way handshake",
        "chapter": "TCP",
        "order": 1,
        "role": "client",
        "protocol": "tcp",
        "moves": ["SYN", "ACK"],
    }


def test_validate_passes_the_builtin_levels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["levels", "validate", str(builtin_dir())]) == 0
    assert "no problems" in capsys.readouterr().out


def test_validate_reports_each_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (builtin_dir() / "tcp-01-handshake-client.toml").read_text()
    misspelled = tmp_path / "misspelled.toml"
    misspelled.write_text(source.replace('move = "ACK"', 'move = "ACKK"'))
    wrong_turn = tmp_path / "wrong-turn.toml"
    wrong_turn.write_text(source.replace('move = "ACK"', 'move = "FIN"'))
    assert main(["levels", "validate", str(misspelled), str(wrong_turn)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{misspelled}:31: turns[1].move: expected one of 'SYN', 'SYN-ACK', 'ACK', 'DATA', 'FIN', 'RST', 'RST-ACK' or 'WAIT', found 'ACKK' (did you mean 'ACK'?)",
        f"{wrong_turn}:31: turns[1].move: expected ACK (what the real client sends here), found FIN",
    ]


def test_validate_catches_a_scenario_with_missing_turns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (builtin_dir() / "tcp-03-teardown-client.toml").read_text()
    short = tmp_path / "short.toml"
    short.write_text(source.split("[[turns]]")[0] + '[[turns]]\nmove = "SYN"\n')
    assert main(["levels", "validate", str(short)]) == 1
    assert capsys.readouterr().out.strip() == (
        f"{short}:21: turns: expected 4 turns (the real connection asks for SYN, ACK, FIN, ACK), found 1"
    )


def test_play_with_an_unknown_level_says_so_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["play", "no-such-level"]) == 1
    assert capsys.readouterr().err.strip() == "no-such-level: no such level file or built-in level id"


def test_validate_catches_a_script_call_the_endpoint_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (builtin_dir() / "tcp-01-handshake-client.toml").read_text()
    refused = tmp_path / "refused.toml"
    refused.write_text(source.replace('{ side = "client", action = "connect" },', '{ side = "client", action = "send", data = "hi" },'))
    assert main(["levels", "validate", str(refused)]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"{refused}:13: scenario: expected a connection that settles, found: the client's send() is refused in CLOSED: ")


def test_a_closed_pipe_is_not_a_traceback() -> None:
    import subprocess
    import sys

    listing = subprocess.Popen([sys.executable, "-m", "tui.cli", "levels", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert listing.stdout is not None
    listing.stdout.readline()
    listing.stdout.close()  # like `| head -1`
    _, err = listing.communicate()
    assert listing.returncode == 0
    assert b"Traceback" not in err
