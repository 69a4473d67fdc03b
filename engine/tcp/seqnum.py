"""Sequence-number arithmetic (RFC 9293 §3.4: all arithmetic is modulo 2**32).

Sequence numbers wrap, so `<` on plain ints is wrong near 2**32: "a < b" means b lies less
than half the space ahead of a. The acceptability test of RFC 9293 §3.10.7.4 (Table 6), the
first check on every segment of a synchronized connection, is written in these terms.
"""

from __future__ import annotations

__all__ = [
    "HALF",
    "SEQ_MOD",
    "segment_acceptable",
    "seq_add",
    "seq_between",
    "seq_ge",
    "seq_gt",
    "seq_le",
    "seq_lt",
    "seq_sub",
]

SEQ_MOD = 1 << 32
HALF = 1 << 31


def seq_add(a: int, n: int) -> int:
    """a + n, wrapped into the 32-bit sequence space."""
    return (a + n) % SEQ_MOD


def seq_sub(a: int, b: int) -> int:
    """How far `a` lies ahead of `b`, counting forward around the sequence space."""
    return (a - b) % SEQ_MOD


def seq_lt(a: int, b: int) -> bool:
    """a < b in sequence space: b lies less than half the space ahead of a."""
    return seq_sub(a, b) >= HALF


def seq_le(a: int, b: int) -> bool:
    return a % SEQ_MOD == b % SEQ_MOD or seq_lt(a, b)


def seq_gt(a: int, b: int) -> bool:
    return seq_lt(b, a)


def seq_ge(a: int, b: int) -> bool:
    return seq_le(b, a)


def seq_between(low: int, x: int, high: int) -> bool:
    """low =< x =< high, walking forward from `low` (correct across the 2**32 wrap)."""
    return seq_sub(x, low) <= seq_sub(high, low)


def segment_acceptable(seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """The four-case acceptability test of RFC 9293 §3.10.7.4 (Table 6)."""

    def in_window(x: int) -> bool:
        return seq_sub(x, rcv_nxt) < rcv_wnd

    if seg_len == 0:
        return seq % SEQ_MOD == rcv_nxt if rcv_wnd == 0 else in_window(seq)
    if rcv_wnd == 0:
        return False
    return in_window(seq) or in_window(seq_add(seq, seg_len - 1))
