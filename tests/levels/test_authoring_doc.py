"""docs/authoring.md: its worked examples load and play, its tables are the models' own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.levels import parse_level
from engine.levels import model
from engine.levels.check import check_playable
from engine.levels.pack import PackInfo
from engine.levels.source import parse_document
from tests.levels.doc_tables import MARKER, render_marker

DOC = Path(__file__).parents[2] / "docs" / "authoring.md"
TEXT = DOC.read_text()
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```toml\n(.*?)```", re.S)
EXAMPLES = dict(EXAMPLE.findall(TEXT))


def test_the_three_worked_examples_are_there() -> None:
    assert sorted(EXAMPLES) == ["tcp", "tls12", "tls13"]
    assert TEXT.count("```toml") == len(EXAMPLES) + 1  # + the quiz bank's example


@pytest.mark.parametrize("name", ["tcp", "tls12", "tls13"])
def test_each_example_loads_and_plays_as_validate_would(name: str) -> None:
    text = EXAMPLES[name]
    document = parse_document(text, f"authoring.md#{name}")
    level = parse_level(text, f"authoring.md#{name}")
    assert check_playable(level, document) == []
    assert level.protocol == name


def test_the_examples_show_what_their_headings_promise() -> None:
    tls12 = parse_level(EXAMPLES["tls12"], "tls12")
    assert isinstance(tls12, model.TlsLevel)
    assert tls12.scenario.client_auth == "require" and "CertificateRequest" in tls12.moves
    tls13 = parse_level(EXAMPLES["tls13"], "tls13")
    assert isinstance(tls13, model.TlsLevel)
    assert tls13.moves[-1] == "Alert" and tls13.turns[-1].alert not in (None, "close_notify")


def test_every_generated_block_is_what_the_models_render_now() -> None:
    lines = TEXT.splitlines()
    markers = 0
    for index, line in enumerate(lines):
        found = MARKER.search(line)
        if not found:
            continue
        markers += 1
        rendered = render_marker(found.group(0)).splitlines()
        block_start = index + 2 if found.group(1) == "keys" or "vocabulary" in line else index + 1
        assert lines[block_start : block_start + len(rendered)] == rendered, line
    assert markers >= 20


LEVEL_MODELS = [model.LevelBase, model.TcpLevel, model.TlsLevel, model.StackLevel, model.TcpScenario, model.Host,
                model.ScriptStep, model.Fault, model.TurnSpec, model.TlsScenario, model.TlsTurnSpec,
                model.StackTurnSpec, model.Scoring, PackInfo]


def test_every_level_key_is_documented_with_a_meaning() -> None:
    for cls in LEVEL_MODELS:
        for name, info in cls.model_fields.items():
            assert info.description, f"{cls.__name__}.{name} has no description"
            assert f"| `{name}` |" in TEXT, f"{cls.__name__}.{name} is not in docs/authoring.md"
