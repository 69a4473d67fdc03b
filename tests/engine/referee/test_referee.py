"""The referee plays levels on real endpoints: right moves, wrong moves, reproducibility."""

from __future__ import annotations

import pytest

from engine.levels import Level, load_builtin, load_level
from engine.referee import EntryRole, LevelOver, Move, MoveJudged, Referee, Side, TurnOffered
from engine.tcp.segment import Flag, Segment

BUILTIN = load_builtin().levels


def frozen() -> float:
    return 0.0


def play_solution(level: Level, seed: int | None = None) -> Referee:
    referee = Referee(level, seed, clock=frozen)
    referee.start()
    while referee.turn is not None:
        events = referee.play(referee.solution_move())
        judgements = [e.judgement for e in events if isinstance(e, MoveJudged)]
        assert judgements and judgements[0].correct, judgements
    return referee


def decode(referee: Referee, index: int) -> Segment:
    entry = referee.ladder[index]
    world = referee.game.world
    return Segment.decode(entry.raw, world.ip(entry.sender), world.ip(entry.sender.other))


@pytest.mark.parametrize("level", BUILTIN, ids=[level.id for level in BUILTIN])
def test_every_builtin_level_plays_to_the_end_with_the_turns_it_names(level: Level) -> None:
    referee = Referee(level, clock=frozen)
    referee.start()
    played = []
    while referee.turn is not None:
        move = referee.solution_move()
        played.append(move.key)
        referee.play(move)
    assert played == level.moves
    assert referee.finished
    assert referee.score().mistakes == 0
    assert referee.score().stars == 3


def test_handshake_as_client_puts_the_real_segments_on_the_wire() -> None:
    referee = play_solution(load_level("tcp-01-handshake-client"), seed=7)
    kinds = [(entry.sender, entry.kind) for entry in referee.ladder]
    assert kinds == [(Side.CLIENT, "SYN"), (Side.SERVER, "SYN-ACK"), (Side.CLIENT, "ACK")]
    syn, syn_ack, ack = (decode(referee, i) for i in range(3))
    assert syn_ack.ack == (syn.seq + 1) % 2**32
    assert ack.seq == syn_ack.ack
    assert ack.ack == (syn_ack.seq + 1) % 2**32
    assert [view.state for view in referee.sides] == ["ESTABLISHED", "ESTABLISHED"]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_does_not() -> None:
    level = load_level("tcp-03-teardown-client")
    first = [entry.raw for entry in play_solution(level, seed=11).ladder]
    again = [entry.raw for entry in play_solution(level, seed=11).ladder]
    other = [entry.raw for entry in play_solution(level, seed=12).ladder]
    assert first == again
    assert first != other


def test_a_wrong_ack_is_explained_with_the_expected_value_and_the_real_peer_reacts() -> None:
    referee = Referee(load_level("tcp-01-handshake-client"), seed=7, clock=frozen)
    referee.start()
    referee.play(Move("SYN"))
    syn_ack = decode(referee, 1)
    right = (syn_ack.seq + 1) % 2**32
    wrong = (right + 5) % 2**32
    events = referee.play(Move("ACK", {"ack": str(wrong)}))
    judgement = next(e.judgement for e in events if isinstance(e, MoveJudged))
    assert not judgement.correct
    assert f"The ack must be {right}" in judgement.explanation
    assert f"{syn_ack.seq} + 1 = {right}" in judgement.explanation
    assert "SYN counts as one" in judgement.explanation
    assert judgement.expected == f"ACK ack={right}"
    # The real server (a fork of it) answers an unacceptable ACK in SYN-RECEIVED with RST.
    roles = [(entry.role, entry.kind) for entry in referee.ladder[2:]]
    assert roles == [(EntryRole.MISTAKE, "ACK"), (EntryRole.REACTION, "RST")]
    assert judgement.reaction.startswith("The real server answered with RST")
    # The game goes on from before the mistake: the same turn is offered again.
    assert any(isinstance(e, TurnOffered) for e in events)
    assert referee.score().mistakes == 1
    assert [view.state for view in referee.sides] == ["SYN-SENT", "SYN-RECEIVED"]


