"""A right TLS move is played once: the forks that judged it become the endpoints.

The claim that makes this safe: the player's fork made exactly the message the real
endpoint would make, and the peer's fork read it exactly as the real peer would. Here every
right move of every TLS level (stack levels included) is also made and read by copies taken
before the judging, and both must match byte for byte and event for event; and a seed's
whole game is the same whether or not the peer's reading is taken from its fork.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.levels import load_builtin
from engine.referee import Referee
from engine.referee.tls_game import TlsGame
from engine.tls.connection import Output

TLS_LEVELS = [level for level in load_builtin().levels if "tls" in str(level.protocol)]
each_tls_level = pytest.mark.parametrize("level", TLS_LEVELS, ids=lambda level: level.id)


def frozen() -> float:
    return 0.0


def shape(output: Output) -> tuple[bytes, list[str]]:
    """An output's bytes and its events, by kind (a secret by its name and value)."""
    kinds = [f"{type(e).__name__}:{getattr(e, 'name', '')}:{getattr(e, 'value', b'')!r}" for e in output.events]
    return output.data, kinds


def play_to_the_end(referee: Referee) -> list[tuple[str, bytes, bytes]]:
    referee.start()
    while referee.turn is not None and not referee.finished:
        referee.play(referee.solution_move())
    return [(entry.kind, entry.raw, entry.wire) for entry in referee.ladder]


@each_tls_level
def test_the_forks_make_and_read_each_right_move_as_the_real_endpoints_would(level: Any, monkeypatch: Any) -> None:
    checked = []
    judge = TlsGame.judge

    def judge_and_check(game: TlsGame, turn: Any, move: Any, values: Any) -> Any:
        me, peer = game.me.copy(), game.peer.copy()
        result = judge(game, turn, move, values)
        rehearsal = game._rehearsal
        if rehearsal is not None:  # a right move: its forks are the endpoints now
            detail = turn.detail
            output = game._make(me, move.key, game._choices(move.key, values, detail), detail)
            assert shape(output) == shape(rehearsal.output)
            assert shape(peer.receive(output.data)) == shape(rehearsal.reaction)
            checked.append(move.key)
        return result

    monkeypatch.setattr(TlsGame, "judge", judge_and_check)
    play_to_the_end(Referee(level, 5, clock=frozen))
    assert checked, f"{level.id}: no right move was judged"


@each_tls_level
def test_a_game_is_the_same_when_the_peer_reads_each_move_itself(level: Any, monkeypatch: Any) -> None:
    adopted = []
    receive = TlsGame._receive

    def receive_and_count(game: TlsGame, receiver: Any, data: bytes) -> Output:
        rehearsal = game._rehearsal
        output = receive(game, receiver, data)
        if rehearsal is not None and output is rehearsal.reaction:
            adopted.append(data)
        return output

    monkeypatch.setattr(TlsGame, "_receive", receive_and_count)
    rehearsed = play_to_the_end(Referee(level, 5, clock=frozen))
    assert adopted, f"{level.id}: the peer read every right move itself"

    def read_again(game: TlsGame, receiver: Any, data: bytes) -> Output:
        game._rehearsal = None
        return game.world.endpoints[receiver].receive(data)

    monkeypatch.setattr(TlsGame, "_receive", read_again)
    assert play_to_the_end(Referee(level, 5, clock=frozen)) == rehearsed
