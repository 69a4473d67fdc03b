"""A Compare level ends with the two runs counted side by side on the summary."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from rich.console import Console

from tests.tui.driving import play_to_the_end
from tests.tui.snapshot_app import make_app
from tui.screens.summary import SummaryScreen
from tui.widgets.comparison import comparison_table


def test_the_summary_of_a_compare_level_shows_both_runs(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="compare-02-tls12-round-trips")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await play_to_the_end(pilot)
            await pilot.pause()
            summary = app.screen
            assert isinstance(summary, SummaryScreen) and summary.comparison is not None
            assert summary.query_one("#summary-box").has_class("-compare")
            tls12, tls13 = summary.comparison
            assert (tls12.round_trips, tls13.round_trips) == (2, 1)
            console = Console(width=110, record=True, file=io.StringIO())
            console.print(comparison_table(summary.comparison))
            text = console.export_text()
            assert "TLS 1.2 · this game" in text and "TLS 1.3 · same client" in text
            assert "2 of 11: Finished ×2" in text  # only the Finished messages, in TLS 1.2

    asyncio.run(run())


def test_other_chapters_have_no_comparison(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(tmp_path, level="tcp-01-handshake-client")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await play_to_the_end(pilot)
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen) and app.screen.comparison is None
            assert not app.screen.query("#summary-comparison")

    asyncio.run(run())
