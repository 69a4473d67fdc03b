"""The engine's TCP endpoint, with nobody at the controls, against the real Linux kernel.

Every segment the kernel sends must decode with our decoder (checksum verified), re-encode
to the same bytes, and be accepted by our state machine (no drop, no challenge, no RST).
"""

from __future__ import annotations

import errno
import ipaddress

from engine.live.addresses import ENGINE_IP, KERNEL_IP
from engine.live.autopilot import AutoPilot
from engine.live.kernel import Connector, EchoServer, KernelService
from engine.live.wire import ENGINE_PORT, LiveWire, engine_address, kernel_address
from engine.tcp.events import (
    ChallengeAckSent,
    ConnectionRefused,
    DroppedWithAck,
    PeerClosed,
    ResetSent,
    SegmentDropped,
)
from engine.tcp.segment import Flag, MaxSegmentSize, SackPermitted, Segment, Timestamps, WindowScale
from engine.tcp.states import State

ECHO_PORT = 7
SERVER_PORT = 8080
REFUSALS = (SegmentDropped, DroppedWithAck, ChallengeAckSent, ResetSent)


def assert_kernel_segments_accepted(wire: LiveWire, pilot: AutoPilot) -> None:
    kernel = [r for r in wire.records if r.sender is wire.kernel_side]
    assert kernel, "the kernel sent nothing"
    for record in kernel:
        assert record.segment.encode(KERNEL_IP, ENGINE_IP) == record.raw
        assert Segment.decode(record.raw, KERNEL_IP, ENGINE_IP) == record.segment
    refused = [event for event in pilot.events if isinstance(event, REFUSALS)]
    assert refused == []
    assert wire.link.skipped == 0


def calls(service: KernelService) -> list[str]:
    return [call.call for call in service.drain()]


def wait_done(service: KernelService) -> None:
    assert service.done.wait(10), "the kernel's service did not finish"


def start_client(wire: LiveWire, port: int = ECHO_PORT) -> AutoPilot:
    pilot = AutoPilot.create(wire, engine_address(ENGINE_PORT), kernel_address(port))
    pilot.call(pilot.endpoint.open_active)
    return pilot


def test_client_handshake_data_both_ways_and_close(client_wire: LiveWire) -> None:
    service = EchoServer(client_wire.namespace.sockets[0], ECHO_PORT).start()
    pilot = start_client(client_wire)
    pilot.run_until(lambda: pilot.endpoint.state is State.ESTABLISHED, "ESTABLISHED")
    syn_ack = client_wire.records[1].segment
    assert syn_ack.flags == Flag.SYN | Flag.ACK
    assert {type(option) for option in syn_ack.options} >= {MaxSegmentSize, SackPermitted, Timestamps, WindowScale}

    pilot.send(b"hello, kernel\n")
    pilot.run_until(lambda: bytes(pilot.received) == b"hello, kernel\n", "the echo")
    pilot.call(pilot.endpoint.close)
    pilot.run_until(lambda: pilot.endpoint.state is State.TIME_WAIT, "TIME-WAIT")
    wait_done(service)

    assert calls(service) == ["listen()", "accept()", "accept()", "recv()", "send(14 bytes)", "recv()", "close()"]
    assert_kernel_segments_accepted(client_wire, pilot)
    pilot.run_until(lambda: pilot.endpoint.state is State.CLOSED, "CLOSED after 2 MSL", timeout=5)


def test_client_half_close_still_receives(client_wire: LiveWire) -> None:
    """Our FIN goes out right behind our data: in FIN-WAIT-2 the kernel's echo still arrives."""
    service = EchoServer(client_wire.namespace.sockets[0], ECHO_PORT).start()
    pilot = start_client(client_wire)
    pilot.run_until(lambda: pilot.endpoint.state is State.ESTABLISHED, "ESTABLISHED")
    pilot.send(b"last words")
    pilot.call(pilot.endpoint.close)
    pilot.run_until(lambda: bytes(pilot.received) == b"last words", "data after our FIN")
    pilot.run_until(lambda: pilot.endpoint.state is State.TIME_WAIT, "TIME-WAIT")
    wait_done(service)
    states = [e.new for e in pilot.events if hasattr(e, "new")]
    assert State.FIN_WAIT_1 in states and State.TIME_WAIT in states
    assert_kernel_segments_accepted(client_wire, pilot)


def test_server_handshake_half_close_from_the_kernel_and_close(server_wire: LiveWire) -> None:
    pilot = AutoPilot.create(server_wire, engine_address(SERVER_PORT), None)
    pilot.call(pilot.endpoint.open_passive)
    service = Connector(server_wire.namespace.sockets[0], SERVER_PORT, b"hello from the kernel\n").start()
    pilot.run_until(lambda: any(isinstance(e, PeerClosed) for e in pilot.events), "the kernel's FIN")
    assert pilot.endpoint.state is State.CLOSE_WAIT
    assert bytes(pilot.received) == b"hello from the kernel\n"
    pilot.send(b"and hello back\n")  # the kernel's half is closed for sending only
    pilot.call(pilot.endpoint.close)
    pilot.run_until(lambda: pilot.endpoint.state is State.CLOSED, "CLOSED")
    wait_done(service)

    assert calls(service) == ["connect()", "connect()", "send(22 bytes)", "shutdown(SHUT_WR)", "recv()", "recv()", "close()"]
    syn = server_wire.records[0].segment
    assert syn.flags == Flag.SYN and syn.dst_port == SERVER_PORT
    assert_kernel_segments_accepted(server_wire, pilot)


