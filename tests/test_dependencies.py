"""Every third-party import is declared in pyproject.toml, not merely installed by luck.

A fresh virtual environment (what CI builds) already fails on a missing dependency that
nothing else pulls in; this catches the rest: a package imported directly that happens to
arrive as a dependency of a dependency (rich through textual, say).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = {"engine", "tui", "levels", "tests", "bench"}


def imported_top_levels(folder: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in LOCAL}


def distributions(modules: set[str]) -> set[str]:
    mapping = packages_distributions()
    return {_normal(dist) for module in modules for dist in mapping.get(module, [module])}


def declared(*groups: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for group in groups:
        requirements += project["optional-dependencies"][group]
    return {_normal(re.split(r"[<>=!~\[; ]", requirement)[0]) for requirement in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_game_imports_only_declared_runtime_dependencies() -> None:
    used = distributions(imported_top_levels("engine") | imported_top_levels("tui"))
    assert used - declared() == set()


def test_the_tests_import_only_declared_test_dependencies() -> None:
    used = distributions(imported_top_levels("tests") | imported_top_levels("bench"))
    assert used - declared("test") == set()
