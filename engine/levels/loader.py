"""Loading levels: TOML file → validated `Level`, or one readable line per problem.

A problem line reads `file: key.path: expected ..., found ...`, with a did-you-mean for a
misspelled key or name. Nothing here raises anything but `LevelError` to its caller.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from engine.levels.model import LEVEL_MODELS, Level

MAX_LEVEL_BYTES = 256 * 1024
CHAPTER_ORDER = ("TCP", "TLS 1.2", "TLS 1.3", "TCP then TLS", "When things go wrong", "Compare")


class LevelError(Exception):
    """A level that cannot be loaded; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
        raise LevelError([f"{path_or_id}: no such level file or built-in level id{_did_you_mean(path_or_id, known)}"])
    return level


def load_file(path: Path) -> Level:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LevelError([f"{name}: cannot read the file: {error.strerror or error}"]) from None
    if len(raw) > MAX_LEVEL_BYTES:
        raise LevelError([f"{name}: expected a level file of at most {MAX_LEVEL_BYTES} bytes, found {len(raw)} bytes"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LevelError([f"{name}: expected UTF-8 text, found a byte 0x{raw[error.start]:02x} at offset {error.start} (is this a binary file?)"]) from None
    return parse_level(text, name)


def parse_level(text: str, name: str) -> Level:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LevelError([f"{name}: expected valid TOML, found a syntax error: {error}"]) from None
    if not data:
        raise LevelError([f"{name}: expected a level, found an empty file"])
    protocol = data.get("protocol")
    model = LEVEL_MODELS.get(protocol) if isinstance(protocol, str) else None
    if model is None:
        known = list(LEVEL_MODELS)
        found = "nothing (the key is required)" if protocol is None else repr(protocol)
        hint = _did_you_mean(protocol, known) if isinstance(protocol, str) else ""
        raise LevelError([f"{name}: protocol: expected one of {', '.join(map(repr, known))}, found {found}{hint}"])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise LevelError([f"{name}: {line}" for line in describe_errors(error, model)]) from None


def describe_errors(error: ValidationError, model: type[BaseModel]) -> list[str]:
    return [_describe(detail, model) for detail in error.errors(include_url=False)]


def _describe(detail: Any, model: type[BaseModel]) -> str:
    loc = tuple(detail["loc"])
    kind = detail["type"]
    found = detail.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = list(parent.model_fields) if parent else []
        key = str(loc[-1])
        return f"{_path(loc)}: unknown key {key!r}{_did_you_mean(key, known)}; expected one of {', '.join(known)}"
    if kind == "missing":
        return f"{_path(loc)}: expected a value, found nothing (the key is required)"
    if kind in ("literal_error", "enum"):
        expected = detail.get("ctx", {}).get("expected", "")
        options = [part.strip(" '\"") for part in expected.replace(" or ", ", ").split(",")]
        return f"{_path(loc)}: expected one of {expected}, found {found!r}{_did_you_mean(str(found), options)}"
    message = detail["msg"]
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        return f"{_path(loc)}: {message}" if loc else message
    return f"{_path(loc)}: expected {_lower_first(message)}, found {_show(found)}"


def _model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The model class that holds the keys at `loc` (list indexes are skipped)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(str(part))
        current = _inner_model(info.annotation) if info else None
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _inner_model(argument)
        if found:
            return found
    return None


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    pool = list(candidates)
    folded = {candidate.lower(): candidate for candidate in pool}
    matches = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[matches[0]]!r}?)" if matches else ""


def _lower_first(text: str) -> str:
    text = text.removeprefix("Input should be ")
    return text[:1].lower() + text[1:]


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _duplicate_ids(levels: list[Level]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for level in levels:
        if level.id in seen:
            problems.append(f"id {level.id!r}: expected a unique level id, found it twice")
        seen.add(level.id)
    return problems
