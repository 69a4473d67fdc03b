"""`levels schema` and `levels new`: the schema fits every level, a starter validates and plays."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from engine.levels import builtin_dir, load_file
from engine.levels.check import solution
from engine.levels.model import AlertName
from engine.levels.schema import level_schema
from engine.tls.alerts import AlertDescription
from tui.cli import main

BUILTIN = sorted(builtin_dir().glob("*.toml"))


def printed_schema(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["levels", "schema"]) == 0
    schema: dict[str, object] = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def as_json(path: Path) -> object:
    """The TOML as JSON would carry it (what an editor's schema check sees)."""
    return json.loads(json.dumps(tomllib.loads(path.read_text())))


def test_every_builtin_level_fits_the_printed_schema_and_loads(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(printed_schema(capsys), format_checker=jsonschema.FormatChecker())
    for path in BUILTIN:
        errors = [error.message for error in validator.iter_errors(as_json(path))]
        assert errors == [], path.name
        load_file(path)


def test_the_schema_refuses_what_the_loader_refuses(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(printed_schema(capsys), format_checker=jsonschema.FormatChecker())
    level = as_json(builtin_dir() / "tcp-01-handshake-client.toml")
    assert isinstance(level, dict)
    for broken in (
        level | {"debreif": "x"},
        level | {"protocol": "tls14"},
        level | {"turns": [{"move": "AKC"}]},
        level | {"scenario": level["scenario"] | {"server": {"ip": "192.0.2.300"}}},
        level | {"order": "first"},
    ):
        assert list(validator.iter_errors(broken)), broken


def test_alert_names_are_the_engines() -> None:
    names = [member.name for member in AlertDescription]
    assert list(AlertName.__args__) == names  # type: ignore[attr-defined]


@pytest.mark.parametrize("protocol", ["tcp", "tls12", "tls13"])
@pytest.mark.parametrize("role", ["client", "server"])
def test_a_starter_level_validates_fits_the_schema_and_plays(
    protocol: str, role: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    level_id = f"my-{protocol}-{role}"
    assert main(["levels", "new", level_id, "--protocol", protocol, "--role", role, "--dir", str(tmp_path)]) == 0
    path = tmp_path / f"{level_id}.toml"
    assert capsys.readouterr().out.startswith(f"wrote {path}")
    text = path.read_text()
    assert text.splitlines()[0] == "#:schema ./synack-level.schema.json"
    schema = json.loads((tmp_path / "synack-level.schema.json").read_text())
    assert schema == level_schema()
    jsonschema.Draft202012Validator(schema).validate(as_json(path))
    assert main(["levels", "validate", str(path)]) == 0
    level = load_file(path)
    assert (level.id, level.protocol, level.role.value) == (level_id, protocol, role)
    assert solution(level) == level.moves


def test_new_refuses_a_bad_id_and_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["levels", "new", "My Level", "--dir", str(tmp_path)]) == 2
    assert "expected an id of lowercase letters, digits and dashes" in capsys.readouterr().err
    assert main(["levels", "new", "mine", "--dir", str(tmp_path)]) == 0
    (tmp_path / "mine.toml").write_text("# my edits")
    assert main(["levels", "new", "mine", "--dir", str(tmp_path)]) == 1
    assert "found one already there (--force to overwrite)" in capsys.readouterr().err
    assert (tmp_path / "mine.toml").read_text() == "# my edits"
