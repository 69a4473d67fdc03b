"""The one seeded source of randomness.

Every random choice in a game (ISNs, ephemeral ports, later TLS randoms and key shares)
is drawn from a `SeededRandom`. Sub-streams are derived by name, so adding a draw in one
place never shifts the values drawn in another: `rng.child("client.isn")` always yields
the same stream for the same seed.

A stream is SHAKE-256 in counter mode: its key is SHA-256 of "<seed>/<name>", its n-th
block is SHAKE-256(key || n as 8 bytes), 136 bytes (one Keccak permutation's worth), and
`bytes` hands those blocks out in order. Numbers are built on those bytes: `uint32` is 4
of them, `randint` takes just enough bits for its range and draws again (rejection
sampling) until they fall inside it, so every value in the range is equally likely.
Making a stream costs one SHA-256 (at its first draw), a block one SHAKE-256; a stream is
plain data, so copy.deepcopy forks it, and the fork draws what the original would have.
"""

from __future__ import annotations

import hashlib
import struct

_BLOCK = 136  # SHAKE-256's rate: the most one permutation gives
_shake = hashlib.shake_256
_sha256 = hashlib.sha256
_counter = struct.Struct(">Q").pack  # a block's number, 8 bytes big-endian
_FIRST = _counter(1)


def _stream_key(seed: int, name: str) -> bytes:
    """The key of the stream `name` of `seed`: SHA-256 of "<seed>/<name>"."""
    return _sha256(f"{seed}/{name}".encode()).digest()


class SeededRandom:
    """A deterministic random source with named, independent sub-streams."""

    __slots__ = ("seed", "name", "_key", "_blocks", "_buffer", "_used")

    def __init__(self, seed: int, name: str = "") -> None:
        self.seed = seed
        self.name = name
        self._key = b""  # SHA-256 of "<seed>/<name>", taken at the first draw (many streams draw nothing)
        self._blocks = 0  # blocks made so far
        self._buffer = b""  # the last of them not yet handed out, from `_used` on
        self._used = 0

    def child(self, name: str) -> SeededRandom:
        """An independent stream for one purpose, derived from this one's seed and name."""
        return SeededRandom(self.seed, self._child_name(name))

    def _child_name(self, name: str) -> str:
        return f"{self.name}/{name}" if self.name else name

    def draw(self, name: str, count: int) -> bytes:
        """`child(name).bytes(count)` for a child drawn from once (a hello's random): the
        same bytes, without making the child. Its first block is SHAKE-256(key || 1), and
        SHAKE-256's shorter outputs are prefixes of its longer ones."""
        if not 0 < count <= _BLOCK:
            return self.child(name).bytes(count)
        return _shake(_stream_key(self.seed, self._child_name(name)) + _FIRST).digest(count)

    def bytes(self, count: int) -> bytes:
        """The next `count` bytes of the stream."""
        start = self._used
        end = start + count
        buffer = self._buffer
        if end <= len(buffer):
            self._used = end
            return buffer[start:end]
        if count <= 0:
            return b""
        key = self._key
        if not key:  # a new stream (nothing drawn yet): its key, and most often one block is all it needs
            key = self._key = _stream_key(self.seed, self.name)
            if count <= _BLOCK:
                fresh = self._buffer = _shake(key + _FIRST).digest(_BLOCK)
                self._blocks, self._used = 1, count
                return fresh[:count]
        have = buffer[start:]
        need = count - len(have)
        first = self._blocks + 1
        if need <= _BLOCK:  # one more block
            fresh = _shake(key + _counter(first)).digest(_BLOCK)
            self._blocks = first
        else:
            blocks = -(-need // _BLOCK)
            fresh = b"".join([_shake(key + _counter(n)).digest(_BLOCK) for n in range(first, first + blocks)])
            self._blocks += blocks
        self._buffer, self._used = fresh, need
        return have + fresh[:need]

    def uint32(self) -> int:
        return int.from_bytes(self.bytes(4), "big")

    def randint(self, low: int, high: int) -> int:
        """A whole number in [low, high], both ends included."""
        span = high - low + 1
        if span <= 0:
            raise ValueError(f"empty range for randint({low}, {high})")
        bits = (span - 1).bit_length()
        size = (bits + 7) // 8
        shift = 8 * size - bits
        while True:
            if size == 1 and self._used < len(self._buffer):  # the next byte, as bytes(1) gives it
                value = self._buffer[self._used] >> shift
                self._used += 1
            else:
                value = int.from_bytes(self.bytes(size), "big") >> shift
            if value < span:
                return low + value
