"""Keep the garbage collector's full passes out of the player's moves.

A full (generation 2) collection scans every tracked object: with the engine, the level
catalogue and Textual loaded that is well over 100,000 objects and 50-100 ms on a slow
machine, long enough to be felt if it lands between a key press and the peer's answer. So
when a level starts, once its screen is drawn, `settle` collects what earlier screens left
behind and freezes the survivors (`gc.freeze`): later collections scan only what the game
allocates from then on. The next `settle` unfreezes first, so nothing the freeze holds is
kept for longer than one level.

The young generation is collected every 10,000 allocations of tracked objects, not every
700: one move's repaint alone allocates thousands (strips, segments, styles), nearly all
freed at once by reference counting, and at 700 it paid for three to five young
collections (1-3 ms) scanning the few that were still alive.
"""

from __future__ import annotations

import gc


YOUNG_COLLECTION_EVERY = 10_000  # tracked allocations (Python's default: 700)


def settle() -> None:
    """Collect now (between levels, while nothing is timed) and freeze what survives."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)
