"""`settle`: what the earlier screens left is collected, the survivors frozen, and young
collections spaced out, so a move's own allocations rarely meet a collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tui.gc_settle import YOUNG_COLLECTION_EVERY, settle


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_the_survivors_and_spaces_out_young_collections(restored_gc: None) -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    Cycle()  # garbage that only a collection frees
    settle()
    assert gc.get_freeze_count() > 0
    assert not any(isinstance(o, Cycle) for o in gc.get_objects())
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY > 700


def test_a_move_of_allocations_needs_no_young_collection(restored_gc: None) -> None:
    settle()
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        kept = [[n] for n in range(5_000)]  # tracked allocations, as one move's repaint
    finally:
        gc.callbacks.remove(count)
    assert len(kept) == 5_000 and collections == []
