"""engine.export is engine: it imports no Textual (proven in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys


def test_export_imports_no_textual() -> None:
    code = (
        "import sys, engine.export, engine.export.commands;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
