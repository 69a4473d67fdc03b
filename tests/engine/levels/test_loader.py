"""The level loader: good files load, broken ones give one exact line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.levels import LevelError, load_builtin, load_file, load_level, parse_level
from engine.side import Side

GOOD = """
id = "my-level"
title = "A level"
chapter = "TCP"
order = 1
protocol = "tcp"
role = "client"
goal = "Connect."

[scenario]
script = [
  { side = "server", action = "listen" },
  { side = "client", action = "connect" },
]

[[turns]]
move = "SYN"

[[turns]]
move = "ACK"
ask = ["ack"]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(LevelError) as caught:
        parse_level(text, "x.toml")
    return caught.value.problems


def test_a_good_level_loads_with_defaults() -> None:
    level = parse_level(GOOD, "x.toml")
    assert level.role is Side.CLIENT
    assert level.moves == ["SYN", "ACK"]
    assert level.scenario.server.port == 80
    assert level.turns[1].ask == ["ack"]


BROKEN = [
    ("syntax", GOOD.replace('order = 1', 'order = '), "x.toml:5: expected valid TOML, found a syntax error at column 9: Invalid value"),
    ("empty", "", "x.toml: expected a level, found an empty file"),
    ("unknown protocol", GOOD.replace('protocol = "tcp"', 'protocol = "tls31"'), "x.toml:6: protocol: expected one of 'tcp', 'tls13', 'tls12', 'tcp+tls13', 'tcp+tls12', found 'tls31' (did you mean 'tls13'?)"),
    ("unknown key", GOOD.replace("debrief", "x").replace('goal = "Connect."', 'goal = "Connect."\ndebreif = "!"'), "x.toml:9: debreif: unknown key 'debreif' (did you mean 'debrief'?); expected one of id, title, chapter, order, role, goal, debrief, seed, scoring, protocol, scenario, turns"),
    ("misspelled required key", GOOD.replace("goal =", "gaol ="), "x.toml: goal: expected a value, found nothing (the key is required)\nx.toml:8: gaol: unknown key 'gaol' (did you mean 'goal'?); expected one of id, title, chapter, order, role, goal, debrief, seed, scoring, protocol, scenario, turns"),
    ("missing key", GOOD.replace('title = "A level"\n', ""), "x.toml: title: expected a value, found nothing (the key is required)"),
    ("misspelled move", GOOD.replace('move = "ACK"', 'move = "AKC"'), "x.toml:20: turns[1].move: expected one of 'SYN', 'SYN-ACK', 'ACK', 'DATA', 'FIN', 'RST', 'RST-ACK' or 'WAIT', found 'AKC' (did you mean 'ACK'?)"),
    ("bad role", GOOD.replace('role = "client"', 'role = "clinet"'), "x.toml:7: role: expected one of 'client' or 'server', found 'clinet' (did you mean 'client'?)"),
    ("wrong type", GOOD.replace("order = 1", 'order = "first"'), "x.toml:5: order: expected a whole number, found 'first'"),
    ("out of range port", GOOD.replace("[scenario]", '[scenario]\nserver = { ip = "192.0.2.2", port = 70000 }'), "x.toml:11: scenario.server.port: expected at most 65535, found 70000"),
    ("nested unknown key", GOOD.replace('action = "connect"', 'action = "connect", dat = "x"'), "x.toml:13: scenario.script[1].dat: unknown key 'dat' (did you mean 'data'?); expected one of side, action, data, together"),
    ("send without data", GOOD.replace('action = "connect"', 'action = "send"'), 'x.toml:13: scenario.script[1].data: expected data = "..." for action = "send", found nothing'),
    ("bad ask field", GOOD.replace('ask = ["ack"]', 'ask = ["akc"]'), "x.toml:21: turns[1].ask[0]: expected one of 'seq', 'ack', 'window' or 'data', found 'akc' (did you mean 'ack'?)"),
]


@pytest.mark.parametrize(("text", "line"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_level_gives_one_exact_line(text: str, line: str) -> None:
    assert problems_of(text) == line.split("\n")


def test_every_problem_gets_its_own_line() -> None:
    text = GOOD.replace("goal =", "gaol =").replace('move = "ACK"', 'move = "AKC"')
    assert len(problems_of(text)) == 3  # unknown gaol, missing goal, bad move


def test_binary_and_huge_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(LevelError) as caught:
        load_file(binary)
    assert caught.value.problems == [f"{binary}:1: expected UTF-8 text, found a byte 0x89 at offset 0 (is this a binary file?)"]
    huge = tmp_path / "h.toml"
    huge.write_text("# " + "x" * 300_000)
    with pytest.raises(LevelError) as caught:
        load_file(huge)
    assert caught.value.problems == [f"{huge}: expected a file of at most 262144 bytes, found 300002 bytes"]


def test_an_unknown_level_id_suggests_the_nearest() -> None:
    with pytest.raises(LevelError) as caught:
        load_level("tcp-01-handshake-clint")
    assert caught.value.problems == [
        "tcp-01-handshake-clint: no such level file or built-in level id (did you mean 'tcp-01-handshake-client'?)"
    ]


def test_the_builtin_pack_loads_without_problems() -> None:
    catalog = load_builtin()
    assert catalog.problems == []
    assert len([level for level in catalog.levels if level.protocol == "tcp"]) >= 5
    assert {level.role for level in catalog.levels} == {Side.CLIENT, Side.SERVER}
