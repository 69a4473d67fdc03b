"""The seeded randomness: the same seed and name give the same draws, streams are
independent, a deep copy forks a stream, and numbers stay in their ranges."""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections import Counter

import pytest

from engine.rng import SeededRandom


def test_same_seed_and_name_same_draws() -> None:
    a, b = SeededRandom(7, "x"), SeededRandom(7).child("x")
    assert [a.bytes(5), a.uint32(), a.randint(1, 6)] == [b.bytes(5), b.uint32(), b.randint(1, 6)]
    assert SeededRandom(7, "x").bytes(16) != SeededRandom(8, "x").bytes(16)
    assert SeededRandom(7, "x").bytes(16) != SeededRandom(7, "y").bytes(16)


def test_successive_draws_differ_and_children_are_independent() -> None:
    rng = SeededRandom(1)
    assert rng.bytes(16) != rng.bytes(16)
    before = SeededRandom(1).child("b").bytes(8)
    parent = SeededRandom(1)
    parent.child("a").bytes(100)  # drawing from one child...
    assert parent.child("b").bytes(8) == before  # ...shifts nothing in another


def test_a_deep_copy_forks_the_stream() -> None:
    rng = SeededRandom(3, "fork")
    rng.bytes(4)
    twin = copy.deepcopy(rng)
    again = pickle.loads(pickle.dumps(rng))
    assert rng.bytes(8) == twin.bytes(8) == again.bytes(8)
    assert rng.uint32() == twin.uint32()


def test_ranges() -> None:
    rng = SeededRandom(5)
    assert rng.bytes(0) == b"" and len(rng.bytes(33)) == 33
    assert all(0 <= rng.uint32() < 2**32 for _ in range(200))
    assert {rng.randint(4, 4) for _ in range(5)} == {4}
    big = [rng.randint(1 << 64, (1 << 127) - 1) for _ in range(200)]
    assert all(1 << 64 <= value < 1 << 127 for value in big)
    rolls = Counter(rng.randint(1, 6) for _ in range(6000))
    assert set(rolls) == {1, 2, 3, 4, 5, 6} and min(rolls.values()) > 850
    with pytest.raises(ValueError):
        rng.randint(2, 1)


def test_a_stream_is_the_same_however_it_is_cut() -> None:
    cut, whole = SeededRandom(9, "s"), SeededRandom(9, "s")
    pieces = b"".join(cut.bytes(n) for n in (1, 5, 0, 200, 3, 136, 137, 1, 64))
    assert pieces == whole.bytes(len(pieces))


def test_the_stream_is_shake256_in_counter_mode() -> None:
    """As the module says: block n is SHAKE-256(SHA-256("<seed>/<name>") || n as 8 bytes),
    136 bytes each, handed out in order, whether drawn in one piece or across blocks."""
    key = hashlib.sha256(b"4/a/b").digest()
    blocks = b"".join(hashlib.shake_256(key + n.to_bytes(8, "big")).digest(136) for n in (1, 2, 3))
    assert SeededRandom(4).child("a").child("b").bytes(300) == blocks[:300]
    stream = SeededRandom(4, "a/b")
    assert stream.bytes(130) + stream.bytes(10) + stream.bytes(140) == blocks[:280]


@pytest.mark.parametrize("count", [0, 1, 32, 136, 137, 300])
def test_a_draw_is_the_start_of_the_child_stream(count: int) -> None:
    for parent in (SeededRandom(11), SeededRandom(11, "game"), SeededRandom(11).child("game").child("tls")):
        assert parent.draw("client.random", count) == parent.child("client.random").bytes(count)
