"""Real processes and sockets on loopback for the edge tests: `synack serve`, `openssl
s_server`, and two bad servers (one that hangs up, one that never answers).

Tests that need `openssl` or `curl` fail (never skip) when the tool is missing: CI
installs both (.ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # seconds any one process may take; the bounded ones take far less


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; .ci/run installs it (apt-get install -y openssl curl)")
    return path


def synack_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui.cli", *args]


def environment() -> dict[str, str]:
    """This checkout's code, UTF-8 output (the arrows and the key are asserted on)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def synack(*args: str, input: str | None = None, timeout: float = WAIT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(synack_command(*args), input=input, capture_output=True, text=True,
                          env=environment(), timeout=timeout, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    """A process whose stdout is read by a thread (so it never blocks on a full pipe)."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    marker: str = ""
    reader: threading.Thread | None = None

    def start_reading(self) -> None:
        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.lines.append(line)
                if self.marker in line:
                    self.ready.set()
            self.ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def finish(self, timeout: float = WAIT) -> int:
        try:
            code = self.process.wait(timeout)
            if self.reader is not None:
                self.reader.join(timeout)  # every line the process wrote
            return code
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the process did not end within {timeout} s:\n{self.output}") from None


@contextmanager
def running(command: list[str], marker: str, *, env: dict[str, str] | None = None) -> Iterator[Running]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, cwd=ROOT)
    proc = Running(process, marker=marker)
    proc.start_reading()
    try:
        proc.ready.wait(WAIT)  # the marker, or the end of its output
        yield proc
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@contextmanager
def synack_server(*args: str) -> Iterator[tuple[Running, int]]:
    """`synack serve --once --port 0 ...`; yields it and the port it printed."""
    with running(synack_command("serve", "--once", "--port", "0", *args), "listening on ",
                 env=environment()) as server:
        line = next((line for line in server.lines if line.startswith("listening on ")), None)
        if line is None:
            raise AssertionError(f"synack serve did not start:\n{server.output}")
        yield server, int(line.rsplit(":", 1)[1])


@contextmanager
def openssl_server(*args: str, version: str = "-tls1_3") -> Iterator[tuple[Running, int]]:
    """`openssl s_server -accept 127.0.0.1:PORT -www -tls1_3 -naccept 1 ...` on a free port
    (`version="-tls1_2"` for a TLS 1.2 server)."""
    openssl = tool("openssl")
    for _ in range(5):
        port = free_port()
        command = [openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-www", version, "-naccept", "1", *args]
        with running(command, "ACCEPT") as server:
            if "ACCEPT" in server.output:
                yield server, port
                return
    raise AssertionError("openssl s_server found no free port")


@contextmanager
def bad_server(behaviour: str) -> Iterator[int]:
    """A TCP server on loopback that reads the ClientHello and then either hangs up
    ("close") or says nothing for good ("silent")."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            if behaviour == "silent":
                stop.wait(WAIT)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(WAIT)


def elapsed(start: float) -> float:
    return time.monotonic() - start


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text
