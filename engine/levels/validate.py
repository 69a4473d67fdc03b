"""`synack levels validate`: every problem of level files and packs, one line each.

A level file is loaded (form, names, cross-key rules) and, if that succeeds, played once on
the real engine (`check_playable`). A folder is a pack: its pack.toml is checked too, level
ids must be unique in it, and its quiz banks (`*.quiz.toml`) go through the quiz's own
bank loader (`engine.quiz.bank.load_bank`), which reports in the same form.
"""

from __future__ import annotations

from pathlib import Path

from engine.levels.check import check_playable
from engine.levels.loader import LevelError, read_level
from engine.levels.pack import BANK_SUFFIX, PACK_FILE, load_pack
from engine.levels.source import Problem, SourceError


def validate_paths(paths: list[Path]) -> tuple[list[str], int]:
    """The problem lines of every file under `paths`, and how many level files were checked."""
    problems: list[str] = []
    checked = 0
    for path in paths:
        if path.is_dir():
            found, count = _validate_pack(path)
        elif path.name.endswith(BANK_SUFFIX):
            found, count = _validate_bank(path), 0
        else:
            found, count = _validate_file(path), 1
        problems += found
        checked += count
    return problems, checked


def _validate_file(path: Path) -> list[str]:
    try:
        level, document = read_level(path)
    except LevelError as error:
        return error.problems
    return [str(problem) for problem in check_playable(level, document)]


def _validate_pack(directory: Path) -> tuple[list[str], int]:
    pack = load_pack(directory)
    problems = list(pack.problems)
    for level in pack.levels:
        problems += [str(problem) for problem in check_playable(level, pack.documents[level.id])]
    for bank in pack.bank_files:
        problems += _validate_bank(bank)
    checked = len(pack.levels) + len([b for b in pack.broken if b.path.name != PACK_FILE])
    if not checked and not pack.bank_files:
        problems.append(str(Problem(str(directory), "expected level files (*.toml) in the folder, found none")))
    return problems, checked


def _validate_bank(path: Path) -> list[str]:
    from engine.quiz.bank import load_bank

    try:
        load_bank(path)
    except SourceError as error:
        return error.problems
    except Exception as error:  # the bank loader is another module's: never a traceback
        return [str(Problem(str(path), f"cannot check the quiz bank: {type(error).__name__}: {error}"))]
    return []