def test_closed_port_gets_the_kernels_rst(client_wire: LiveWire) -> None:
    pilot = start_client(client_wire, port=9)  # nothing listens on 9
    pilot.run_until(lambda: pilot.endpoint.state is State.CLOSED, "the kernel's RST")
    rst = client_wire.records[1].segment
    syn = client_wire.records[0].segment
    assert rst.flags == Flag.RST | Flag.ACK and rst.seq == 0 and rst.ack == syn.seq + 1
    assert any(isinstance(event, ConnectionRefused) for event in pilot.events)


def test_in_window_syn_on_an_established_connection_gets_a_challenge_ack(client_wire: LiveWire) -> None:
    """RFC 5961 §4.2: a SYN in an established connection is answered by a challenge ACK,
    <SEQ=SND.NXT><ACK=RCV.NXT>, and the connection lives on."""
    service = EchoServer(client_wire.namespace.sockets[0], ECHO_PORT).start()
    pilot = start_client(client_wire)
    pilot.run_until(lambda: pilot.endpoint.state is State.ESTABLISHED, "ESTABLISHED")
    endpoint = pilot.endpoint
    blind_syn = Segment(ENGINE_PORT, ECHO_PORT, endpoint.snd_nxt + 10, 0, Flag.SYN, 64240,
                        options=(MaxSegmentSize(1460),))
    before = len(client_wire.records)
    client_wire.send(blind_syn)
    answer = client_wire.receive(2.0)
    assert answer is not None and len(client_wire.records) == before + 2
    segment = answer.segment
    assert segment.flags == Flag.ACK and not segment.payload
    assert segment.seq == endpoint.rcv_nxt and segment.ack == endpoint.snd_nxt

    pilot.send(b"still here?")  # the connection survived
    pilot.run_until(lambda: bytes(pilot.received) == b"still here?", "the echo after the challenge")
    pilot.call(endpoint.close)
    pilot.run_until(lambda: endpoint.state is State.TIME_WAIT, "TIME-WAIT")
    wait_done(service)


def test_the_namespace_is_private_and_documentation_addresses_only(client_wire: LiveWire) -> None:
    import socket

    host_links = [name for _, name in socket.if_nameindex()]  # this process's namespace
    assert "synack0" not in host_links  # the device lives in the private namespace only
    probe = client_wire.namespace.sockets[0]
    probe.settimeout(1)
    # No route out of 192.0.2.0/24: refused at once, before any packet exists.
    assert probe.connect_ex(("198.51.100.1", 80)) == errno.ENETUNREACH
    assert ipaddress.IPv4Address(ENGINE_IP) in ipaddress.IPv4Network("192.0.2.0/24")


CHILD = """
import os, sys, time
from engine.live.namespace import open_namespace
namespace = open_namespace(1)
namespace.sockets[0].bind(("192.0.2.1", 7)); namespace.sockets[0].listen()
print(namespace.netns, namespace.sockets[0].fileno(), flush=True)
time.sleep(60)
"""


def _references(inode: int) -> list[str]:
    """Every process namespace, open descriptor and mount that names the namespace."""
    import glob
    import os

    wanted = f"net:[{inode}]"
    found = []
    for path in glob.glob("/proc/[0-9]*/ns/net") + glob.glob("/proc/[0-9]*/fd/*"):
        try:
            if os.readlink(path) == wanted:
                found.append(path)
        except OSError:
            pass  # the process or descriptor went away meanwhile
    with open("/proc/self/mountinfo") as mounts:
        found += [line for line in mounts if wanted in line]
    return found


def _socket_namespace(pid: int, fd: int) -> int:
    """The inode of the network namespace of socket `fd` in process `pid` (pidfd_getfd(2),
    then SIOCGSKNS: the namespace a socket lives in)."""
    import ctypes
    import fcntl
    import os

    pidfd = os.pidfd_open(pid)
    libc = ctypes.CDLL(None, use_errno=True)
    copy = libc.syscall(438, pidfd, fd, 0)  # SYS_pidfd_getfd on x86_64
    os.close(pidfd)
    assert copy >= 0, os.strerror(ctypes.get_errno())
    try:
        ns = fcntl.ioctl(copy, 0x894C)  # SIOCGSKNS
        try:
            return os.fstat(ns).st_ino
        finally:
            os.close(ns)
    finally:
        os.close(copy)


def test_nothing_is_left_behind_when_the_process_is_killed() -> None:
    """The namespace is held by the game's descriptors alone: no helper process stays in it
    and nothing is mounted, so when the game dies (here: SIGKILL) the kernel frees it."""
    import os
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip(), "the child could not open a namespace"
        inode, socket_fd = (int(word) for word in line.split())
        assert os.stat("/proc/self/ns/net").st_ino != inode  # not ours: a private one
        assert _socket_namespace(child.pid, socket_fd) == inode  # alive, held by the socket
        assert _references(inode) == []  # ... and by nothing else: no process, no mount
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _references(inode) == []
