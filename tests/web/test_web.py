"""`synack web` without a browser: the address checks, the command each tab runs, clean
failures, the server's guards, and the focus the browser game settles."""

from __future__ import annotations

import asyncio
import base64
import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from textual import events
from textual.widgets import OptionList

from tests.web import server
from tui.app import SynackApp
from tui.screens.menu import MainMenu
from tui.web import GameServer, app_command, exposure_warning, is_loopback
from tui.web_game import parse_args

EXIT_TIMEOUT = 60  # seconds: a bound on waiting, not a speed target


@pytest.mark.parametrize("host", ["127.0.0.1", "127.3.2.1", "::1", "[::1]:8000", "localhost", "LOCALHOST:80",
                                  "127.0.0.1:8000"])
def test_loopback_names_and_addresses(host: str) -> None:
    assert is_loopback(host)
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.org", "evil.example:8000", "10.0.0.1"])
def test_other_addresses_are_not_loopback_and_are_warned_about(host: str) -> None:
    assert not is_loopback(host)
    warning = exposure_warning(host)
    assert warning is not None and "not only on this machine" in warning and "--host 127.0.0.1" in warning


def test_the_wildcard_warning_says_every_network() -> None:
    assert "every network this machine is on" in str(exposure_warning("0.0.0.0"))


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000"),
    ("0.0.0.0", "http://localhost:8000"), ("::", "http://localhost:8000"), ("localhost", "http://localhost:8000"),
])
def test_the_address_to_open_is_one_a_browser_takes(host: str, url: str) -> None:
    assert GameServer("true", host=host, port=8000).shown_url() == url


def test_each_tab_runs_this_python_with_the_seed_and_the_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert shlex.split(app_command(None)) == [sys.executable, "-m", "tui.web_game"]
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(app_command(7, [Path("week 3"), Path("/srv/packs/net")]))
    assert argv == [sys.executable, "-m", "tui.web_game", "--seed", "7",
                    "--pack", str(tmp_path / "week 3"), "--pack", "/srv/packs/net"]
    args = parse_args(argv[3:])  # what the tab's game makes of it
    assert args.seed == 7 and args.pack == [tmp_path / "week 3", Path("/srv/packs/net")]


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=EXIT_TIMEOUT)
    return process.returncode, output


def test_an_address_of_another_machine_is_warned_about_then_refused(tmp_path: Path) -> None:
    """192.0.2.1 (documentation range) is no address of this machine: the warning, then one
    line saying why the server cannot start. No traffic is sent anywhere."""
    code, output = finished(server.synack("web", "--host", "192.0.2.1", "--port", str(server.free_port()),
                                          data_dir=tmp_path))
    assert code == 1
    assert "warning: synack web is listening on 192.0.2.1, not only on this machine" in output
    assert "synack web: cannot listen on 192.0.2.1 port" in output
    assert "Traceback" not in output


def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = finished(server.synack("web", "--port", str(port), data_dir=tmp_path))
    assert code == 1
    assert f"synack web: cannot listen on 127.0.0.1 port {port}:" in output
    assert "warning" not in output and "Traceback" not in output


def test_a_bad_port_is_a_usage_error(tmp_path: Path) -> None:
    code, output = finished(server.synack("web", "--port", "70000", data_dir=tmp_path))
    assert code == 2
    assert "'70000' is not a port number (1-65535)" in output


def answer(url: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """GET `path` with these headers: the status, and the body (none for a 101)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=EXIT_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Host": parts.netloc, **headers})
        response = connection.getresponse()
        return response.status, "" if response.status == 101 else response.read().decode()
    finally:
        connection.close()


def upgrade(url: str, **headers: str) -> int:
    """Ask for a game's WebSocket as a browser does; the HTTP status of the answer."""
    handshake = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
    }
    return answer(url, "/ws?width=80&height=24", {**handshake, **headers})[0]


def test_the_server_refuses_other_origins_and_other_host_names(tmp_path: Path) -> None:
    with server.running(tmp_path) as web:
        own = urlsplit(web.url).netloc
        assert answer(web.url, "/", {})[0] == 200
        assert answer(web.url, "/", {"Host": f"localhost:{urlsplit(web.url).port}"})[0] == 200
        # DNS rebinding: a page from another site, its name now pointing at 127.0.0.1.
        assert answer(web.url, "/", {"Host": "rebound.example:80"})[0] == 403
        assert upgrade(web.url, Origin="http://rebound.example", Host="rebound.example") == 403
        # A page from another site asking this server for a game.
        assert upgrade(web.url, Origin="http://evil.example") == 403
        assert upgrade(web.url, Origin=f"http://{own}") == 101
    assert web.returncode == 0 and "Traceback" not in web.output, web.output


def test_the_page_points_the_browser_at_the_address_it_used(tmp_path: Path) -> None:
    with server.running(tmp_path) as web:
        port = urlsplit(web.url).port
        status, page = answer(web.url, "/", {"Host": f"localhost:{port}"})
    assert status == 200
    assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
    assert f'src="http://localhost:{port}/static/js/textual.js"' in page


def server_frames(stream: socket.socket) -> Iterator[tuple[int, bytes]]:
    """(opcode, payload) of each WebSocket frame the server sends (unmasked), until EOF."""
    reader = stream.makefile("rb")
    while header := reader.read(2):
        length = header[1] & 0x7F
        if length >= 126:
            length = int.from_bytes(reader.read(2 if length == 126 else 8), "big")
        yield header[0] & 0x0F, reader.read(length)


def test_ctrl_c_closes_the_tabs_and_waits_for_their_games(tmp_path: Path) -> None:
    """A tab is playing when the server is stopped: its connection is closed as "going away"
    (1001), and the server exits cleanly only after the game's process has (no game is
    left in its process group)."""
    with server.running(tmp_path) as web:
        parts = urlsplit(web.url)
        tab = socket.create_connection((parts.hostname, parts.port), timeout=EXIT_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        tab.sendall(f"GET /ws?width=80&height=24 HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n".encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # the answer's headers, byte by byte
            head += tab.recv(1)
        assert head.startswith(b"HTTP/1.1 101")
        frames = server_frames(tab)
        assert next(opcode for opcode, _ in frames if opcode == 2)  # the game drew its screen
        web.process.send_signal(signal.SIGINT)
        close = next(payload for opcode, payload in frames if opcode == 8)
        assert int.from_bytes(close[:2], "big") == 1001
        tab.close()
        server.stop(web, interrupted=True)
    assert web.returncode == 0, web.output
    assert "Traceback" not in web.output and "is closed" not in web.output, web.output
    with pytest.raises(ProcessLookupError):
        os.killpg(web.process.pid, 0)  # nothing of the server's is left running


def settle_after_a_blur_at_start(app: SynackApp) -> object:
    """What the web driver does at start (a blur before the menu had focus), then the
    browser's focus; what has focus after."""

    async def run() -> object:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MainMenu)
            app.screen.set_focus(None)  # the menu not focused yet when the blur arrives
            app.post_message(events.AppBlur())
            await pilot.pause()
            app.post_message(events.AppFocus())
            await pilot.pause()
            return app.focused

    return asyncio.run(run())


def test_the_game_focuses_the_menu_when_the_browser_gives_it_focus(tmp_path: Path) -> None:
    focused = settle_after_a_blur_at_start(SynackApp(data_dir=tmp_path))
    assert isinstance(focused, OptionList) and focused.id == "menu"
