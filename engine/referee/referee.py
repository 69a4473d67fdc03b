"""The referee: runs a level, offers the player's turns, judges moves, keeps the score.

The player's side is a real `Endpoint`. At the player's turn the referee has already
applied what happened (a segment arrived, the application called connect()...) to a fork
of that endpoint, so it knows exactly which segment the real endpoint sends now. A right
move commits the fork and puts those real bytes on the wire. A wrong move is built into a
real segment and played against a fork of the opponent, whose real reaction (RST,
challenge ACK, silence) is shown; the game then goes on from before the mistake.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from engine.levels.model import Level, TurnSpec
from engine.referee import explain, moves
from engine.referee.types import (
    EntryRole,
    Hint,
    Judgement,
    LadderEntry,
    LevelOver,
    MessageSent,
    Move,
    MoveJudged,
    MoveOption,
    Narration,
    RefereeEvent,
    Score,
    Side,
    SideView,
    StateChanged,
    Turn,
    TurnOffered,
)
from engine.referee.world import MAX_HAPPENINGS, Arrival, Happening, ScenarioError, TcpWorld
from engine.tcp.endpoint import Endpoint, Output
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import State


# States in which an endpoint has not chosen its ISN yet: its SYN or SYN-ACK may carry any.
FRESH_STATES = (State.CLOSED, State.LISTEN)


@dataclass
class PendingTurn:
    """The player's turn: what happened, and what the real endpoint does about it."""

    number: int
    happening: Happening | None  # None: a further segment from the same happening
    fork: Endpoint  # the player's endpoint with the happening applied
    output: Output
    remaining: list[Segment]  # segments the real endpoint still sends, first is this turn's
    spec: TurnSpec | None
    options: tuple[MoveOption, ...] = ()
    prompt: str = ""
    hints_shown: int = 0


@dataclass
class _Tally:
    mistakes: int = 0
    hint_points: int = 0
    hints_used: int = 0
    answer_seen: bool = False
    started: float = 0.0
    finished: float | None = None


