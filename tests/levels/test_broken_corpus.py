"""The broken-level corpus: every file in broken/ gives exactly the lines in broken.expected.

The corpus covers bad TOML syntax, wrong types, unknown keys, misspelled names (moves,
messages, suites, groups, alerts), roles and sides the protocol lacks, messages the other
side sends or the version lacks, out-of-range numbers, cross-key mistakes, scenarios the
real engine cannot finish, wrong turns, and empty, binary, NUL-bearing and huge files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
EXPECTED = (HERE / "broken.expected").read_text().splitlines()
FILES = sorted(path.name for path in BROKEN.glob("*.toml"))


def expected_for(name: str) -> list[str]:
    return [line for line in EXPECTED if line.split(":", 1)[0] == name]


def test_the_corpus_is_big_and_every_file_has_its_lines() -> None:
    assert len(FILES) >= 30
    assert all(expected_for(name) for name in FILES)
    assert {line.split(":", 1)[0] for line in EXPECTED} == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_each_broken_file_gives_its_exact_lines(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(BROKEN)
    assert main(["levels", "validate", name]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == expected_for(name)
    assert captured.err == ""


def test_the_whole_corpus_in_one_run_prints_no_traceback() -> None:
    root = Path(__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "levels", "validate", *FILES],
        cwd=BROKEN, capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == EXPECTED


def test_the_corpus_as_a_folder_keeps_going_past_each_broken_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["levels", "validate", str(BROKEN)]) == 1
    lines = capsys.readouterr().out.splitlines()
    for name in FILES:
        assert any(line.startswith(f"{BROKEN / name}") for line in lines), name
