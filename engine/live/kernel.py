"""The kernel's side of a live game: real socket calls in the namespace, each one reported.

A service runs in a thread on a socket from the namespace and reports every socket-API
call with its result as a `KernelCall` (listen(), accept() → the peer's address, recv() →
the bytes or b'' for the peer's FIN, send(), connect() → 0 or ECONNREFUSED, close()), so
the player sees the other end's view beside the wire. Services:

- `EchoServer`: listen, accept one connection, echo what arrives until the peer's FIN,
  then close (the kernel's side when the player is the client);
- `Connector`: connect to the engine, send a greeting, half-close, read the answer until
  the peer's FIN, then close (the kernel's side when the player is the server);
- `TlsEchoServer`: as EchoServer, with Python's `ssl` (OpenSSL) wrapping the accepted
  socket: a real TLS server over the kernel's TCP.

Every blocking call is bounded (a short socket timeout, re-tried until `stop()` or the
service's deadline), so no thread outlives the game.
"""

from __future__ import annotations

import errno
import os
import queue
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from engine.live.addresses import ENGINE_IP, KERNEL_IP

__all__ = ["Connector", "EchoServer", "KernelCall", "KernelService", "TlsEchoServer"]

T = TypeVar("T")
POLL = 0.1
SERVICE_DEADLINE = 600.0  # a live game left alone this long is over
RECV_SIZE = 4096


@dataclass(frozen=True)
class KernelCall:
    """One socket call made on the kernel's side and what it returned."""

    call: str  # e.g. "accept()"
    result: str  # e.g. "192.0.2.2:40000 (a connected socket)"
    at: float  # monotonic seconds
    final: bool = False  # the service is done (closed, or failed)

    def line(self) -> str:
        return f"{self.call} → {self.result}"


def _error_name(error: OSError) -> str:
    code = error.errno
    name = errno.errorcode.get(code, "") if code is not None else ""
    words = (error.strerror or str(error)).lower()
    return f"{name} ({words})" if name else words


def _shown(data: bytes, limit: int = 40) -> str:
    text = repr(data[:limit])
    return text + ("…" if len(data) > limit else "")


# struct tcp_info's first byte, tcpi_state (include/net/tcp_states.h), in RFC 9293's words
_LINUX_STATES = {
    1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECEIVED", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
    6: "TIME-WAIT", 7: "CLOSED", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING",
}


