"""TOML files for authors: read safely, map key paths to line numbers, validate, report.

The generic half of the level loader, public so that any TOML an instructor writes (a level,
a quiz bank, a pack's pack.toml) is read the same way and fails the same way: one
`Problem` per mistake, printed as `file:line: key.path: expected ..., found ...`.

- `read_document(path)` / `parse_document(text, name)`: bytes → UTF-8 → TOML, refusing
  huge, binary and empty files; a syntax error keeps tomllib's line.
- `TomlDocument.line_of(path)`: the line a key path was written on. tomllib gives no
  positions, so `key_lines` scans the (already valid) text for them.
- `validate(model, document)`: pydantic validation whose errors become located problems,
  with a did-you-mean for unknown keys and misspelled names.

Nothing here raises anything but `SourceError` to its caller.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, TypeVar

from pydantic import BaseModel, ValidationError

MAX_FILE_BYTES = 256 * 1024

KeyPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in one file: where (file, line if known, key path) and what."""

    file: str
    message: str  # "expected ..., found ..." (or a sentence when there is no single value)
    path: KeyPath = ()
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {path_text(self.path)}: {self.message}" if self.path else f"{where}: {self.message}"


class SourceError(Exception):
    """A file that cannot be used; `issues` holds one `Problem` per mistake."""

    def __init__(self, issues: Iterable[Problem]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(self.problems))

    @property
    def problems(self) -> list[str]:
        """The problems as printed lines."""
        return [str(issue) for issue in self.issues]


@dataclass
class TomlDocument:
    """A parsed TOML file: its name, text, data, and where each key was written."""

    name: str
    text: str
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest written ancestor (a missing key points at
        its table); None when nothing on the way was written (a missing top-level key)."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.name, message, path, self.line_of(path))


# --- reading -------------------------------------------------------------------------


def read_document(path: Path, *, max_bytes: int = MAX_FILE_BYTES, what: str = "a level") -> TomlDocument:
    """Read and parse one TOML file; `what` names it in messages ("a quiz bank")."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError([Problem(name, f"cannot read the file: {error.strerror or error}")]) from None
    if len(raw) > max_bytes:
        raise SourceError([Problem(name, f"expected a file of at most {max_bytes} bytes, found {len(raw)} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError([Problem(
            name, f"expected UTF-8 text, found a byte 0x{raw[error.start]:02x} at offset {error.start} "
            "(is this a binary file?)", line=line,
        )]) from None
    return parse_document(text, name, what=what)


_AT = re.compile(r" \(at (?:line (\d+), column (\d+)|end of document)\)$")


def parse_document(text: str, name: str, *, what: str = "a level") -> TomlDocument:
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        raise SourceError([Problem(name, "expected text, found a NUL byte (is this a binary file?)", line=nul_line)])
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise SourceError([Problem(name, "expected TOML nested a few levels deep, found arrays or tables "
                                         "nested too deep to read")]) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _AT.search(message)
        line: int | None = None
        where = ""
        if found:
            message = message[: found.start()]
            if found.group(1):
                line, where = int(found.group(1)), f" at column {found.group(2)}"
            else:
                line, where = max(1, text.count("\n") + (not text.endswith("\n"))), " at the end of the file"
        raise SourceError([Problem(name, f"expected valid TOML, found a syntax error{where}: {message}", line=line)]) from None
    if not data:
        raise SourceError([Problem(name, f"expected {what}, found an empty file")])
    try:
        lines = key_lines(text)
    except RecursionError:  # valid but absurdly deep: the problems will just have no line
        lines = {}
    return TomlDocument(name, text, data, lines)


# --- validating ----------------------------------------------------------------------


def validate(model: type[M], document: TomlDocument, data: Any = None) -> M:
    """`document.data` (or `data`) as a `model`, or a `SourceError` with located problems."""
    try:
        return model.model_validate(document.data if data is None else data)
    except ValidationError as error:
        raise SourceError(describe_errors(error, model, document)) from None


def describe_errors(error: ValidationError, model: type[BaseModel], document: TomlDocument) -> list[Problem]:
    """One problem per pydantic error, in the author's words."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = _clean(tuple(detail["loc"]))
        problems.append(document.problem(loc, _message(detail, loc, model)))
    return problems


def _clean(loc: KeyPath) -> KeyPath:
    """Drop pydantic's union branch tags ("literal['a','b']", "function-after[...]")."""
    return tuple(part for part in loc if isinstance(part, int) or not re.match(r"^[a-z-]+\[", part))


def _message(detail: Any, loc: KeyPath, model: type[BaseModel]) -> str:
    kind = detail["type"]
    found = detail.get("input")
    if kind == "extra_forbidden":
        parent = model_at(model, loc[:-1])
        known = list(parent.model_fields) if parent else []
        key = str(loc[-1])
        return f"unknown key {key!r}{did_you_mean(key, known)}; expected one of {', '.join(known)}"
    if kind == "missing":
        return "expected a value, found nothing (the key is required)"
    if kind in ("literal_error", "enum"):
        expected = detail.get("ctx", {}).get("expected", "")
        options = [part.strip(" '\"") for part in expected.replace(" or ", ", ").split(",")]
        if not isinstance(found, str):
            return f"expected one of {expected}, found {show(found)}"
        return f"expected one of {expected}, found {found!r}{did_you_mean(found, options)}"
    message = str(detail["msg"])
    if message.startswith("Value error, "):
        return message.removeprefix("Value error, ")
    expected = _EXPECTED.get(kind)
    if expected is not None:
        return f"expected {expected.format(**detail.get('ctx', {}))}, found {show(found)}"
    return f"expected {_lower_first(message)}, found {show(found)}"


