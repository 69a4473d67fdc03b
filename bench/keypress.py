"""Key press to the peer's answer on screen, next to a trivial Textual app's key press.

Each sample is a fresh app under Textual's Pilot (`app.run_test`, headless, 120x40):

- synack: a level opened and played (not timed) up to the turn measured, the right move
  chosen with its number key (not timed); then the clock runs from the key press that
  sends it (enter) until the ladder holds the peer's answer (its first arrow) and the
  screen has been painted;
- trivial: a `Label` that a key binding updates; the clock runs from the key press until
  the label holds the new text and the screen has been painted.

Both are measured the same way: `await pilot.press(key)` (Pilot waits for the app to go
idle, about 40-60 ms of its own per press), then `pilot.pause()` until the condition holds,
then one paint (`Screen._on_timer_update`, what Pilot and the update timer call). The apps
alternate so they share the machine's noise. Moves: a level's first (TCP's SYN → SYN-ACK;
TLS 1.3's ClientHello → the server's whole flight, crypto included), when the inspector
and the keys pane fill for the first time, and mid-level ones (TCP's FIN → ACK, FIN after
sending data; TLS 1.3's ApplicationData → the server's response); the referee's own time
for the same move (no screen) is shown beside, so the screen's share can be read off.
Target (issue 5): synack within 1.3x of the trivial app.

Why a figure is what it is: Pilot's idle wait sleeps in 20 ms windows until one passes in
which the process used under 1 ms of processor time, so every window in which the app is
still busy after the key press (a second layout, a repaint left for the next frame) adds
about 20 ms. `--windows` prints, for a few samples of each app, every window Pilot waited
through after the timed key press: its processor and wall time.

    python bench/keypress.py [--runs 20] [--profile "TCP mid-level"] [--windows]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import textual
import textual.app
import textual.pilot
from textual._wait import SLEEP_GRANULARITY, SLEEP_IDLE
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Footer, Label

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.levels import load_builtin  # noqa: E402
from engine.referee import Referee  # noqa: E402
from tui.app import SynackApp  # noqa: E402
from tui.screens.play import PlayScreen  # noqa: E402
from tui.widgets.ladder import LadderView  # noqa: E402
from tui.widgets.move_picker import MovePicker  # noqa: E402

SIZE = (120, 40)
SEED = 7
# name: (level, the number of moves played before the timed one)
MOVES = {
    "TCP first move": ("tcp-01-handshake-client", 0),
    "TCP mid-level": ("tcp-07-data", 4),
    "TLS 1.3 first flight": ("tls13-01-handshake-client", 0),
    "TLS 1.3 mid-level": ("tls13-01-handshake-client", 3),
}
TARGET = 1.3


def frozen_clock() -> float:
    return 0.0


class Trivial(App[None]):
    """A label and a key that updates it: the floor for a key press under Pilot."""

    BINDINGS = [("x", "hit", "hit")]

    def compose(self) -> ComposeResult:
        yield Label("waiting", id="label")
        yield Footer()

    def action_hit(self) -> None:
        self.query_one(Label).update("pressed")


class Windows:
    """Textual's `wait_for_idle` (textual/_wait.py, the same steps) noting each window's
    processor and wall time between `start` and `stop`. Installed only by --windows."""

    def __init__(self) -> None:
        self.log: list[tuple[float, float]] | None = None
        self.taken: list[tuple[float, float]] = []

    def start(self) -> None:
        self.log = []

    def stop(self) -> None:
        self.taken, self.log = self.log or [], None

    def install(self) -> None:
        textual.app.wait_for_idle = textual.pilot.wait_for_idle = self.wait_for_idle  # type: ignore[attr-defined]

    async def wait_for_idle(self, min_sleep: float = SLEEP_GRANULARITY, max_sleep: float = 1) -> None:
        start = time.monotonic()
        while True:
            cpu = time.process_time()
            began = time.monotonic()
            await asyncio.sleep(SLEEP_GRANULARITY)
            cpu_elapsed = time.process_time() - cpu
            if self.log is not None:
                self.log.append((cpu_elapsed, time.monotonic() - began))
            elapsed = time.monotonic() - start
            if elapsed >= max_sleep:
                break
            if elapsed > min_sleep and cpu_elapsed < SLEEP_IDLE:
                break


async def _until(pilot: Pilot[None], shown: Callable[[], bool]) -> None:
    """Wait (as Pilot does) until `shown()`, then paint the screen once."""
    while not shown():
        await pilot.pause()
    pilot.app.screen._on_timer_update()  # the paint the update timer would do


async def sample_trivial(windows: Windows | None = None) -> float:
    app = Trivial()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        label = app.query_one(Label)
        if windows is not None:
            windows.start()
        started = time.perf_counter()
        await pilot.press("x")
        await _until(pilot, lambda: str(label.content) == "pressed")
        elapsed = time.perf_counter() - started
        if windows is not None:
            windows.stop()
        return elapsed


async def sample_synack(
    level_id: str, before: int, data_dir: Path, profiler: cProfile.Profile | None = None,
    windows: Windows | None = None,
) -> float:
    app = SynackApp(seed=SEED, level=level_id, data_dir=data_dir, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlayScreen), screen
        referee = screen.referee
        for _ in range(before):  # the moves before, handed to the screen as the picker would
            screen.post_message(MovePicker.MoveSubmitted(referee.solution_move()))
            await pilot.pause()
        turn = referee.turn
        assert turn is not None
        move = referee.solution_move()
        number = [option.key for option in turn.options].index(move.key) + 1
        assert not move.values, "the timed move must need no typing"
        await pilot.press(str(number))
        await pilot.pause()
        ladder = screen.query_one(LadderView)
        before = len(referee.ladder)

        def answered() -> bool:
            answers = [e.index for e in referee.ladder[before:] if e.sender != referee.player]
            return bool(answers) and any(line.entry == answers[0] for line in ladder.lines)

        if profiler is not None:
            profiler.enable()
        if windows is not None:
            windows.start()
        started = time.perf_counter()
        await pilot.press("enter")
        await _until(pilot, answered)
        elapsed = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
        if windows is not None:
            windows.stop()
        return elapsed


def referee_time(level_id: str, before: int, runs: int) -> float:
    """The median time of the referee alone for the same move: the engine's share."""
    level = next(level for level in load_builtin().levels if level.id == level_id)
    times = []
    for _ in range(runs):
        referee = Referee(level, seed=SEED, clock=frozen_clock)
        referee.start()
        for _ in range(before):
            referee.play(referee.solution_move())
        move = referee.solution_move()
        started = time.perf_counter()
        referee.play(move)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def window_line(name: str, elapsed: float, log: list[tuple[float, float]]) -> str:
    """One sample: its time, then each idle window as processor/wall ms ("*" marks a busy
    one, 1 ms or more), then the rest (Pilot's wait for the screen's queues, the paint)."""
    windows = "  ".join(f"{cpu * 1000:.1f}/{wall * 1000:.0f}{'*' if cpu >= SLEEP_IDLE else ''}"
                        for cpu, wall in log)
    rest = elapsed - sum(wall for _, wall in log)
    return f"  {name:<21} {elapsed * 1000:6.1f} ms = windows {windows}  + {rest * 1000:.1f}"