def tcp_state(sock: socket.socket) -> str | None:
    """The kernel's own word for the socket's TCP state (getsockopt TCP_INFO), or None
    once the socket is closed."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return None
    return _LINUX_STATES.get(info[0], f"state {info[0]}")


class KernelService:
    """A thread making socket calls; `calls` receives a KernelCall for each."""

    def __init__(self, sock: socket.socket, port: int) -> None:
        self.sock = sock
        self.current = sock  # the socket whose state the player sees (the accepted one, once there)
        self.port = port
        self.calls: queue.Queue[KernelCall] = queue.Queue()
        self._stop = threading.Event()
        self._deadline = time.monotonic() + SERVICE_DEADLINE
        self._thread = threading.Thread(target=self._run_safely, name=type(self).__name__, daemon=True)
        self.done = threading.Event()

    def start(self) -> KernelService:
        self._prepare()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * POLL + 1)

    def state(self) -> str:
        """The kernel's TCP state for this service's connection, read from the kernel."""
        if self.current.fileno() < 0:
            return "CLOSED"
        return tcp_state(self.current) or "CLOSED"

    def drain(self) -> list[KernelCall]:
        """The calls reported since the last drain, in order."""
        calls: list[KernelCall] = []
        while True:
            try:
                calls.append(self.calls.get_nowait())
            except queue.Empty:
                return calls

    # --- for subclasses -----------------------------------------------------------------

    def _prepare(self) -> None:
        """Calls made before the thread starts (bind, listen), so they are in place at once."""

    def _run(self) -> None:
        raise NotImplementedError

    def report(self, call: str, result: str, *, final: bool = False) -> None:
        self.calls.put(KernelCall(call, result, time.monotonic(), final))

    def _run_safely(self) -> None:
        try:
            self._run()
        except _Stopped:
            pass
        except OSError as error:
            self.report("(socket)", _error_name(error), final=True)
        except Exception as error:  # a bug: reported like any failure, never a traceback on the terminal
            self.report("(kernel side)", f"internal error: {type(error).__name__}: {error}", final=True)
        finally:
            self.done.set()

    def blocking(self, call: Callable[[], T]) -> T:
        """Retry `call` on timeouts until it returns, `stop()` or the deadline."""
        while True:
            if self._stop.is_set() or time.monotonic() > self._deadline:
                raise _Stopped
            try:
                return call()
            except (TimeoutError, socket.timeout, ssl.SSLWantReadError):
                continue

    def close(self, sock: socket.socket, what: str = "close()") -> None:
        sock.close()
        self.report(what, "0: the kernel sends its FIN once the data is out", final=True)

    def echo_until_eof(self, conn: socket.socket, prefix: str = "") -> None:
        """recv() and send() back what came, until recv() returns b'' (the peer's FIN)."""
        while True:
            try:
                data = self.blocking(lambda: conn.recv(RECV_SIZE))
            except ConnectionResetError as error:
                self.report(f"{prefix}recv()", _error_name(error), final=True)
                conn.close()
                return
            if not data:
                self.report(f"{prefix}recv()", "b'' (0 bytes): the peer sent its FIN, nothing more will come")
                break
            self.report(f"{prefix}recv()", f"{len(data)} bytes {_shown(data)}")
            conn.sendall(data)
            self.report(f"{prefix}send({len(data)} bytes)", f"{len(data)}: echoed back")
        self.close(conn)


class _Stopped(Exception):
    pass


class EchoServer(KernelService):
    def _prepare(self) -> None:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((str(KERNEL_IP), self.port))
        self.sock.listen(1)
        self.sock.settimeout(POLL)
        self.report("listen()", f"0: a passive open on {KERNEL_IP}:{self.port} (state LISTEN)")

    def _run(self) -> None:
        self.report("accept()", "blocks: it returns once a handshake has completed")
        conn, peer = self.blocking(self.sock.accept)
        self.report("accept()", f"a connected socket from {peer[0]}:{peer[1]} (the handshake is complete)")
        self.current = conn
        conn.settimeout(POLL)
        self.sock.close()
        self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        self.echo_until_eof(conn)


class TlsEchoServer(EchoServer):
    """The accepted socket wrapped by `ssl` with the given server context."""

    def __init__(self, sock: socket.socket, port: int, context: ssl.SSLContext) -> None:
        super().__init__(sock, port)
        self.context = context

    def _serve(self, conn: socket.socket) -> None:
        tls = self.context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        self.current = tls  # wrap_socket took the descriptor over from conn
        try:
            self.blocking(tls.do_handshake)
        except (ssl.SSLError, OSError) as error:
            self.report("SSL_accept()", f"failed: {error}", final=True)
            tls.close()
            return
        cipher = tls.cipher()
        self.report("SSL_accept()", f"1: {tls.version()} with {cipher[0] if cipher else '?'} "
                                    "(OpenSSL's handshake is complete)")
        self._echo_tls(tls)

    def _echo_tls(self, tls: ssl.SSLSocket) -> None:
        while True:
            try:
                data = self.blocking(lambda: tls.recv(RECV_SIZE))
            except (ssl.SSLError, OSError) as error:
                self.report("SSL_read()", f"failed: {error}", final=True)
                tls.close()
                return
            if not data:
                self.report("SSL_read()", "0: the peer sent close_notify (or its FIN)")
                break
            self.report("SSL_read()", f"{len(data)} bytes {_shown(data)}")
            tls.sendall(data)
            self.report(f"SSL_write({len(data)} bytes)", f"{len(data)}: echoed back, encrypted")
        self.close(tls)


class Connector(KernelService):
    """connect() to the engine at ENGINE_IP:port, send `greeting`, shutdown(SHUT_WR) (a
    half-close: the kernel's FIN goes out, its receiving half stays open), read until the
    peer's FIN, then close()."""

    def __init__(self, sock: socket.socket, port: int, greeting: bytes) -> None:
        super().__init__(sock, port)
        self.greeting = greeting

    def _run(self) -> None:
        self.report("connect()", f"blocks: the kernel sends its SYN to {ENGINE_IP}:{self.port} and waits")
        code = self._connect()
        if code:
            self.report("connect()", f"-1, {errno.errorcode.get(code, code)} ({os.strerror(code).lower()})", final=True)
            self.sock.close()
            return
        self.report("connect()", f"0: connected to {ENGINE_IP}:{self.port} (the handshake is complete)")
        self.sock.settimeout(POLL)
        self.sock.sendall(self.greeting)
        self.report(f"send({len(self.greeting)} bytes)", f"{len(self.greeting)} {_shown(self.greeting)}")
        self.sock.shutdown(socket.SHUT_WR)
        self.report("shutdown(SHUT_WR)", "0: the kernel sends its FIN; it can still receive (half-close)")
        while True:
            try:
                data = self.blocking(lambda: self.sock.recv(RECV_SIZE))
            except ConnectionResetError as error:
                self.report("recv()", _error_name(error), final=True)
                self.sock.close()
                return
            if not data:
                self.report("recv()", "b'' (0 bytes): the peer sent its FIN, nothing more will come")
                break
            self.report("recv()", f"{len(data)} bytes {_shown(data)}")
        self.close(self.sock)

    def _connect(self) -> int:
        """A non-blocking connect(), waited for in short slices: 0 or the errno."""
        self.sock.setblocking(False)
        code = self.sock.connect_ex((str(ENGINE_IP), self.port))
        if code not in (errno.EINPROGRESS, errno.EALREADY):
            return code

        def writable() -> int:
            if not select.select([], [self.sock], [], POLL)[1]:
                raise TimeoutError
            return int(self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))

        return self.blocking(writable)
