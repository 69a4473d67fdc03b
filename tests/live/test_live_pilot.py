"""`live tcp` played through key presses, against the real kernel (root in CI)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.live.referee import LiveOptions
from engine.referee import Move
from engine.referee.types import Side
from tests.tui.driving import make_move
from tui.app import SynackApp
from tui.screens.live import KernelPane, LiveApp, LiveScreen
from tui.screens.live_menu import LiveMenu
from tui.widgets.feedback import FeedbackLine


async def _live_screen(app: SynackApp) -> LiveScreen:
    for _ in range(100):
        if isinstance(app.screen, LiveScreen):
            return app.screen
        await asyncio.sleep(0.05)
    raise AssertionError(f"no live screen: {app.screen!r}, notifications {list(app._notifications)}")


async def _play_to_the_end(app: SynackApp, pilot, screen: LiveScreen) -> None:  # type: ignore[no-untyped-def]
    referee = screen.live_referee
    for _ in range(30):
        if referee.finished:
            return
        await make_move(pilot, referee.solution_move())
    raise AssertionError("the live game did not end")


def test_live_tcp_as_client_played_to_the_end(tmp_path: Path) -> None:
    async def run() -> None:
        app = LiveApp(LiveOptions(role=Side.CLIENT), data_dir=tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await _live_screen(app)
            referee = screen.live_referee
            await pilot.pause()
            assert referee.turn is not None and referee.turn.number == 1
            await make_move(pilot, referee.solution_move())  # SYN
            right = referee.solution_move()  # the ACK of the kernel's SYN-ACK
            assert right.key == "ACK"
            wrong = Move("ACK", {"ack": str((int(right.values["ack"]) + 1000) % 2**32)})
            await make_move(pilot, wrong)
            assert "Wrong ack" in app.screen.query_one(FeedbackLine).text
            assert any(entry.note == "your mistake, sent to the kernel" for entry in referee.ladder)
            assert any(entry.note == "the kernel's reaction to your mistake" and entry.kind == "RST"
                       for entry in referee.ladder)
            await _play_to_the_end(app, pilot, screen)
            await pilot.pause(0.3)
            feedback = screen.query_one(FeedbackLine).text
            assert "Connection closed" in feedback and "mistakes 1" in feedback
            calls = [call.call for call in referee.live.kernel_calls]
            assert calls[:4] == ["listen()", "accept()", "accept()", "recv()"] and "close()" in calls
            pane = str(screen.query_one(KernelPane).render())
            assert "accept()" in pane
            kinds = [entry.kind for entry in referee.ladder if entry.sender is Side.SERVER]
            assert kinds[0] == "SYN-ACK" and "FIN" in kinds
            await pilot.press("q")
            await pilot.pause()
        assert referee.live.wire.namespace.closed

    asyncio.run(run())


def test_live_from_the_main_menu_and_a_closed_port(tmp_path: Path) -> None:
    async def run() -> None:
        app = SynackApp(data_dir=tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("l")
            await pilot.pause()
            assert isinstance(app.screen, LiveMenu)
            await pilot.press("down", "down", "enter")  # "A closed port"
            screen = await _live_screen(app)
            await pilot.pause()
            await make_move(pilot, screen.live_referee.solution_move())  # SYN
            await pilot.pause(0.3)
            assert screen.live_referee.finished
            assert "ECONNREFUSED" in screen.query_one(FeedbackLine).text
            assert screen.live_referee.ladder[-1].kind == "RST-ACK"

    asyncio.run(run())
