"""A ladder entry's byte map is made when first read, once, and reads as the eager one did."""

from __future__ import annotations

from engine.bytemap import FieldSpan, LazyByteMap
from engine.levels import load_builtin
from engine.referee import Referee

SPANS = (FieldSpan(0, 1, "m.type", "Type", "1", "what it is"), FieldSpan(1, 3, "m.length", "Length", "2", "how long"))


def test_made_once_and_only_when_read() -> None:
    calls: list[int] = []

    def make() -> tuple[FieldSpan, ...]:
        calls.append(1)
        return SPANS

    spans = LazyByteMap(make)
    assert calls == []
    assert len(spans) == 2 and spans[0] == SPANS[0] and spans[-1:] == SPANS[-1:] and list(spans) == list(SPANS)
    assert calls == [1]


def test_equal_and_hashed_as_its_spans() -> None:
    spans = LazyByteMap(lambda: iter(SPANS))
    assert spans == SPANS and SPANS == spans and spans == LazyByteMap(lambda: SPANS)
    assert hash(spans) == hash(SPANS)
    assert spans != SPANS[:1]


def test_ladder_maps_read_like_the_messages_own() -> None:
    """Every arrow of a played TLS level maps the very bytes it carries, field by field, as
    the message's own byte map does."""
    level = next(level for level in load_builtin().levels if level.id == "tls13-01-handshake-client")
    referee = Referee(level, seed=3, clock=lambda: 0.0)
    referee.start()
    while referee.turn is not None:
        referee.play(referee.solution_move())
    for entry in referee.ladder:
        if entry.kind in ("ChangeCipherSpec", "ApplicationData", "Alert"):
            continue
        assert isinstance(entry.fields, LazyByteMap), entry.kind
        top = [span for span in entry.fields if span.depth == 0]
        assert top[0].start == 0 and top[-1].end == len(entry.raw), entry.kind
        assert all(a.end == b.start for a, b in zip(top, top[1:])), entry.kind