def show_windows(samples: int) -> None:
    """Each app's idle windows for a few samples (after one warm-up each)."""
    windows = Windows()
    windows.install()

    async def run() -> None:
        with tempfile.TemporaryDirectory() as data_dir:
            await sample_trivial()
            for level_id, before in MOVES.values():
                await sample_synack(level_id, before, Path(data_dir))
            for _ in range(samples):
                elapsed = await sample_trivial(windows)
                print(window_line("trivial", elapsed, windows.taken))
                for name, (level_id, before) in MOVES.items():
                    elapsed = await sample_synack(level_id, before, Path(data_dir), windows=windows)
                    print(window_line(name, elapsed, windows.taken))

    print("Pilot's idle windows after the timed key press, processor/wall ms (* busy):")
    asyncio.run(run())


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    return (f"{name:<21} median {statistics.median(values) * 1000:7.1f} ms   "
            f"p95 {p95(values) * 1000:7.1f} ms   min {min(values) * 1000:7.1f} ms")


async def measure(runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"trivial": [], **{name: [] for name in MOVES}}
    with tempfile.TemporaryDirectory() as data_dir:
        await sample_trivial()  # warm imports and caches
        for level_id, before in MOVES.values():
            await sample_synack(level_id, before, Path(data_dir))
        for _ in range(runs):
            samples["trivial"].append(await sample_trivial())
            for name, (level_id, before) in MOVES.items():
                samples[name].append(await sample_synack(level_id, before, Path(data_dir)))
    return samples


def profile(name: str, runs: int) -> None:
    """cProfile over the timed part (key press to answer painted) of `runs` samples."""
    profiler = cProfile.Profile()
    level_id, before = MOVES[name]

    async def many() -> None:
        with tempfile.TemporaryDirectory() as data_dir:
            for _ in range(runs):
                await sample_synack(level_id, before, Path(data_dir), profiler)

    asyncio.run(many())
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", choices=list(MOVES), help="profile one move's samples")
    parser.add_argument("--windows", action="store_true",
                        help="show Pilot's idle windows for a few samples of each move")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, args.runs)
        return
    if args.windows:
        show_windows(min(args.runs, 3))
        return
    samples: dict[str, list[float]] = asyncio.run(measure(args.runs))
    print(f"key press benchmark on {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"Textual {textual.__version__}, {args.runs} samples each, {SIZE[0]}x{SIZE[1]}")
    floor = statistics.median(samples["trivial"])
    print(line("trivial Textual app", samples["trivial"]))
    for name, (level_id, before) in MOVES.items():
        ratio = statistics.median(samples[name]) / floor
        verdict = "met" if ratio <= TARGET else "NOT met"
        engine = referee_time(level_id, before, 9) * 1000
        print(line(name, samples[name])
              + f"   ratio {ratio:.2f}x ({verdict})   referee alone {engine:.1f} ms")
    print(f"target: within {TARGET}x of the trivial app (issue 5)")


if __name__ == "__main__":
    main()
