"""How long the referee takes to judge and apply one move, per protocol.

Plays the built-in levels of each protocol many times over (the solution's moves, and on
every fourth game one real wrong move per turn: an offered move other than the right
one), timing each `Referee.play` call: the move judged, applied on the real endpoint (or
tried on forks, for a wrong one), the opponent's answers run until the next turn.
Target (issue 2): a TCP move under 2 ms median. TLS moves include real cryptography
(key shares, signatures, AEAD), so they are shown beside it, not held to it.

    python bench/referee.py [--moves 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import describe  # noqa: E402
from engine.levels import Level, load_builtin  # noqa: E402
from engine.referee import Move, Referee  # noqa: E402


def wrong_move(referee: Referee) -> Move | None:
    """An offered move that is not the right one, with the right one's field values."""
    turn, right = referee.turn, referee.solution_move()
    assert turn is not None
    for option in turn.options:
        if option.key != right.key:
            return Move(option.key, {f.name: f.choices[0] if f.choices else "7" for f in option.fields})
    return None


def measure(levels: Sequence[Level], total_moves: int) -> tuple[list[float], list[float]]:
    right: list[float] = []
    wrong: list[float] = []
    seed = 0
    while len(right) + len(wrong) < total_moves:
        for level in levels:
            seed += 1
            referee = Referee(level, seed, clock=lambda: 0.0)
            referee.start()
            while referee.turn is not None:
                mistake = wrong_move(referee) if seed % 4 == 0 else None
                if mistake is not None:
                    started = time.perf_counter()
                    referee.play(mistake)
                    wrong.append(time.perf_counter() - started)
                move = referee.solution_move()
                started = time.perf_counter()
                referee.play(move)
                right.append(time.perf_counter() - started)
    return right, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=3000)
    args = parser.parse_args()
    print(f"referee move benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    catalog = load_builtin().levels
    for protocol in ("tcp", "tls13", "tls12"):
        levels = [level for level in catalog if level.protocol == protocol]
        right, wrong = measure(levels, args.moves if protocol == "tcp" else args.moves // 5)
        print(describe(f"{protocol} right", right))
        print(describe(f"{protocol} wrong", wrong))
        if protocol == "tcp":
            median_ms = statistics.median(right + wrong) * 1000
            print(f"target: a TCP move under 2 ms median -> {'met' if median_ms < 2 else 'NOT met'} ({median_ms:.3f} ms)")


if __name__ == "__main__":
    main()
