"""The TCP game: the player's side is a real `Endpoint`, the opponent another.

At the player's turn the game has already applied what happened (a segment arrived, the
application called connect()...) to a fork of the player's endpoint, so it knows exactly
which segment the real endpoint sends now. A right move commits the fork and puts those
real bytes on the wire. A wrong move is built into a real segment and played against a
fork of the opponent, whose real reaction (RST, challenge ACK, silence) is shown; the game
then goes on from before the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.bytemap import LazyByteMap
from engine.levels.model import TcpLevel
from engine.referee import tcp_explain as explain
from engine.referee import tcp_moves as moves
from engine.referee.game import GameTurn
from engine.referee.types import (
    EntryRole,
    Judgement,
    LadderEntry,
    MessageSent,
    Move,
    Narration,
    RefereeEvent,
    SecretLearned,
    Side,
    SideView,
    StateChanged,
)
from engine.referee.tcp_world import MAX_HAPPENINGS, Arrival, Happening, ScenarioError, TcpWorld
from engine.tcp.endpoint import Endpoint, Output
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import State

# States in which an endpoint has not chosen its ISN yet: its SYN or SYN-ACK may carry any.
FRESH_STATES = (State.CLOSED, State.LISTEN)


@dataclass
class TcpTurn:
    """What happened, and what the real endpoint does about it."""

    happening: Happening | None  # None: a further segment from the same happening
    fork: Endpoint  # the player's endpoint with the happening applied
    output: Output
    remaining: list[Segment]  # segments the real endpoint still sends, first is this turn's


class TcpGame:
    def __init__(self, level: TcpLevel, seed: int) -> None:
        self.level = level
        self.player = level.role
        self.world = TcpWorld(level, seed)
        self.ladder: list[LadderEntry] = []
        self.secrets: list[SecretLearned] = []  # TCP has no keys; the referee's API is one
        self._turn_count = 0
        self._next: GameTurn | None = None
        # The last segments each way that took sequence space: what seq and ack derive from.
        self._last_received: Segment | None = None
        self._last_sent: Segment | None = None

    # --- the Game interface --------------------------------------------------------

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        for _ in range(MAX_HAPPENINGS):
            if self._next is not None:
                turn, self._next = self._next, None
                return turn
            happening = self.world.next_happening()
            if happening is None:
                return None
            side = happening.receiver if isinstance(happening, Arrival) else happening.side
            if side is self.player:
                self._offer_or_commit(happening, events)
            else:
                self._apply_to_opponent(happening, events)
        raise ScenarioError(f"level {self.level.id}: the connection never settles ({MAX_HAPPENINGS} steps)")

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TcpTurn = turn.detail
        if "seq" in values and self._chooses_isn(detail):
            self._refork_with_isn(detail, int(values["seq"]))
        expected = detail.remaining[0] if detail.remaining else None
        wrong = explain.wrong_fields(move.key, values, expected)
        if move.key == (expected.kind.value if expected else moves.WAIT) and not wrong:
            return self._accept(turn, expected)
        return self._reject(turn, move.key, values, expected, wrong)

    def sides(self) -> tuple[SideView, SideView]:
        return tuple(  # type: ignore[return-value]
            SideView(
                side,
                self.world.endpoints[side].state.value,
                f"{self.world.addresses[side].ip}:{self.world.addresses[side].port}",
                side is self.player,
            )
            for side in (Side.CLIENT, Side.SERVER)
        )

    def solution(self, turn: GameTurn) -> Move:
        return solution_move(turn)

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        return explain.generated_hint(level, turn, self.player)

    # --- running the world -----------------------------------------------------------

    def _apply_to_opponent(self, happening: Happening, events: list[RefereeEvent]) -> None:
        side = self.player.other
        endpoint = self.world.endpoints[side]
        old = endpoint.state
        output = self.world.apply(happening, endpoint)
        events.extend(self._narrate(side, old, endpoint, output))
        for segment in output.segments:
            events.append(self._send(side, segment, note=explain.segment_note(output)))

    def _offer_or_commit(self, happening: Happening, events: list[RefereeEvent]) -> None:
        if isinstance(happening, Arrival) and happening.segment.seg_len:
            self._last_received = happening.segment
        fork = self.world.fork_endpoint(self.player)
        output = self.world.apply(happening, fork)
        if not output.segments:
            events.extend(self._commit(fork, output))
            return
        self._open_turn(TcpTurn(happening, fork, output, list(output.segments)))

    def _open_turn(self, detail: TcpTurn) -> None:
        self._turn_count += 1
        turns = self.level.turns
        spec = turns[self._turn_count - 1] if self._turn_count <= len(turns) else None
        asked = list(spec.ask) if spec else []
        state = self.world.endpoints[self.player].state
        first = detail.remaining[0]
        self._next = GameTurn(
            self._turn_count,
            explain.prompt(detail.happening, self.player, self.world, first),
            moves.options_for(state, first.kind.value, asked),
            spec,
            detail,
        )

    def _chooses_isn(self, detail: TcpTurn) -> bool:
        """A first SYN or SYN-ACK carries an ISN the player may pick freely."""
        return (
            bool(detail.remaining)
            and detail.remaining[0].kind in (SegmentKind.SYN, SegmentKind.SYN_ACK)
            and self.world.endpoints[self.player].state in FRESH_STATES
        )

    def _refork_with_isn(self, detail: TcpTurn, isn: int) -> None:
        """The player chose their own ISN: replay the happening with it."""
        if detail.happening is None:
            return
        fork = self.world.fork_endpoint(self.player)
        fork.next_isn = isn
        output = self.world.apply(detail.happening, fork)
        detail.fork, detail.output, detail.remaining = fork, output, list(output.segments)

    def _commit(self, fork: Endpoint, output: Output) -> list[RefereeEvent]:
        real = self.world.endpoints[self.player]
        self.world.endpoints[self.player] = fork
        return self._narrate(self.player, real.state, fork, output)

    # --- judging ---------------------------------------------------------------------

    def _accept(self, turn: GameTurn, expected: Segment | None) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TcpTurn = turn.detail
        events: list[RefereeEvent] = []
        if detail.happening is not None:
            events.extend(self._commit(detail.fork, detail.output))
            detail.happening = None
        judgement = explain.right_move(turn, expected, self.player, self.world)
        if expected is not None:
            events.append(self._send(self.player, expected, by_player=True))
            if expected.seg_len:
                self._last_sent = expected
            detail.remaining.pop(0)
        if detail.remaining:
            self._open_turn(TcpTurn(None, detail.fork, detail.output, detail.remaining))
        return judgement, events

    def _reject(
        self,
        turn: GameTurn,
        key: str,
        values: dict[str, int | str],
        expected: Segment | None,
        wrong: list[str],
    ) -> tuple[Judgement, list[RefereeEvent]]:
        events: list[RefereeEvent] = []
        reaction = "You sent nothing, so nothing happens on the wire."
        if key != moves.WAIT:
            template = expected or self._idle_segment(turn.detail.fork)
            mistake = moves.build_segment(key, values, template)
            events.append(self._record(self.player, mistake, EntryRole.MISTAKE, by_player=True, note="your mistake"))
            reaction = self._peer_reaction(mistake, events)
        judgement = explain.wrong_move(
            key, values, expected, wrong, turn, self.player, self._last_received, self._last_sent, reaction
        )
        return judgement, events

    def _peer_reaction(self, mistake: Segment, events: list[RefereeEvent]) -> str:
        """Deliver the wrong segment to a fork of the real opponent and report what it did."""
        side = self.player.other
        peer = self.world.fork_endpoint(side)
        output = peer.receive(mistake, self.world.now + self.world.delay)
        for segment in output.segments:
            events.append(self._record(side, segment, EntryRole.REACTION, note="reaction to your mistake"))
        return explain.reaction(side, output)

    def _idle_segment(self, endpoint: Endpoint) -> Segment:
        """What a segment from the player's endpoint looks like when it has nothing to send."""
        local, remote = self.world.addresses[self.player], self.world.addresses[self.player.other]
        return Segment(local.port, remote.port, endpoint.snd_nxt, endpoint.rcv_nxt, Flag.ACK, endpoint.rcv_wnd)

    # --- the ladder ------------------------------------------------------------------

    def _send(self, side: Side, segment: Segment, *, by_player: bool = False, note: str = "") -> MessageSent:
        delivered = self.world.transmit(side, segment)
        role = EntryRole.NORMAL if delivered else EntryRole.LOST
        return self._record(side, segment, role, by_player=by_player, note=note if delivered else "lost on the wire")

    def _record(self, side: Side, segment: Segment, role: EntryRole, *, by_player: bool = False, note: str = "") -> MessageSent:
        raw = self.world.encode(side, segment)
        decoded = Segment.decode(raw, self.world.ip(side), self.world.ip(side.other))
        entry = LadderEntry(
            index=len(self.ladder),
            sender=side,
            kind=decoded.kind.value,
            summary=decoded.summary(),
            raw=raw,
            fields=LazyByteMap(decoded.byte_map),
            time=self.world.now,
            role=role,
            by_player=by_player,
            note=note,
        )
        self.ladder.append(entry)
        return MessageSent(entry)

    def _narrate(self, side: Side, old_state: State, endpoint: Endpoint, output: Output) -> list[RefereeEvent]:
        events: list[RefereeEvent] = [Narration(line) for line in explain.narration(side, output)]
        if endpoint.state != old_state:
            events.append(StateChanged(side, old_state.value, endpoint.state.value, explain.state_reason(output)))
        return events


def solution_move(turn: GameTurn) -> Move:
    """The right move at a TCP turn: the segment the player's real endpoint sends next
    (with the fields the turn asks for), or WAIT when it sends nothing."""
    detail: TcpTurn = turn.detail
    if not detail.remaining:
        return Move(moves.WAIT)
    expected = detail.remaining[0]
    option = next(o for o in turn.options if o.key == expected.kind.value)
    return Move(expected.kind.value, {spec.name: explain.field_text(expected, spec.name) for spec in option.fields})
