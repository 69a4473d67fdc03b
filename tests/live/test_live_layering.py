"""The live adapter sits at the edge: engine/tcp stays sans-I/O, engine/live is free of the UI."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(imports: str) -> set[str]:
    code = f"import sys, {imports}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_the_tcp_engine_has_no_sockets_and_knows_nothing_of_live_mode() -> None:
    # (engine.referee is left out: pydantic's imports bring the socket module along)
    loaded = _modules_after("engine.tcp.endpoint, engine.tcp.segment, engine.tcp.arrival")
    assert {"socket", "select", "engine.live"} & loaded == set()


def test_engine_live_imports_no_textual() -> None:
    loaded = _modules_after("engine.live.referee, engine.live.tls_game, engine.live.autopilot")
    assert {name for name in loaded if name.split(".")[0] in ("textual", "tui", "rich")} == set()
    assert "socket" in loaded  # the positive control: this is where the sockets are