class Referee:
    def __init__(
        self,
        level: Level,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.level = level
        self.seed = level.seed if seed is None else seed
        self.player = level.role
        self.world = TcpWorld(level, self.seed)
        self.ladder: list[LadderEntry] = []
        self.finished = False
        self._clock = clock
        self._pending: PendingTurn | None = None
        self._turn_count = 0
        self._tally = _Tally()
        # The last segments each way that took sequence space: what seq and ack derive from.
        self._last_received: Segment | None = None
        self._last_sent: Segment | None = None

    # --- public API ------------------------------------------------------------------

    def start(self) -> list[RefereeEvent]:
        self._tally.started = self._clock()
        return self._run()

    @property
    def turn(self) -> Turn | None:
        pending = self._pending
        if pending is None:
            return None
        return Turn(pending.number, pending.prompt, pending.options)

    @property
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

    def play(self, move: Move) -> list[RefereeEvent]:
        pending = self._pending
        if pending is None:
            return [Narration("The level is over: there is no move to make.")]
        option = next((o for o in pending.options if o.key == move.key), None)
        if option is None:
            offered = ", ".join(o.key for o in pending.options)
            return [MoveJudged(Judgement(False, f"✗ {move.key} is not on offer", f"Choose one of {offered}.", counted=False))]
        try:
            values = moves.parse_values(move, option)
        except ValueError as error:
            return [MoveJudged(Judgement(False, "✗ That value cannot be sent", str(error), counted=False))]
        if "seq" in values and self._chooses_isn(pending):
            self._refork_with_isn(pending, int(values["seq"]))
        expected = pending.remaining[0] if pending.remaining else None
        wrong = explain.wrong_fields(move.key, values, expected)
        if move.key == (expected.kind.value if expected else moves.WAIT) and not wrong:
            return self._accept(pending, expected)
        return self._reject(pending, move.key, values, expected, wrong)

    def hint(self) -> Hint | None:
        pending = self._pending
        if pending is None or pending.hints_shown >= 3:
            return None
        pending.hints_shown += 1
        level = pending.hints_shown
        cost = self.level.scoring.hint_costs[level - 1]
        self._tally.hints_used += 1
        self._tally.hint_points += cost
        self._tally.answer_seen |= level == 3
        return Hint(level, self._hint_text(pending, level), cost)

    def solution_move(self) -> Move:
        """The right move for this turn, with the fields the level asks for."""
        pending = self._pending
        if pending is None:
            raise ScenarioError("no turn is pending")
        if not pending.remaining:
            return Move(moves.WAIT)
        expected = pending.remaining[0]
        option = next(o for o in pending.options if o.key == expected.kind.value)
        return Move(expected.kind.value, {spec.name: explain.field_text(expected, spec.name) for spec in option.fields})

    def score(self) -> Score:
        tally = self._tally
        end = tally.finished if tally.finished is not None else self._clock()
        seconds = max(0.0, end - tally.started)
        scoring = self.level.scoring
        overtime = max(0.0, seconds - scoring.par_seconds)
        points = max(0, round(1000 - tally.mistakes * scoring.mistake_cost - tally.hint_points - 2 * overtime))
        stars = 3 - (tally.mistakes > 0) - (tally.mistakes >= 3) - tally.answer_seen - (overtime > 0)
        return Score(tally.mistakes, tally.hints_used, seconds, points, max(1, stars) if self.finished else 0)

    # --- running the world -----------------------------------------------------------

    def _run(self) -> list[RefereeEvent]:
        events: list[RefereeEvent] = []
        for _ in range(MAX_HAPPENINGS):
            if self._pending is not None:
                events.append(TurnOffered(self.turn))  # type: ignore[arg-type]
                return events
            happening = self.world.next_happening()
            if happening is None:
                return events + self._finish()
            side = self._side_of(happening)
            if side is self.player:
                self._offer_or_commit(happening, events)
            else:
                self._apply_to_opponent(happening, events)
        raise ScenarioError(f"level {self.level.id}: the connection never settles ({MAX_HAPPENINGS} steps)")

    @staticmethod
    def _side_of(happening: Happening) -> Side:
        return happening.receiver if isinstance(happening, Arrival) else happening.side

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
        self._open_turn(happening, fork, output, list(output.segments))

    def _open_turn(self, happening: Happening | None, fork: Endpoint, output: Output, remaining: list[Segment]) -> None:
        self._turn_count += 1
        spec = self.level.turns[self._turn_count - 1] if self._turn_count <= len(self.level.turns) else None
        asked = list(spec.ask) if spec else []
        state = self.world.endpoints[self.player].state
        pending = PendingTurn(self._turn_count, happening, fork, output, remaining, spec)
        pending.options = moves.options_for(state, remaining[0].kind.value, asked)
        pending.prompt = explain.prompt(happening, self.player, self.world, remaining[0])
        self._pending = pending

    def _chooses_isn(self, pending: PendingTurn) -> bool:
        """A first SYN or SYN-ACK carries an ISN the player may pick freely."""
        return (
            bool(pending.remaining)
            and pending.remaining[0].kind in (SegmentKind.SYN, SegmentKind.SYN_ACK)
            and self.world.endpoints[self.player].state in FRESH_STATES
        )

    def _refork_with_isn(self, pending: PendingTurn, isn: int) -> None:
        """The player chose their own ISN: replay the happening with it."""
        if pending.happening is None:
            return
        fork = self.world.fork_endpoint(self.player)
        fork.next_isn = isn
        output = self.world.apply(pending.happening, fork)
        pending.fork, pending.output, pending.remaining = fork, output, list(output.segments)

    def _commit(self, fork: Endpoint, output: Output) -> list[RefereeEvent]:
        real = self.world.endpoints[self.player]
        self.world.endpoints[self.player] = fork
        return self._narrate(self.player, real.state, fork, output)

    # --- judging ---------------------------------------------------------------------

    def _accept(self, pending: PendingTurn, expected: Segment | None) -> list[RefereeEvent]:
        events: list[RefereeEvent] = []
        if pending.happening is not None:
            events.extend(self._commit(pending.fork, pending.output))
            pending.happening = None
        judgement = explain.right_move(pending, expected, self.player, self.world)
        events.insert(0, MoveJudged(judgement))
        if expected is not None:
            events.append(self._send(self.player, expected, by_player=True))
            if expected.seg_len:
                self._last_sent = expected
            pending.remaining.pop(0)
        self._pending = None
        if pending.remaining:
            self._open_turn(None, pending.fork, pending.output, pending.remaining)
        return events + self._run()

    def _reject(
        self,
        pending: PendingTurn,
        key: str,
        values: dict[str, int | str],
        expected: Segment | None,
        wrong: list[str],
    ) -> list[RefereeEvent]:
        self._tally.mistakes += 1
        events: list[RefereeEvent] = []
        reaction = "You sent nothing, so nothing happens on the wire."
        if key != moves.WAIT:
            template = expected or self._idle_segment(pending.fork)
            mistake = moves.build_segment(key, values, template)
            events.append(self._record(self.player, mistake, EntryRole.MISTAKE, by_player=True, note="your mistake"))
            reaction = self._peer_reaction(mistake, events)
        judgement = explain.wrong_move(
            key, values, expected, wrong, pending, self.player, self._last_received, self._last_sent, reaction
        )
        return [MoveJudged(judgement), *events, TurnOffered(self.turn)]  # type: ignore[arg-type]

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
        return Segment(
            local.port, remote.port, endpoint.snd_nxt, endpoint.rcv_nxt, Flag.ACK, endpoint.rcv_wnd
        )

    def _hint_text(self, pending: PendingTurn, level: int) -> str:
        written = pending.spec.hints if pending.spec else []
        if level <= len(written):
            return written[level - 1]
        return explain.generated_hint(level, pending, self.player)

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
            fields=tuple(decoded.byte_map()),
            time=self.world.now,
            role=role,
            by_player=by_player,
            note=note,
        )
        self.ladder.append(entry)
        return MessageSent(entry)

    def _narrate(self, side: Side, old_state: object, endpoint: Endpoint, output: Output) -> list[RefereeEvent]:
        events: list[RefereeEvent] = [Narration(line) for line in explain.narration(side, output)]
        if endpoint.state != old_state:
            events.append(
                StateChanged(side, old_state.value, endpoint.state.value, explain.state_reason(output))  # type: ignore[attr-defined]
            )
        return events

    def _finish(self) -> list[RefereeEvent]:
        self.finished = True
        self._tally.finished = self._clock()
        return [LevelOver(self.score(), self.level.debrief)]


