"""Open a private network namespace with a TUN device in it, from the caller's side.

`open_namespace(sockets=N)` runs `helper.py` in a child process, which makes the namespace
and hands back the TUN device's descriptor and N fresh TCP sockets that live in that
namespace (see helper.py). The caller's own namespace is never changed: the sockets carry
their namespace with them, so `bind`, `listen`, `accept` and `connect` on them act in the
private namespace, on 192.0.2.0/24 only. Closing `LiveNamespace` (or the process ending in
any way) drops the last reference, and the kernel removes namespace and device.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from engine.live.addresses import KERNEL_IP, NETMASK, TUN_NAME
from engine.live.errors import LiveUnavailable

__all__ = ["LiveNamespace", "open_namespace"]

HELPER = Path(__file__).with_name("helper.py")
HELPER_TIMEOUT = 20.0

WHAT_TO_ENABLE = (
    "Live mode needs a private network namespace with a TUN device. Run synack as root "
    "(e.g. sudo), or let ordinary users make user namespaces: sysctl "
    "kernel.unprivileged_userns_clone=1 (Debian, Ubuntu) and user.max_user_namespaces > 0, "
    "and on Ubuntu 24.04+ kernel.apparmor_restrict_unprivileged_userns=0; /dev/net/tun must "
    "exist (modprobe tun). The offline game needs none of this."
)


@dataclass
class LiveNamespace:
    """The TUN descriptor and the kernel-side sockets of one private namespace."""

    tun_fd: int
    sockets: list[socket.socket]
    mode: str  # "root" or "user": how the namespace was made
    netns: int  # the namespace's inode number, for telling it apart
    closed: bool = field(default=False)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for sock in self.sockets:
            sock.close()
        os.close(self.tun_fd)

    def __enter__(self) -> LiveNamespace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_namespace(sockets: int = 1) -> LiveNamespace:
    """A fresh namespace with `sockets` unbound TCP sockets in it. Raises LiveUnavailable,
    saying what failed and what to enable, when the system allows no namespace or TUN."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        argv = [sys.executable, "-I", str(HELPER), str(child.fileno()), str(sockets), TUN_NAME,
                str(KERNEL_IP), str(NETMASK)]
        try:
            process = subprocess.Popen(argv, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as error:
            raise LiveUnavailable(f"cannot start the namespace helper: {error.strerror}") from None
        child.close()
        parent.settimeout(HELPER_TIMEOUT)
        try:
            message, fds, _flags, _address = socket.recv_fds(parent, 4096, sockets + 1)
        except (OSError, TimeoutError) as error:
            process.kill()
            raise LiveUnavailable(f"the namespace helper did not answer: {error}") from None
        _, stderr = process.communicate(timeout=HELPER_TIMEOUT)
    finally:
        parent.close()
        child.close()
    return _namespace_from(message, fds, sockets, stderr.decode(errors="replace"))


def _namespace_from(message: bytes, fds: list[int], sockets: int, stderr: str) -> LiveNamespace:
    try:
        header = json.loads(message.decode() or "{}")
    except ValueError:
        header = {}
    if not header.get("ok") or len(fds) != sockets + 1:
        for fd in fds:
            os.close(fd)
        reason = header.get("error") or (stderr.strip().splitlines() or ["no answer"])[-1]
        raise LiveUnavailable(f"{reason}. {WHAT_TO_ENABLE}")
    tun_fd, *socket_fds = fds
    return LiveNamespace(
        tun_fd=tun_fd,
        sockets=[socket.socket(fileno=fd) for fd in socket_fds],
        mode=str(header["mode"]),
        netns=int(header["netns"]),
    )
