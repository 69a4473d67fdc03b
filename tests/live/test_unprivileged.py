"""An ordinary user gets live mode through an unprivileged user + network namespace.

The helper is run as `nobody` (uid 65534) by the system's python3 (it needs only the
standard library) from a copy anyone can read; it must report "user" mode and hand over a
TUN device and a socket bound in the private namespace."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.live.addresses import KERNEL_IP, NETMASK, TUN_NAME
from engine.live.namespace import HELPER, _namespace_from

NOBODY = 65534
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.fixture
def readable_dir() -> Iterator[Path]:
    """A folder anyone can read (pytest's own tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="synack-live-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_an_ordinary_user_gets_a_namespace_through_a_user_namespace(readable_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("this test runs the helper as another user and needs root (CI runs as root)")
    assert SYSTEM_PYTHON.exists(), "the test needs the system's /usr/bin/python3"
    helper = readable_dir / "helper.py"
    shutil.copy(HELPER, helper)
    helper.chmod(0o644)
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    argv = [str(SYSTEM_PYTHON), "-I", str(helper), str(child.fileno()), "1", TUN_NAME, str(KERNEL_IP), str(NETMASK)]
    process = subprocess.Popen(argv, pass_fds=(child.fileno(),), user=NOBODY, group=NOBODY, extra_groups=[],
                               cwd=readable_dir, stderr=subprocess.PIPE)
    child.close()
    parent.settimeout(20)
    message, fds, _, _ = socket.recv_fds(parent, 4096, 2)
    _, stderr = process.communicate(timeout=20)
    parent.close()
    namespace = _namespace_from(message, fds, 1, stderr.decode(errors="replace"))
    try:
        assert namespace.mode == "user"
        assert namespace.netns != os.stat("/proc/self/ns/net").st_ino
        listener = namespace.sockets[0]
        listener.bind((str(KERNEL_IP), 7))  # a port under 1024, allowed inside
        listener.listen()
        assert listener.getsockname() == (str(KERNEL_IP), 7)
    finally:
        namespace.close()
