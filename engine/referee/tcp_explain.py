"""Plain words for what happens in a TCP level: prompts, verdicts, reactions, hints.

Every sentence is built from the real values of the game (the segments the endpoints
really sent, the rules their state machines really applied), never from canned text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.referee.types import Judgement, Side
from engine.tcp.endpoint import Output
from engine.tcp.events import (
    ChallengeAckSent,
    ConnectionRefused,
    ConnectionReset,
    ConnectionTimedOut,
    DataReceived,
    PeerClosed,
    Retransmitted,
    StateChanged,
)
from engine.tcp.segment import Flag, Segment, SegmentKind

if TYPE_CHECKING:
    from engine.referee.game import GameTurn as PendingTurn
    from engine.referee.tcp_world import Happening, TcpWorld

CALLS = {
    "listen": "listen(): wait for connections",
    "connect": "connect()",
    "send": "send()",
    "close": "close(): it has nothing more to send",
    "abort": "abort()",
}


def field_text(segment: Segment, name: str) -> str:
    """A field's value as the player would type it."""
    if name == "data":
        return segment.payload.decode(errors="replace")
    return str(getattr(segment, name))


def wrong_fields(key: str, values: dict[str, int | str], expected: Segment | None) -> list[str]:
    """Names of the typed fields that differ from the real endpoint's segment."""
    if expected is None or key != expected.kind.value:
        return []
    return [name for name, value in values.items() if str(value) != field_text(expected, name)]


# --- the turn ---------------------------------------------------------------------------

def prompt(happening: Happening | None, player: Side, world: TcpWorld, first: Segment) -> str:
    from engine.referee.tcp_world import AppCall, Arrival

    other = player.other.value
    if happening is None:
        lead = "There is more to send."
    elif isinstance(happening, Arrival):
        lead = f"The {other}'s {happening.segment.kind.value} arrived: {happening.segment.summary()}."
    elif isinstance(happening, AppCall):
        call = CALLS[happening.step.action]
        data = f" with {happening.step.data!r}" if happening.step.data else ""
        lead = f"Your application called {call}{data}."
    else:
        lead = f"At t={world.now:.2f} s a timer fired: nothing came back for what you sent."
    return f"{lead} Your move."


# --- verdicts -----------------------------------------------------------------------------

def right_move(pending: PendingTurn, expected: Segment | None, player: Side, world: TcpWorld) -> Judgement:
    taught = pending.spec.teach if pending.spec and pending.spec.teach else ""
    if expected is None:
        return Judgement(True, "✓ Right: nothing to send", taught or _output_rules(pending.detail.output))
    headline = f"✓ {expected.kind.value} sent: {expected.summary()}"
    explanation = taught or _output_rules(pending.detail.output) or _KIND_PURPOSE[expected.kind]
    return Judgement(True, headline, explanation, rule=_output_section(pending.detail.output))


def wrong_move(
    key: str,
    values: dict[str, int | str],
    expected: Segment | None,
    wrong: list[str],
    pending: PendingTurn,
    player: Side,
    last_received: Segment | None,
    last_sent: Segment | None,
    reaction_text: str,
) -> Judgement:
    rule = _output_section(pending.detail.output)
    if expected is None:
        why = _output_rules(pending.detail.output) or "Your endpoint has nothing to send at this point."
        return Judgement(False, f"✗ Nothing should be sent here, not {key}", why, rule, "nothing (wait)", reaction_text)
    expected_text = f"{expected.kind.value} " + " ".join(
        f"{name}={field_text(expected, name)}" for name in values
    )
    if wrong:
        reasons = [_field_reason(name, expected, last_received, last_sent, player) for name in wrong]
        headline = f"✗ Wrong {', '.join(wrong)} in your {key}"
        return Judgement(False, headline, " ".join(reasons), "RFC 9293 §3.4", expected_text.strip(), reaction_text)
    why = _output_rules(pending.detail.output) or _KIND_PURPOSE[expected.kind]
    headline = f"✗ {key} is not the move here: a real endpoint sends {expected.kind.value}"
    return Judgement(False, headline, why, rule, expected_text.strip(), reaction_text)


