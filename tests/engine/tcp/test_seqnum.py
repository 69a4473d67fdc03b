"""Sequence-number arithmetic modulo 2**32 and the segment acceptability test."""

from __future__ import annotations

import pytest

from engine.tcp.endpoint import (
    segment_acceptable,
    seq_add,
    seq_between,
    seq_ge,
    seq_gt,
    seq_le,
    seq_lt,
    seq_sub,
)

TOP = 2**32 - 1


def test_add_and_sub_wrap() -> None:
    assert seq_add(TOP, 1) == 0
    assert seq_add(TOP - 1, 5) == 3
    assert seq_sub(3, TOP - 1) == 5
    assert seq_sub(0, 1) == TOP


@pytest.mark.parametrize(("a", "b"), [(1, 2), (TOP, 0), (TOP - 10, 5), (0, 2**31 - 1)])
def test_less_than_across_the_wrap(a: int, b: int) -> None:
    assert seq_lt(a, b) and seq_le(a, b) and seq_gt(b, a) and seq_ge(b, a)
    assert not seq_lt(b, a) and not seq_gt(a, b)


def test_equal_and_half_space() -> None:
    assert seq_le(7, 7) and seq_ge(7, 7) and not seq_lt(7, 7) and not seq_gt(7, 7)
    assert seq_lt(0, 2**31 - 1) and not seq_lt(0, 2**31 + 1)
    # Exactly half the space apart the order is undefined (RFC 1982 §3.2); like Linux's
    # before(), each counts as before the other.
    assert seq_lt(0, 2**31) and seq_lt(2**31, 0)


def test_between() -> None:
    assert seq_between(TOP - 2, 1, 3)
    assert seq_between(TOP - 2, TOP - 2, 3) and seq_between(TOP - 2, 3, 3)
    assert not seq_between(TOP - 2, 4, 3) and not seq_between(TOP - 2, TOP - 3, 3)


@pytest.mark.parametrize(("seq", "length", "rcv_nxt", "rcv_wnd", "expected"), [
    # length 0, window 0: SEG.SEQ = RCV.NXT
    (100, 0, 100, 0, True),
    (101, 0, 100, 0, False),
    # length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
    (100, 0, 100, 10, True),
    (109, 0, 100, 10, True),
    (110, 0, 100, 10, False),
    (99, 0, 100, 10, False),
    # length > 0, window 0: never
    (100, 1, 100, 0, False),
    # length > 0, window > 0: the first or the last octet in the window
    (95, 6, 100, 10, True),
    (95, 5, 100, 10, False),
    (109, 50, 100, 10, True),
    (110, 5, 100, 10, False),
    # the same across the wrap
    (TOP - 1, 0, TOP - 1, 10, True),
    (7, 0, TOP - 1, 10, True),
    (8, 0, TOP - 1, 10, False),
    (TOP - 3, 3, TOP - 1, 10, True),
    (TOP - 3, 2, TOP - 1, 10, False),
])
def test_acceptability_table(seq: int, length: int, rcv_nxt: int, rcv_wnd: int,
                             expected: bool) -> None:
    assert segment_acceptable(seq, length, rcv_nxt, rcv_wnd) is expected
