"""The player's TCP move vocabulary: options on offer, their fields, and the segment a move makes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from engine.referee.types import MoveField, MoveOption
from engine.tcp.segment import Flag, MaxSegmentSize, Segment, SegmentKind
from engine.tcp.states import State, emittable

WAIT = "WAIT"

LABELS: dict[str, str] = {
    "SYN": "SYN: ask to open a connection",
    "SYN-ACK": "SYN-ACK: accept, and send your own SYN",
    "ACK": "ACK: acknowledge what arrived",
    "DATA": "DATA: send application bytes",
    "FIN": "FIN: you have no more to send",
    "RST": "RST: reset, refuse the segment",
    "RST-ACK": "RST-ACK: reset, acknowledging it",
    WAIT: "Wait: send nothing",
}
ORDER = list(LABELS)

FIELDS: dict[str, MoveField] = {
    "seq": MoveField("seq", "sequence number", True, "your first sequence number; in a SYN, your ISN"),
    "ack": MoveField("ack", "acknowledgement number", True, "the next sequence number you expect"),
    "window": MoveField("window", "window", True, "how many bytes you can receive"),
    "data": MoveField("data", "data", False, "the bytes to send"),
}

# Kinds a player may plausibly reach for whatever the state: the game is never
# "press the only button".
ALWAYS_PLAUSIBLE = ("SYN", "ACK", "RST", WAIT)
MIN_OPTIONS = 5


def options_for(state: State, expected: str, asked: Sequence[str]) -> tuple[MoveOption, ...]:
    """The moves on offer: what the state table says this state can emit, plus the right
    one and a few plausible wrong ones, each with the fields the level asks for."""
    keys = {kind.value for kind in emittable(state)} | {expected}
    for key in ALWAYS_PLAUSIBLE:
        if len(keys) >= MIN_OPTIONS:
            break
        keys.add(key)
    return tuple(
        MoveOption(key, LABELS[key], tuple(FIELDS[name] for name in asked if _carries(key, name)))
        for key in ORDER
        if key in keys
    )


def _carries(key: str, field_name: str) -> bool:
    if key == WAIT:
        return False
    flags = SegmentKind(key).flags
    return {
        "seq": True,
        "ack": Flag.ACK in flags,
        "window": Flag.RST not in flags,
        "data": key == "DATA",
    }[field_name]


def build_segment(key: str, values: dict[str, int | str], template: Segment) -> Segment:
    """The segment a (possibly wrong) move puts on the wire: the real endpoint's segment
    at this point (`template`) with the player's kind and typed fields."""
    kind = SegmentKind(key)
    flags = kind.flags
    payload = template.payload if kind is SegmentKind.DATA else b""
    if "data" in values:
        payload = str(values["data"]).encode()
    if kind is SegmentKind.DATA and not payload:
        payload = b"hello"
    options = template.options if Flag.SYN in flags and Flag.SYN in template.flags else ()
    if Flag.SYN in flags and not options:
        options = (MaxSegmentSize(1460),)
    return replace(
        template,
        flags=flags,
        seq=int(values.get("seq", template.seq)),
        ack=int(values.get("ack", template.ack)) if Flag.ACK in flags else 0,
        window=int(values.get("window", template.window)) if Flag.RST not in flags else 0,
        options=options,
        payload=payload,
        checksum=None,
    )
