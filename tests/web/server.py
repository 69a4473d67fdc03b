"""`synack web` run as a player would run it: a subprocess on a free loopback port, with
its own data directory, stopped with Ctrl+C (SIGINT) at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # seconds: a bound on waiting, not a speed target
STOP_TIMEOUT = 30.0


@dataclass
class WebServer:
    url: str
    process: subprocess.Popen[str]
    output: str = ""  # stdout and stderr, once stopped
    returncode: int | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def synack(*args: str, data_dir: Path) -> subprocess.Popen[str]:
    """This installation's synack (the interpreter running the tests), started in its own
    process group so that it and the games it spawns can be stopped together."""
    env = {**os.environ, "SYNACK_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )


@contextmanager
def running(data_dir: Path, *, seed: int | None = None, host: str = "127.0.0.1") -> Iterator[WebServer]:
    port = free_port()
    args = ["web", "--host", host, "--port", str(port)]
    if seed is not None:
        args += ["--seed", str(seed)]
    server = WebServer(f"http://{host}:{port}", synack(*args, data_dir=data_dir))
    try:
        _wait_until_up(server)
        yield server
    finally:
        stop(server)


def stop(server: WebServer, *, interrupted: bool = False) -> None:
    """Ctrl+C, as a person stops it (unless the caller already has: a second Ctrl+C would
    cut the graceful stop short); the whole group is killed only if that fails."""
    process = server.process
    if server.returncode is not None:
        return
    if not interrupted and process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        server.output, _ = process.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        server.output, _ = process.communicate()
    server.returncode = process.returncode


def _wait_until_up(server: WebServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            stop(server)
            raise AssertionError(f"synack web exited with {server.returncode}:\n{server.output}")
        try:
            with urllib.request.urlopen(server.url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"synack web did not answer on {server.url} within {START_TIMEOUT:.0f} s")