def _field_reason(
    name: str, expected: Segment, last_received: Segment | None, last_sent: Segment | None, player: Side
) -> str:
    value = field_text(expected, name)
    other = player.other.value
    if name == "ack":
        if last_received is not None:
            parts = _occupancy(last_received)
            return (
                f"The ack must be {value}: the {other}'s {last_received.kind.value} had seq "
                f"{last_received.seq} and takes {last_received.seg_len} ({parts}), and the ack names "
                f"the next number you expect: {last_received.seq} + {last_received.seg_len} = {value}."
            )
        return f"The ack must be {value}: RCV.NXT, the next sequence number you expect from the {other}."
    if name == "seq":
        if last_sent is not None and expected.seq == last_sent.seq:
            return (
                f"The seq must be {value}: a retransmission repeats the unacknowledged "
                f"{last_sent.kind.value} exactly, with the seq it had the first time."
            )
        if last_sent is not None:
            parts = _occupancy(last_sent)
            return (
                f"The seq must be {value}: your {last_sent.kind.value} had seq {last_sent.seq} and took "
                f"{last_sent.seg_len} ({parts}), so your next number is {last_sent.seq} + {last_sent.seg_len} = {value}."
            )
        return f"The seq must be {value}: SND.NXT, your next unused sequence number."
    if name == "window":
        unit = ("a SYN's window is never scaled" if Flag.SYN in expected.flags else
                "after the SYNs it counts units of 2^shift when both SYNs carried window scale")
        return f"The window must be {value}: the receive space your endpoint really has ({unit}, RFC 7323 §2.2)."
    return f"The data must be {value!r}: what your application handed you to send."


def _occupancy(segment: Segment) -> str:
    parts = []
    if Flag.SYN in segment.flags:
        parts.append("the SYN counts as one")
    if segment.payload:
        parts.append(f"{len(segment.payload)} data bytes")
    if Flag.FIN in segment.flags:
        parts.append("the FIN counts as one")
    return ", ".join(parts)


_KIND_PURPOSE = {
    SegmentKind.SYN: "A SYN opens a connection and carries your initial sequence number.",
    SegmentKind.SYN_ACK: "A SYN-ACK accepts a connection: it acknowledges the peer's SYN and carries your own ISN.",
    SegmentKind.ACK: "An ACK tells the peer which sequence number you expect next.",
    SegmentKind.DATA: "Data goes out with PSH and ACK set, numbered from SND.NXT.",
    SegmentKind.FIN: "A FIN says you have nothing more to send; it takes one sequence number.",
    SegmentKind.RST: "A RST refuses or kills a connection.",
    SegmentKind.RST_ACK: "A RST with ACK refuses a segment that had no ACK, acknowledging it.",
}


# --- what endpoints did ---------------------------------------------------------------

def _describe(event: Any) -> str:
    text = getattr(event, "rule", "") or getattr(event, "reason", "")
    section = getattr(event, "section", "")
    return f"{text} ({section})" if text and section else str(text)


def _output_rules(output: Output) -> str:
    return " ".join(line for line in (_describe(event) for event in output.events) if line)


def _output_section(output: Output) -> str:
    return next((s for s in (getattr(e, "section", "") for e in output.events) if s), "")


def reaction(side: Side, output: Output) -> str:
    rules = _output_rules(output)
    if not output.segments:
        return f"The real {side.value} dropped it without a word. {rules}".strip()
    kinds = ", ".join(segment.kind.value for segment in output.segments)
    return f"The real {side.value} answered with {kinds}. {rules}".strip()


def narration(side: Side, output: Output) -> list[str]:
    lines = []
    for event in output.events:
        if isinstance(event, DataReceived):
            lines.append(f"The {side.value}'s application received {event.data!r}.")
        elif isinstance(event, PeerClosed):
            lines.append(f"The {side.value}'s application learns the peer has closed its half.")
        elif isinstance(event, (ConnectionReset, ConnectionRefused, ConnectionTimedOut)):
            lines.append(f"{side.value.capitalize()}: {_describe(event)}")
    return lines


def state_reason(output: Output) -> str:
    return next((_describe(e) for e in output.events if isinstance(e, StateChanged)), "")


def segment_note(output: Output) -> str:
    for event in output.events:
        if isinstance(event, Retransmitted):
            return f"retransmission #{event.attempt}"
        if isinstance(event, ChallengeAckSent):
            return "challenge ACK (RFC 5961)"
    return ""


def generated_hint(level: int, pending: PendingTurn, player: Side) -> str:
    expected = pending.detail.remaining[0] if pending.detail.remaining else None
    if level == 1:
        if expected is None:
            return "Does anything here call for an answer at all?"
        return f"What does the {player.other.value} need to hear from you before it can go on?"
    if level == 2:
        return _output_rules(pending.detail.output) or (
            _KIND_PURPOSE[expected.kind] if expected else "Not every segment deserves an answer."
        )
    if expected is None:
        return "Wait: send nothing."
    asked = [spec.name for option in pending.options for spec in option.fields if option.key == expected.kind.value]
    fields = " ".join(f"{name}={field_text(expected, name)}" for name in asked)
    return f"Send {expected.kind.value} {fields}".strip() + "."