def test_a_mistake_does_not_change_the_game_that_follows() -> None:
    level = load_level("tcp-01-handshake-client")
    clean = play_solution(level, seed=3)
    referee = Referee(level, seed=3, clock=frozen)
    referee.start()
    referee.play(Move("RST"))
    referee.play(Move("ACK"))
    while referee.turn is not None:
        referee.play(referee.solution_move())
    normal = [entry.raw for entry in referee.ladder if entry.role is EntryRole.NORMAL]
    assert normal == [entry.raw for entry in clean.ladder]
    assert referee.score().mistakes == 2


def test_the_player_chooses_the_isn_when_the_level_asks_for_seq() -> None:
    referee = Referee(load_level("tcp-06-lost-synack"), seed=5, clock=frozen)
    referee.start()
    referee.play(Move("SYN", {"seq": "1000"}))
    assert decode(referee, 0).seq == 1000
    # The SYN-ACK is lost, the retransmission timer fires: the same ISN must go again.
    events = referee.play(Move("SYN", {"seq": "1001"}))
    judgement = next(e.judgement for e in events if isinstance(e, MoveJudged))
    assert not judgement.correct
    assert judgement.explanation == (
        "The seq must be 1000: a retransmission repeats the unacknowledged SYN exactly, "
        "with the seq it had the first time."
    )
    referee.play(Move("SYN", {"seq": "1000"}))
    retransmitted = [e for e in referee.ladder if e.kind == "SYN" and e.role is EntryRole.NORMAL]
    assert len(retransmitted) == 2
    assert retransmitted[1].time == pytest.approx(1.0)


def test_the_closed_port_level_answers_rst_and_the_client_gives_up() -> None:
    referee = play_solution(load_level("tcp-05-closed-port"), seed=2)
    syn, rst = decode(referee, 0), decode(referee, 1)
    assert rst.flags == Flag.RST | Flag.ACK
    assert (rst.seq, rst.ack) == (0, (syn.seq + 1) % 2**32)
    assert [view.state for view in referee.sides] == ["CLOSED", "CLOSED"]


def test_unreadable_input_is_not_counted_as_a_mistake() -> None:
    referee = Referee(load_level("tcp-01-handshake-client"), seed=1, clock=frozen)
    referee.start()
    referee.play(Move("SYN"))
    events = referee.play(Move("ACK", {"ack": "ninety"}))
    judgement = next(e.judgement for e in events if isinstance(e, MoveJudged))
    assert (judgement.correct, judgement.counted) == (False, False)
    assert judgement.explanation == "acknowledgement number must be a whole number, not 'ninety'"
    assert referee.score().mistakes == 0


def test_hints_go_nudge_rule_answer_and_cost_points() -> None:
    referee = Referee(load_level("tcp-01-handshake-client"), seed=1, clock=frozen)
    referee.start()
    referee.play(Move("SYN"))
    hints = [referee.hint() for _ in range(4)]
    assert [h.level for h in hints if h] == [1, 2, 3]
    assert hints[3] is None
    right = decode(referee, 1).seq + 1
    assert hints[2] is not None and hints[2].text == f"Send ACK ack={right}."
    referee.play(referee.solution_move())
    score = referee.score()
    assert score.hints_used == 3
    assert score.points == 1000 - 50 - 100 - 200
    assert score.stars == 2


def test_the_level_ends_with_a_score_event() -> None:
    referee = Referee(load_level("tcp-02-handshake-server"), seed=1, clock=frozen)
    referee.start()
    events = []
    while referee.turn is not None:
        events = referee.play(referee.solution_move())
    assert isinstance(events[-1], LevelOver)
    assert events[-1].score.stars == 3


def test_a_wrong_fin_seq_is_explained_from_what_you_sent_before() -> None:
    referee = Referee(load_level("tcp-03-teardown-client"), seed=4, clock=frozen)
    referee.start()
    referee.play(referee.solution_move())  # SYN
    referee.play(referee.solution_move())  # ACK
    right = referee.solution_move().values["seq"]
    events = referee.play(Move("FIN", {"seq": str(int(right) + 1)}))
    judgement = next(e.judgement for e in events if isinstance(e, MoveJudged))
    assert judgement.explanation == (
        f"The seq must be {right}: your SYN had seq {int(right) - 1} and took 1 (the SYN counts as one), "
        f"so your next number is {int(right) - 1} + 1 = {right}."
    )
