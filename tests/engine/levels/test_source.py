"""The generic TOML machinery: key paths → lines, reading, and problem lines."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from engine.levels import builtin_dir
from engine.levels.source import (
    KeyPath,
    Problem,
    SourceError,
    key_lines,
    parse_document,
    path_text,
    read_document,
    validate,
)

TRICKY = '''\
# a comment with [brackets] and key = "value"
title = "a = b [c]"           # 2
"quoted key" = 1              # 3
dotted.inner.leaf = true      # 4
text = """
[not a table]
x = 1 \\""" still text
"""                           # 5..8
raw = \'\'\'
[[nor this]]\'\'\'              # 9..10
list = [                      # 11
  1,                          # 12
  { a = 1, b = [2, 3] },      # 13
  [4,
   5],                        # 14..15
]
[table]                       # 17
key = 'x'                     # 18
[[items]]                     # 19
name = "first"                # 20
[[items.sub]]                 # 21
v = 1                         # 22
[[items]]                     # 23
name = "second"               # 24
[items.detail]                # 25
deep = { x = { y = 1 } }      # 26
'''


def test_every_kind_of_key_gets_its_line() -> None:
    tomllib.loads(TRICKY)  # the sample is valid TOML
    lines = key_lines(TRICKY)
    expected: dict[KeyPath, int] = {
        ("title",): 2, ("quoted key",): 3, ("dotted",): 4, ("dotted", "inner", "leaf"): 4,
        ("text",): 5, ("raw",): 9, ("list",): 11, ("list", 0): 12, ("list", 1): 13,
        ("list", 1, "b", 1): 13, ("list", 2): 14, ("list", 2, 1): 15, ("table",): 17,
        ("table", "key"): 18, ("items", 0): 19, ("items", 0, "name"): 20, ("items", 0, "sub", 0): 21,
        ("items", 0, "sub", 0, "v"): 22, ("items", 1): 23, ("items", 1, "name"): 24,
        ("items", 1, "detail"): 25, ("items", 1, "detail", "deep", "x", "y"): 26,
    }
    assert {path: lines.get(path) for path in expected} == expected
    assert not any(path[:1] == ("not a table",) or path[:1] == ("nor this",) for path in lines)


def _leaf_paths(value: Any, path: KeyPath = ()) -> list[KeyPath]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaf_paths(item, (*path, key))] or [path]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _leaf_paths(item, (*path, index))] or [path]
    return [path]


@pytest.mark.parametrize("path", sorted(builtin_dir().glob("*.toml")), ids=lambda p: p.stem)
def test_every_key_of_every_builtin_level_is_found_on_a_line_that_names_it(path: Path) -> None:
    document = read_document(path)
    text_lines = document.text.splitlines()
    for leaf in _leaf_paths(document.data):
        line = document.lines.get(leaf)
        assert line is not None, leaf
        key = next(part for part in reversed(leaf) if isinstance(part, str))
        if isinstance(leaf[-1], str):
            assert key in text_lines[line - 1], (leaf, line)


def test_a_missing_key_points_at_its_table_and_a_top_level_one_has_no_line() -> None:
    document = parse_document('a = 1\n\n[[t]]\nx = 1\n', "f.toml")
    assert document.line_of(("t", 0, "missing")) == 3
    assert document.line_of(("missing",)) is None


class _Bank(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    minutes: int = 2


def test_validate_works_for_any_model_such_as_a_quiz_bank() -> None:
    document = parse_document('title = "Week 1"\nminuts = 3\n', "week1.quiz.toml", what="a quiz bank")
    with pytest.raises(SourceError) as caught:
        validate(_Bank, document)
    assert caught.value.problems == [
        "week1.quiz.toml:2: minuts: unknown key 'minuts' (did you mean 'minutes'?); expected one of title, minutes"
    ]
    with pytest.raises(SourceError) as caught:
        parse_document("", "week1.quiz.toml", what="a quiz bank")
    assert caught.value.problems == ["week1.quiz.toml: expected a quiz bank, found an empty file"]


def test_problem_lines_and_paths() -> None:
    assert path_text(("turns", 1, "ask", 0)) == "turns[1].ask[0]"
    assert str(Problem("f.toml", "expected x, found y", ("a", 0), 7)) == "f.toml:7: a[0]: expected x, found y"
    assert str(Problem("f.toml", "expected x, found y")) == "f.toml: expected x, found y"


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_document(tmp_path / "missing.toml")
    assert caught.value.problems == [f"{tmp_path / 'missing.toml'}: cannot read the file: No such file or directory"]
    with pytest.raises(SourceError) as caught:
        read_document(tmp_path)
    assert caught.value.problems == [f"{tmp_path}: cannot read the file: Is a directory"]
