"""engine/quiz imports no Textual, and parsing `synack`'s command line loads none of it
but the argparse-only command module (start-up is benchmarked)."""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after(code: str) -> list[str]:
    script = f"import json, sys; {code}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    modules: list[str] = json.loads(result.stdout)
    return modules


def test_the_quiz_engine_imports_no_textual() -> None:
    modules = loaded_after("import engine.quiz.round, engine.quiz.source, engine.quiz.bank, engine.quiz.handout, "
                           "engine.files")
    assert not [m for m in modules if m.split(".")[0] in ("textual", "tui", "rich")]


def test_building_the_command_line_loads_only_the_quiz_command_module() -> None:
    modules = loaded_after("import tui.cli; tui.cli.build_parser()")
    assert "tui.quiz_command" in modules
    assert [m for m in modules if m.startswith(("engine.quiz", "tui.screens.quiz"))] == []


def test_the_app_starts_without_the_quiz() -> None:
    modules = loaded_after("import tui.app, tui.screens.menu")
    assert not [m for m in modules if m.startswith(("engine.quiz", "tui.screens.quiz", "tui.quiz"))]
