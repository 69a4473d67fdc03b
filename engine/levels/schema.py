"""`synack levels schema`: the level format as a JSON Schema, generated from the models.

The schema is pydantic's for `AnyLevel` (the three level kinds, told apart by `protocol`),
so it cannot drift from what the loader accepts. Editors with TOML schema support (Even
Better TOML / taplo) read it through a `#:schema` line at the top of a level file.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from engine.levels.model import AnyLevel

SCHEMA_ID = "https://synack.invalid/schema/level.json"  # a name, not a place: nothing is fetched


def level_schema() -> dict[str, Any]:
    schema = TypeAdapter(AnyLevel).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "synack level",
        "description": "A synack level file (TOML). The format: docs/authoring.md.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(level_schema(), indent=2) + "\n"
