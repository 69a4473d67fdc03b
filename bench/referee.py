"""How long the referee takes to judge and apply one move.

Plays every built-in level thousands of times over (solution moves, and one wrong move per
turn every few games), timing each `Referee.play` call: the player's move judged, applied
on the real endpoint, the opponent's answers run until the next turn.
Target (issue 2): under 2 ms median.

    python bench/referee.py [--moves 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.levels import load_builtin  # noqa: E402
from engine.referee import Move, Referee  # noqa: E402


def measure(total_moves: int) -> tuple[list[float], list[float]]:
    levels = load_builtin().levels
    right: list[float] = []
    wrong: list[float] = []
    seed = 0
    while len(right) + len(wrong) < total_moves:
        for level in levels:
            seed += 1
            referee = Referee(level, seed, clock=lambda: 0.0)
            referee.start()
            while referee.turn is not None:
                if seed % 4 == 0:
                    started = time.perf_counter()
                    referee.play(Move("RST"))
                    wrong.append(time.perf_counter() - started)
                move = referee.solution_move()
                started = time.perf_counter()
                referee.play(move)
                right.append(time.perf_counter() - started)
    return right, wrong


def describe(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{name:12} n={len(samples):6}  median {statistics.median(ordered) * 1000:7.3f} ms   p95 {p95 * 1000:7.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=3000)
    args = parser.parse_args()
    right, wrong = measure(args.moves)
    print(f"referee move benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(describe("right moves", right))
    print(describe("wrong moves", wrong))
    print(describe("all moves", right + wrong))
    median_ms = statistics.median(right + wrong) * 1000
    print(f"target: median under 2 ms -> {'met' if median_ms < 2 else 'NOT met'} ({median_ms:.3f} ms)")


if __name__ == "__main__":
    main()
