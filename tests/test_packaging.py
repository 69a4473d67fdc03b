"""The wheel carries the built-in levels, and an installed copy finds them from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_non_editable_install_lists_the_levels_from_any_directory(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
    )
    (wheel,) = wheels.glob("synack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(name for name in names if name.startswith("levels/") and name.endswith(".toml"))
    in_checkout = sorted(f"levels/{path.name}" for path in (ROOT / "levels").glob("*.toml"))
    assert shipped == in_checkout

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import levels, sys; from tui.cli import main;"
        "print(levels.__file__, file=sys.stderr); sys.exit(main(['levels', 'list', '--json']))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=True
    )
    assert result.stderr.strip().startswith(str(site))
    ids = [row["id"] for row in json.loads(result.stdout)]
    assert len(ids) == len(in_checkout)
    assert "tcp-01-handshake-client" in ids
