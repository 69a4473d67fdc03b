"""`synack web`: the whole game served to browsers by textual-serve, one game per tab.

textual-serve runs a command for every browser connection and relays the app's screen to
xterm.js in the page. The command is this installation's own game (the same Python, running
`tui.web_game`: synack's app with its focus settled for the browser), so a browser game
keeps its progress and quiz results in the same data directory as a terminal game
($SYNACK_DATA_DIR, else the user's data directory).

Two guards textual-serve does not have, since any web page a player visits can try to open
a WebSocket to a server on their machine: a game socket is refused when the page that asks
for it comes from another origin, and a server bound to loopback answers only requests
addressed to a loopback name (which stops DNS rebinding). And on Ctrl+C every tab's
connection is closed and its game waited for, so the server never exits on a running game.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tui.web_commands import DEFAULT_HOST

LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def app_command(seed: int | None = None, packs: Sequence[Path] = ()) -> str:
    """The shell command textual-serve runs for each browser tab: this installation's game,
    with the seed and the level packs (as absolute paths: the game may start elsewhere)."""
    argv = [sys.executable, "-m", "tui.web_game"]
    if seed is not None:
        argv += ["--seed", str(seed)]
    for pack in packs:
        argv += ["--pack", str(pack.resolve())]
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    """True for a loopback name or address (127.0.0.0/8, ::1, localhost), with or without
    a port or IPv6 brackets, as it appears in a Host header."""
    name = _hostname(host)
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """What to tell whoever binds the server to an address other machines can reach."""
    if is_loopback(host):
        return None
    where = "every network this machine is on" if host in WILDCARD_HOSTS else host
    return (
        f"warning: synack web is listening on {where}, not only on this machine (loopback). "
        "Anyone who can reach this port can start games on this machine, and the traffic "
        "is plain HTTP (no TLS). Do this only on a network you trust, such as a classroom's; "
        f"use --host {DEFAULT_HOST} to play alone."
    )


def _hostname(host: str) -> str:
    """'127.0.0.1:8000' → '127.0.0.1', '[::1]:8000' → '::1', 'localhost' → 'localhost'."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


class _PlainFormatter(logging.Formatter):
    """One line a record: a server operator gets the error's message, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = f"synack web: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {error})"
        return message


class _Game(AppService):
    """One tab's game process. Stopping it waits until the process has exited, so the
    server's event loop never closes on a game still running (asyncio then complains, with
    a traceback, about a child it can no longer reap)."""

    async def stop(self) -> None:
        await super().stop()
        process = self._process
        if process is not None and process.returncode is None:
            await process.wait()


class GameServer(Server):
    """textual-serve's server with synack's guards, start-up message and logging."""

    def __init__(self, command: str, *, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="synack")
        self.loopback_only = is_loopback(host)
        self._sockets: set[web.WebSocketResponse] = set()

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_PlainFormatter())
        logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)

    async def on_startup(self, app: web.Application) -> None:
        print(
            f"synack web: serving the game on {self.shown_url()}\n"
            "Open it in a browser: each tab plays its own game. Ctrl+C stops the server.",
            flush=True,
        )

    def shown_url(self) -> str:
        """The address to open: on a wildcard bind, this machine's own name for it."""
        name = "localhost" if self.host in WILDCARD_HOSTS else self.host
        return f"http://[{name}]:{self.port}" if ":" in name else f"http://{name}:{self.port}"

    async def handle_index(self, request: web.Request) -> Any:
        self._check_host(request)
        # The page's script and socket URLs are built from public_url. Build them from the
        # address the browser used, so a server bound to 0.0.0.0 gives working URLs. The
        # page is rendered before the next await, so no other request sees this value.
        self.public_url = f"http://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """A tab's game: a process of its own, fed the tab's keys and size, until either
        side closes. textual-serve's own handler, with the guards, and a game that is waited
        for when it stops."""
        self._check_host(request)
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="synack web: a game can only be opened from its own page")
        socket = web.WebSocketResponse(heartbeat=15)
        await socket.prepare(request)

        async def close() -> None:  # the game quit: the page says "Session ended"
            await socket.close()

        game = _Game(self.command, write_bytes=socket.send_bytes, write_str=socket.send_str,
                     close=close, download_manager=self.download_manager, debug=self.debug)
        self._sockets.add(socket)
        try:
            await game.start(to_int(request.query.get("width", "80"), 80),
                             to_int(request.query.get("height", "24"), 24))
            await self._process_messages(socket, game)
        except Exception as error:  # e.g. a tab gone mid-write: one line in the log
            logging.getLogger("textual-serve").warning("a game's connection failed", exc_info=error)
        finally:
            self._sockets.discard(socket)
            await game.stop()
        return socket

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C: close every tab's connection, so that each game is told to quit."""
        await asyncio.gather(*(socket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
                               for socket in list(self._sockets)), return_exceptions=True)

    def _check_host(self, request: web.Request) -> None:
        if self.loopback_only and not is_loopback(request.host):
            raise web.HTTPForbidden(text="synack web: this server answers only on loopback addresses")


def serve(*, host: str, port: int, seed: int | None, packs: Sequence[Path] = ()) -> int:
    """Serve the game until Ctrl+C; 0 when stopped, 1 when the address cannot be used."""
    warning = exposure_warning(host)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    server = GameServer(app_command(seed, packs), host=host, port=port)
    try:
        server.serve()
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"synack web: cannot listen on {host} port {port}: {reason}", file=sys.stderr)
        return 1
    return 0
