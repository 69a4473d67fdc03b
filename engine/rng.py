"""The one seeded source of randomness.

Every random choice in a game (ISNs, ephemeral ports, later TLS randoms and key shares)
is drawn from a `SeededRandom`. Sub-streams are derived by name, so adding a draw in one
place never shifts the values drawn in another: `rng.child("client.isn")` always yields
the same stream for the same seed.
"""

from __future__ import annotations

import hashlib
import random


class SeededRandom:
    """A deterministic random source with named, independent sub-streams."""

    def __init__(self, seed: int, name: str = "") -> None:
        self.seed = seed
        self.name = name
        digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
        self._random = random.Random(int.from_bytes(digest, "big"))

    def child(self, name: str) -> SeededRandom:
        """An independent stream for one purpose, derived from this one's seed and name."""
        return SeededRandom(self.seed, f"{self.name}/{name}" if self.name else name)

    def uint32(self) -> int:
        return self._random.getrandbits(32)

    def randint(self, low: int, high: int) -> int:
        """A whole number in [low, high], both ends included."""
        return self._random.randint(low, high)

    def bytes(self, count: int) -> bytes:
        return self._random.getrandbits(8 * count).to_bytes(count, "big") if count else b""
