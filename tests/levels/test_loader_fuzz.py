"""Mangled level files: the loader answers with problem lines or a level, nothing else.

Seeded mutations (deleted, duplicated and swapped characters, lines and values) of every
built-in level go through the whole loader (TOML, line map, models, cross-key rules);
the only thing allowed out besides a level is a `LevelError` whose every line names the
file. Whatever tomllib accepts, the line map must also read.
"""

from __future__ import annotations

import random
import tomllib
from typing import Any

import pytest

from engine.levels import LevelError, builtin_dir, parse_level
from engine.levels.source import key_lines

SOURCES = [path.read_text() for path in sorted(builtin_dir().glob("*.toml"))]
JUNK = ['"', "'", "[", "]", "{", "}", "=", ",", "\n", "#", ".", "\\", '"""', "'''", "-1", "1e999", "true", "é", " "]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(text) + 1)
        choice = rng.randrange(4)
        if choice == 0:
            text = text[:where] + text[where + rng.randint(1, 8):]
        elif choice == 1:
            text = text[:where] + rng.choice(JUNK) + text[where:]
        elif choice == 2:
            lines = text.splitlines(keepends=True)
            line = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[line])
            text = "".join(lines)
        else:
            lines = text.splitlines(keepends=True)
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    return text


def assert_every_key_is_on_its_line(text: str, data: dict[str, Any]) -> None:
    lines, text_lines = key_lines(text), text.splitlines()
    for path in _paths(data):
        assert path in lines, path
        if isinstance(path[-1], str):
            assert path[-1] in text_lines[lines[path] - 1], (path, lines[path])


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found += _paths(item, (*path, key))
    return found


@pytest.mark.parametrize("seed", range(8))
def test_mangled_levels_give_problem_lines_or_a_level(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        text = mutate(rng.choice(SOURCES), rng)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            pass
        else:
            assert_every_key_is_on_its_line(text, data)
        try:
            parse_level(text, "fuzz.toml")
        except LevelError as error:
            assert error.problems and all(line.startswith("fuzz.toml") for line in error.problems)
