"""Keep the garbage collector's full passes out of the player's moves.

A full (generation 2) collection scans every tracked object: with the engine, the level
catalogue and Textual loaded that is well over 100,000 objects and 50-100 ms on a slow
machine, long enough to be felt if it lands between a key press and the peer's answer. So
when a level starts, once its screen is drawn, `settle` collects what earlier screens left
behind and freezes the survivors (`gc.freeze`): later collections scan only what the game
allocates from then on. The next `settle` unfreezes first, so nothing the freeze holds is
kept for longer than one level.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect now (between levels, while nothing is timed) and freeze what survives."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
