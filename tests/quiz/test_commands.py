"""`synack quiz --print/--json`, bad usage and bad banks: exit status and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

BANKS = Path(__file__).with_name("banks")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_print_gives_the_round_and_its_answer_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["quiz", "--print", "--seed", "21", "--questions", "5"], capsys)
    assert (code, err) == (0, "")
    head, key = out.split("\nAnswer key\n")
    assert head.startswith("synack quiz · seed 21 · 5 questions · all")
    for number in range(1, 6):
        assert f"\n{number}. [" in head and f"\n{number}. " in key
    assert key.count("   why: ") == 5 and key.count("   from: ") == 5


def test_the_same_seed_prints_the_same_round(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["quiz", "--print", "--seed", "8", "--questions", "4", "--topic", "tcp"]
    first = run(argv, capsys)[1]
    assert run(argv, capsys)[1] == first
    assert run(["quiz", "--print", "--seed", "9", "--questions", "4", "--topic", "tcp"], capsys)[1] != first


def test_json_matches_the_text_round(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["quiz", "--print", "--json", "--seed", "8", "--questions", "4", "--topic", "tcp"], capsys)
    document = json.loads(out)
    assert code == 0 and document["format"] == "synack-quiz-handout/1"
    assert document["settings"]["seed"] == 8 and document["settings"]["topics"] == ["tcp"]
    text = run(["quiz", "--print", "--seed", "8", "--questions", "4", "--topic", "tcp"], capsys)[1]
    for question in document["questions"]:
        assert question["prompt"] in text and question["topic"] == "tcp" and question["why"] in text
        assert {"kind", "form", "answer", "key", "source", "context"} <= set(question)


def test_a_bank_sets_the_round(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["quiz", "--print", "--json", "--bank", str(BANKS / "week3.toml"), "--seed", "1"], capsys)
    document = json.loads(out)
    assert code == 0 and len(document["questions"]) == 4
    assert {q["kind"] for q in document["questions"]} == {"bank.1", "bank.2", "bank.3", "bank.4"}


@pytest.mark.parametrize(("argv", "expected"), [
    (["quiz", "--json"], "synack quiz: --json goes with --print"),
    (["quiz", "--print", "--export", "x.json"], "synack quiz: --export is for a played round, not with --print"),
])
def test_bad_combinations_are_usage_errors(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert (code, out, err.strip()) == (2, "", expected)


def test_a_broken_bank_lists_its_problems_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["quiz", "--print", "--bank", str(BANKS / "broken-keys.toml")], capsys)
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 3 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--questions", "0"], ["--minutes", "abc"], ["--topic", "udp"],
                                  ["--minutes", "2", "--questions", "3"], ["--seconds-per-question", "1"]])
def test_bad_values_are_refused_by_the_parser(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "tui.cli", "quiz", "--print", *argv],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "synack quiz: error:" in result.stderr
