"""The referee: runs a level, offers the player's turns, judges moves, keeps the score.

What a move means is the protocol's business (a `Game`: tcp_game.py, tls_game.py); the
referee turns the game's verdicts into the score, hands out hints, and ends the level.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from engine.levels.model import Level, StackLevel, TcpLevel
from engine.referee.game import Game, GameTurn, parse_values
from engine.referee.tcp_game import TcpGame
from engine.referee.tcp_world import ScenarioError
from engine.referee.types import (
    Hint,
    Judgement,
    LadderEntry,
    LevelOver,
    Move,
    MoveJudged,
    Narration,
    RefereeEvent,
    Score,
    SecretLearned,
    SideView,
    Turn,
    TurnOffered,
)


def _game_for(level: Level, seed: int) -> Game:
    """The protocol's game; the TLS engine is imported only when a TLS level is played."""
    if isinstance(level, TcpLevel):
        return TcpGame(level, seed)
    if isinstance(level, StackLevel):
        from engine.referee.stack_game import StackGame

        return StackGame(level, seed)
    from engine.referee.tls_game import TlsGame

    return TlsGame(level, seed)


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
        self.game = _game_for(level, self.seed)
        self.finished = False
        self._clock = clock
        self._pending: GameTurn | None = None
        self._tally = _Tally()

    # --- public API ------------------------------------------------------------------

    @property
    def ladder(self) -> list[LadderEntry]:
        return self.game.ladder

    @property
    def sides(self) -> tuple[SideView, SideView]:
        return self.game.sides()

    @property
    def secrets(self) -> list[SecretLearned]:
        """Key-schedule values the player's side has learned so far (TLS; none for TCP)."""
        return list(getattr(self.game, "secrets", []))

    @property
    def turn(self) -> Turn | None:
        pending = self._pending
        return None if pending is None else Turn(pending.number, pending.prompt, pending.options)

    def start(self) -> list[RefereeEvent]:
        self._tally.started = self._clock()
        return self._run([])

    def play(self, move: Move) -> list[RefereeEvent]:
        pending = self._pending
        if pending is None:
            return [Narration("The level is over: there is no move to make.")]
        option = next((o for o in pending.options if o.key == move.key), None)
        if option is None:
            offered = ", ".join(o.key for o in pending.options)
            return [MoveJudged(Judgement(False, f"✗ {move.key} is not on offer", f"Choose one of {offered}.", counted=False))]
        try:
            values = parse_values(move, option)
        except ValueError as error:
            return [MoveJudged(Judgement(False, "✗ That value cannot be sent", str(error), counted=False))]
        judgement, events = self.game.judge(pending, move, values)
        if not judgement.correct:
            self._tally.mistakes += 1
            return [MoveJudged(judgement), *events, TurnOffered(self.turn)]  # type: ignore[arg-type]
        self._pending = None
        return self._run([MoveJudged(judgement), *events])

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
        written = pending.spec.hints if pending.spec else []
        text = written[level - 1] if level <= len(written) else self.game.generated_hint(level, pending)
        return Hint(level, text, cost)

    def solution_move(self) -> Move:
        """The right move for this turn, with the fields the level asks for."""
        if self._pending is None:
            raise ScenarioError("no turn is pending")
        return self.game.solution(self._pending)

    def score(self) -> Score:
        tally = self._tally
        end = tally.finished if tally.finished is not None else self._clock()
        seconds = max(0.0, end - tally.started)
        scoring = self.level.scoring
        overtime = max(0.0, seconds - scoring.par_seconds)
        points = max(0, round(1000 - tally.mistakes * scoring.mistake_cost - tally.hint_points - 2 * overtime))
        stars = 3 - (tally.mistakes > 0) - (tally.mistakes >= 3) - tally.answer_seen - (overtime > 0)
        return Score(tally.mistakes, tally.hints_used, seconds, points, max(1, stars) if self.finished else 0)

    # --- running ---------------------------------------------------------------------

    def _run(self, events: list[RefereeEvent]) -> list[RefereeEvent]:
        self._pending = self.game.advance(events)
        if self._pending is not None:
            events.append(TurnOffered(self.turn))  # type: ignore[arg-type]
            return events
        self.finished = True
        self._tally.finished = self._clock()
        events.append(LevelOver(self.score(), self.level.debrief))
        return events


MAX_SOLUTION_TURNS = 200


def play_to_end(level: Level, seed: int | None = None, *, max_turns: int = MAX_SOLUTION_TURNS) -> Referee:
    """The level played to the end with the referee's own solution (the move the real
    endpoint makes at every turn), on a frozen clock: the score's seconds mean nothing here,
    the game keeps its own clock. Raises ScenarioError if it has not ended after `max_turns`."""
    referee = Referee(level, seed, clock=lambda: 0.0)
    referee.start()
    for _ in range(max_turns):
        if referee.turn is None:
            return referee
        referee.play(referee.solution_move())
    if referee.turn is None:
        return referee
    raise ScenarioError(f"level {level.id}: still not over after {max_turns} turns")

