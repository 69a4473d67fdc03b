"""The namespace side of live mode, run as `python -I helper.py FD SOCKETS NAME ADDRESS MASK`.

A short-lived child process: it leaves the caller's network namespace for a new, empty
one (as root: unshare(CLONE_NEWNET); otherwise an unprivileged user namespace with it),
makes the TUN device there, gives it 192.0.2.1/24 and brings it up, opens SOCKETS TCP
sockets in that namespace, hands every descriptor to the parent over the Unix socket FD
(SCM_RIGHTS) and exits. The namespace has no name and no process: it lives exactly as
long as the parent holds those descriptors, so it goes when the parent ends or crashes.

It imports only the standard library (it runs by path, isolated from the environment), and
it runs in its own process because CLONE_NEWUSER is refused to a process with threads
(the game's UI has some), and so that the caller's own namespace is never touched.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import socket
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IFF_UP = 0x1
IFF_RUNNING = 0x40
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCSIFADDR = 0x8916
SIOCSIFNETMASK = 0x891C


class SetupFailed(Exception):
    """One step of the setup failed; the text says which and why."""


def _unshare(flags: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def enter_namespace() -> str:
    """Leave for a new network namespace; returns "root" or "user" (how we got there)."""
    try:
        _unshare(CLONE_NEWNET)
        return "root"
    except OSError as root_error:
        if root_error.errno not in (errno.EPERM, errno.EACCES):
            raise SetupFailed(f"unshare(CLONE_NEWNET): {root_error.strerror}") from None
    uid, gid = os.getuid(), os.getgid()
    try:
        _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    except OSError as user_error:
        raise SetupFailed(
            f"no network namespace: not root, and unshare(CLONE_NEWUSER | CLONE_NEWNET) "
            f"failed: {user_error.strerror}"
        ) from None
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    return "user"


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _ifreq(name_text: str, payload: bytes) -> bytes:
    name = name_text.encode()
    return name + b"\x00" * (16 - len(name)) + payload + b"\x00" * (24 - len(payload))


def _sockaddr_in(address: str) -> bytes:
    return struct.pack("=H2x4s8x", socket.AF_INET, socket.inet_aton(address))


def open_tun(name: str) -> int:
    try:
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    except OSError as error:
        raise SetupFailed(f"cannot open /dev/net/tun: {error.strerror}") from None
    try:
        fcntl.ioctl(fd, TUNSETIFF, _ifreq(name, struct.pack("=H", IFF_TUN | IFF_NO_PI)))
    except OSError as error:
        raise SetupFailed(f"TUNSETIFF {name}: {error.strerror}") from None
    return fd


def configure_link(name: str, address: str, netmask: str) -> None:
    """`address`/`netmask` (192.0.2.1/24) on the TUN device, which goes up; IPv6 off on it, so that the kernel's
    own chatter (router solicitations) stays off the link. No other route exists here."""
    try:
        _write(f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1")
    except OSError:
        pass  # no IPv6 in this kernel: nothing to silence
    try:
        _write("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0")
    except OSError:
        pass  # older kernels: ports under 1024 then need root
    control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        fcntl.ioctl(control, SIOCSIFADDR, _ifreq(name, _sockaddr_in(address)))
        fcntl.ioctl(control, SIOCSIFNETMASK, _ifreq(name, _sockaddr_in(netmask)))
        flags = struct.unpack_from("=H", fcntl.ioctl(control, SIOCGIFFLAGS, _ifreq(name, b"")), 16)[0]
        fcntl.ioctl(control, SIOCSIFFLAGS, _ifreq(name, struct.pack("=H", flags | IFF_UP | IFF_RUNNING)))
    except OSError as error:
        raise SetupFailed(f"configuring {name}: {error.strerror}") from None
    finally:
        control.close()


def main(argv: list[str]) -> int:
    channel = socket.socket(fileno=int(argv[0]))
    count, name, address, netmask = int(argv[1]), argv[2], argv[3], argv[4]
    try:
        mode = enter_namespace()
        tun = open_tun(name)
        configure_link(name, address, netmask)
        sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    except (SetupFailed, OSError) as error:
        channel.sendall(json.dumps({"ok": False, "error": str(error)}).encode())
        return 1
    header = {"ok": True, "mode": mode, "netns": os.stat("/proc/self/ns/net").st_ino}
    socket.send_fds(channel, [json.dumps(header).encode()], [tun, *(s.fileno() for s in sockets)])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