# Pydantic's error types in an author's words ({...} are the error's context values).
_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "string_type": "text (in quotes)", "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list [...]", "tuple_type": "a list [...]", "model_type": "a table", "dict_type": "a table",
    "model_attributes_type": "a table",
    "greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}", "less_than_equal": "at most {le}",
    "too_short": "at least {min_length} item(s)", "too_long": "at most {max_length} item(s)",
    "string_too_short": "at least {min_length} character(s)", "string_too_long": "at most {max_length} characters",
    "string_pattern_mismatch": "text matching {pattern}",
    "ip_v4_address": "an IPv4 address like \"192.0.2.1\"",
}


def model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
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


# --- words ---------------------------------------------------------------------------


def path_text(path: KeyPath) -> str:
    """("turns", 1, "move") → "turns[1].move"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """" (did you mean 'ACK'?)" for the closest candidate, case-insensitively, or ""."""
    folded = {candidate.lower(): candidate for candidate in candidates}
    matches = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[matches[0]]!r}?)" if matches else ""


def show(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _lower_first(text: str) -> str:
    text = text.removeprefix("Input should be ")
    return text[:1].lower() + text[1:]


# --- where keys are written ----------------------------------------------------------


def key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every key, table, array element and inline-table key of a
    valid TOML document, by key path: {("turns", 1, "move"): 31, ...}."""
    scanner = _Scanner(text)
    scanner.document()
    return scanner.lines


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _Scanner:
    """A position-only TOML reader. It trusts the text to be valid TOML (tomllib has
    already said so) and records where things are; it computes no values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self._array_tables: dict[KeyPath, int] = {}  # path → index of its latest [[entry]]

    # low level
    def _peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def _advance(self, count: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += count

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces and comments (and newlines if allowed)."""
        while self.pos < len(self.text):
            char = self._peek()
            if char in " \t\r" or (newlines and char == "\n"):
                self._advance()
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self._advance((len(self.text) if end < 0 else end) - self.pos)
            else:
                return

    def _record(self, path: KeyPath, line: int) -> None:
        self.lines.setdefault(path, line)

    # structure
    def document(self) -> None:
        prefix: KeyPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self.line
            if self.text.startswith("[[", self.pos):
                self._advance(2)
                keys = self._key()
                self._advance(2)  # ]]
                parent = self._resolve(keys[:-1])
                path = (*parent, keys[-1])
                index = self._array_tables.get(path, -1) + 1
                self._array_tables[path] = index
                self._record(path, line)
                prefix = (*path, index)
                self._record(prefix, line)
            elif self._peek() == "[":
                self._advance()
                keys = self._key()
                self._advance()  # ]
                prefix = (*self._resolve(keys[:-1]), keys[-1])
                self._record(prefix, line)
            else:
                self._key_value(prefix)

    def _resolve(self, keys: list[str]) -> KeyPath:
        """A header's dotted key with each array of tables replaced by its latest entry."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            if path in self._array_tables:
                path = (*path, self._array_tables[path])
        return path

    def _key(self) -> list[str]:
        parts = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in "\"'":
                start = self.pos
                self._string()
                parts.append(tomllib.loads(f"k = {self.text[start:self.pos]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                word = match.group(0) if match else ""
                parts.append(word)
                self._advance(len(word) or 1)
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self._advance()

    def _key_value(self, prefix: KeyPath) -> None:
        line = self.line
        keys = self._key()
        for end in range(1, len(keys) + 1):
            self._record((*prefix, *keys[:end]), line)
        self._skip_blank(newlines=False)
        self._advance()  # =
        self._skip_blank(newlines=False)
        self._value((*prefix, *keys))

    def _value(self, path: KeyPath) -> None:
        char = self._peek()
        if char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        elif char in "\"'":
            self._string()
        else:
            while self.pos < len(self.text) and self._peek() not in ",]}\n#":
                self._advance()

    def _array(self, path: KeyPath) -> None:
        self._advance()  # [
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek() in ("]", ""):
                self._advance()
                return
            self._record((*path, index), self.line)
            self._value((*path, index))
            index += 1
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self._advance()

    def _inline_table(self, path: KeyPath) -> None:
        self._advance()  # {
        while True:
            self._skip_blank(newlines=True)
            if self._peek() in ("}", ""):
                self._advance()
                return
            self._key_value(path)
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self._advance()

    def _string(self) -> None:
        quote = self._peek()
        if self.text.startswith(quote * 3, self.pos):
            self._advance(3)
            while not self.text.startswith(quote * 3, self.pos) and self.pos < len(self.text):
                self._advance(2 if quote == '"' and self._peek() == "\\" else 1)
            self._advance(3)
            while self._peek() == quote:  # up to two quotes may close the content
                self._advance()
            return
        self._advance()
        while self._peek() not in (quote, "\n", ""):
            self._advance(2 if quote == '"' and self._peek() == "\\" else 1)
        self._advance()
