"""Start-to-interactive time of synack next to a bare Textual app, measured in the same run.

Each sample is a fresh interpreter that imports the app, runs it headless and exits as
soon as the first screen is ready (Textual's auto_pilot runs then), so imports, CSS
parsing and the first layout all count. The two apps alternate to share the machine's noise.
Target (issue 2): synack within 1.2x of the bare app.

    python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Label

class Bare(App):
    def compose(self):
        yield Header()
        yield Label("hello")
        yield Footer()

async def leave(pilot):
    pilot.app.exit()

Bare().run(headless=True, auto_pilot=leave)
"""

SYNACK = """
import sys
from pathlib import Path
from tui.app import SynackApp

async def leave(pilot):
    pilot.app.exit()

SynackApp(data_dir=Path(sys.argv[1])).run(headless=True, auto_pilot=leave)
"""


def sample(code: str, data_dir: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, data_dir], cwd=ROOT, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    output = result.stdout + result.stderr
    if b"Traceback" in output or b"Error" in output:  # a start-up that crashed measures nothing
        raise SystemExit(f"the app did not start cleanly:\n{output.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    bare: list[float] = []
    synack: list[float] = []
    with tempfile.TemporaryDirectory() as data_dir:
        sample(BARE, data_dir), sample(SYNACK, data_dir)  # warm the file cache
        for _ in range(args.runs):
            bare.append(sample(BARE, data_dir))
            synack.append(sample(SYNACK, data_dir))
    ratio = statistics.median(synack) / statistics.median(bare)
    print(f"start-up benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}, {args.runs} runs each")
    print(f"bare Textual app  median {statistics.median(bare) * 1000:7.1f} ms  min {min(bare) * 1000:7.1f} ms")
    print(f"synack            median {statistics.median(synack) * 1000:7.1f} ms  min {min(synack) * 1000:7.1f} ms")
    print(f"ratio {ratio:.2f}x (target: within 1.2x -> {'met' if ratio <= 1.2 else 'NOT met'})")


if __name__ == "__main__":
    main()
