"""engine/ is free of Textual: proven in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_the_engine_imports_no_textual() -> None:
    code = (
        "import sys, engine.referee, engine.levels, engine.levels.check, engine.tcp.endpoint;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
