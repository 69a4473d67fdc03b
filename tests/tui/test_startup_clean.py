"""Starting the app and quitting at once leaves no traceback (it once did: the menu
updated a widget of a screen that was already being torn down)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_AND_LEAVE = """
import sys
from pathlib import Path
from tui.app import SynackApp

async def leave(pilot):
    pilot.app.exit()

app = SynackApp(data_dir=Path(sys.argv[1]))
app.run(headless=True, auto_pilot=leave)
sys.exit(app.return_code or 0)
"""


def test_start_and_quit_at_once_is_clean(tmp_path: Path) -> None:
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-c", START_AND_LEAVE, str(tmp_path)], cwd=ROOT, capture_output=True, text=True
        )
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "NoMatches" not in output, output[-1500:]
        assert result.returncode == 0
