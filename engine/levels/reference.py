"""Key tables for docs/authoring.md, generated from the models the loader uses.

`key_table(model)` renders one Markdown table (key, type, default, meaning) of a model's
keys, from its JSON Schema, so the documentation cannot drift from what the loader
accepts: a test checks that every table in docs/authoring.md is exactly what this renders.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from pydantic import BaseModel
from pydantic.fields import PydanticUndefined

MAX_LISTED = 6  # longer lists of names are given in their own section of the document


def key_table(model: type[BaseModel], keys: Iterable[str] | None = None) -> str:
    """The table of `model`'s keys (or of just `keys`, in that order)."""
    schema = model.model_json_schema()
    properties: dict[str, Any] = schema.get("properties", {})
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    names = list(model.model_fields) if keys is None else list(keys)
    for name in names:
        info = model.model_fields[name]
        prop = properties.get(name, {})
        meaning = (info.description or "").replace("|", "\\|")
        rows.append(f"| `{name}` | {_type(prop, schema)} | {_default(info)} | {meaning} |")
    return "\n".join(rows)


def _type(prop: dict[str, Any], root: dict[str, Any]) -> str:
    if "anyOf" in prop:
        kinds = [_type(option, root) for option in prop["anyOf"] if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = root.get("$defs", {}).get(name, {})
        if "enum" in target:
            return _type(target, root)
        return f"table ({name})"
    if "enum" in prop:
        values: list[Any] = prop["enum"]
        if len(values) > MAX_LISTED:
            return f"name ({len(values)} allowed)"
        return "one of " + ", ".join(f"`{json.dumps(value)}`" for value in values)
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    kind = str(prop.get("type"))
    if kind == "array":
        if "prefixItems" in prop:
            return f"list of {len(prop['prefixItems'])} × {_type(prop['prefixItems'][0], root)}"
        item = _type(prop.get("items", {}), root)
        return f"list of {item}" + _length(prop)
    words = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean"}.get(kind, "value")
    if prop.get("format") == "ipv4":
        words = "IPv4 address"
    return words + _range(prop)


def _range(prop: dict[str, Any]) -> str:
    low = prop.get("minimum", prop.get("exclusiveMinimum"))
    high = prop.get("maximum", prop.get("exclusiveMaximum"))
    if low is None and high is None:
        length = [prop.get("minLength"), prop.get("maxLength")]
        if prop.get("pattern"):
            return f" matching `{prop['pattern']}`"
        if length[1] is not None:
            return f" (≤ {length[1]} chars)"
        return " (not empty)" if length[0] else ""
    low_mark = ">" if "exclusiveMinimum" in prop else "≥"
    if high is None:
        return f" {low_mark} {low}"
    if low is None:
        return f" ≤ {high}"
    return f" {low}–{high}" if low_mark == "≥" else f" > {low}, ≤ {high}"


def _length(prop: dict[str, Any]) -> str:
    low, high = prop.get("minItems"), prop.get("maxItems")
    if high is not None:
        return f" (≤ {high})"
    return " (≥ 1)" if low else ""


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return "see meaning"
    value = info.default
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "its defaults"
    if isinstance(value, tuple):
        value = list(value)
    text = json.dumps(value, default=str)
    return f"`{text}`" if len(text) <= 40 else f"`{text[:37]}...`"


def names_line(literal: Any) -> str:
    """The allowed values of a `Literal[...]` type as a line of code spans."""
    return ", ".join(f"`{value}`" for value in literal.__args__)


def vocabulary_table() -> str:
    """Which TLS messages each side sends in each version (the referee's own table)."""
    from engine.referee.tls_moves import VOCABULARY

    rows = ["| version | side | messages |", "|---|---|---|"]
    for (version, side), messages in VOCABULARY.items():
        name = {"tls13": "TLS 1.3", "tls12": "TLS 1.2"}[version]
        rows.append(f"| {name} | {side.value} | {', '.join(messages)} |")
    return "\n".join(rows)
