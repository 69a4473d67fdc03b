"""Loading levels: TOML file → validated `Level`, or one readable line per problem.

A problem line reads `file:line: key.path: expected ..., found ...`, with a did-you-mean for
a misspelled key or name. The TOML reading, line mapping and error wording are the generic
ones of `engine.levels.source`; this module knows what a level is. Nothing here raises
anything but `LevelError` to its caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

from engine.levels.model import LEVEL_MODELS, Level
from engine.levels.source import (
    MAX_FILE_BYTES,
    Problem,
    SourceError,
    TomlDocument,
    did_you_mean,
    parse_document,
    read_document,
    show,
    validate,
)

MAX_LEVEL_BYTES = MAX_FILE_BYTES
CHAPTER_ORDER = ("TCP", "TLS 1.2", "TLS 1.3", "TCP then TLS", "When things go wrong", "Compare")


class LevelError(SourceError):
    """A level that cannot be loaded: `issues` one `Problem` each, `problems` as lines."""

    def __init__(self, issues: Iterable[Problem]) -> None:
        super().__init__(issues)


@dataclass
class Catalog:
    """Every level that loaded, in play order, and the problems of those that did not."""

    levels: list[Level] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def find(self, level_id: str) -> Level | None:
        return next((level for level in self.levels if level.id == level_id), None)


def builtin_dir() -> Path:
    """The installed copy of the built-in levels (works from a wheel and from a checkout)."""
    return Path(str(resources.files("levels")))


def load_builtin() -> Catalog:
    return load_directory(builtin_dir())


def load_directory(directory: Path) -> Catalog:
    catalog = Catalog()
    for path in sorted(directory.glob("*.toml")):
        try:
            catalog.levels.append(load_file(path))
        except LevelError as error:
            catalog.problems.extend(error.problems)
    catalog.problems.extend(_duplicate_ids(catalog.levels))
    catalog.levels.sort(key=play_order)
    return catalog


def play_order(level: Level) -> tuple[int, str, int, str]:
    chapter_rank = (
        CHAPTER_ORDER.index(level.chapter) if level.chapter in CHAPTER_ORDER else len(CHAPTER_ORDER)
    )
    return (chapter_rank, level.chapter, level.order, level.id)


def load_level(path_or_id: str) -> Level:
    """A level by file path, or by the id of a built-in level."""
    path = Path(path_or_id)
    if path.suffix == ".toml" or path.exists():
        return load_file(path)
    catalog = load_builtin()
    level = catalog.find(path_or_id)
    if level is None:
        known = [candidate.id for candidate in catalog.levels]
        raise LevelError([Problem(path_or_id, f"no such level file or built-in level id{did_you_mean(path_or_id, known)}")])
    return level


def load_file(path: Path) -> Level:
    return read_level(path)[0]


def read_level(path: Path) -> tuple[Level, TomlDocument]:
    """A level file and its document (for `validate`, which places the engine's findings
    on lines too)."""
    try:
        document = read_document(path, max_bytes=MAX_LEVEL_BYTES)
    except SourceError as error:
        raise LevelError(error.issues) from None
    return level_from(document), document


def parse_level(text: str, name: str) -> Level:
    try:
        document = parse_document(text, name)
    except SourceError as error:
        raise LevelError(error.issues) from None
    return level_from(document)


def level_from(document: TomlDocument) -> Level:
    """The document as a level: the model its `protocol` names, then the cross-key rules."""
    from engine.levels.rules import check_rules

    protocol = document.data.get("protocol")
    model = LEVEL_MODELS.get(protocol) if isinstance(protocol, str) else None
    if model is None:
        known = list(LEVEL_MODELS)
        found = "nothing (the key is required)" if protocol is None else show(protocol)
        hint = did_you_mean(protocol, known) if isinstance(protocol, str) else ""
        message = f"expected one of {', '.join(map(repr, known))}, found {found}{hint}"
        raise LevelError([document.problem(("protocol",), message)])
    try:
        level = validate(model, document)
    except SourceError as error:
        raise LevelError(error.issues) from None
    problems = check_rules(level, document)
    if problems:
        raise LevelError(problems)
    return level


def _duplicate_ids(levels: list[Level]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for level in levels:
        if level.id in seen:
            problems.append(f"id {level.id!r}: expected a unique level id, found it twice")
        seen.add(level.id)
    return problems
