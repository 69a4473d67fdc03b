"""The live games through the referee, with the referee's own right moves (and one wrong
move each, which must be judged by the offline rules and kept back from the kernel)."""

from __future__ import annotations

import time

import pytest

from engine.live.errors import LiveUnavailable
from engine.live.referee import LiveOptions, LiveReferee
from engine.referee import LevelOver, MessageSent, Move, MoveJudged, Narration, RefereeEvent
from engine.referee.types import EntryRole, Side


def referee_for(options: LiveOptions) -> LiveReferee:
    try:
        return LiveReferee(options)
    except LiveUnavailable as error:
        pytest.fail(f"live tests need a network namespace and /dev/net/tun (CI runs as root): {error}")


def play(referee: LiveReferee, wrong_at: int, wrong: Move, reaction: str) -> list[RefereeEvent]:
    """The right moves to the end, with `wrong` tried first at turn `wrong_at`; its
    verdict's reaction must start with `reaction`."""
    events = referee.start()
    for number in range(1, 40):
        if referee.turn is None:
            return events
        if number == wrong_at:
            judged = referee.play(wrong)
            verdict = next(e for e in judged if isinstance(e, MoveJudged)).judgement
            assert not verdict.correct and verdict.reaction.startswith(reaction), verdict.reaction
            mine = [e.entry for e in judged if isinstance(e, MessageSent) and e.entry.by_player]
            assert mine and all(entry.role is EntryRole.MISTAKE for entry in mine)
            events += judged
        events += referee.play(referee.solution_move())
    raise AssertionError("the live game did not end")


def narrations(events: list[RefereeEvent]) -> str:
    return "\n".join(e.text for e in events if isinstance(e, Narration))


@pytest.mark.parametrize("role", [Side.CLIENT, Side.SERVER])
def test_live_tcp_game_to_the_end(role: Side) -> None:
    referee = referee_for(LiveOptions(role=role))
    try:
        events = play(referee, 2, Move("ACK", {"ack": "1"}), "The real Linux kernel")
        assert isinstance(events[-1], LevelOver) and referee.finished
        assert referee.score().mistakes == 1
        assert "Connection closed" in referee.live.ending
        told = narrations(events)
        assert "SACK permitted" in told and "window scale" in told and "timestamps" in told
        calls = [call.call for call in referee.live.kernel_calls]
        assert ("accept()" if role is Side.CLIENT else "connect()") in calls and "close()" in calls
        sent_by_kernel = [e.entry for e in events if isinstance(e, MessageSent) and e.entry.sender is role.other]
        assert sent_by_kernel and all(entry.role in (EntryRole.NORMAL, EntryRole.REACTION) for entry in sent_by_kernel)
    finally:
        referee.close()


@pytest.mark.parametrize(("version", "finished_by"), [("1.3", "TLS 1.3"), ("1.2", "TLS 1.2")])
def test_live_tls_game_against_openssl_to_the_end(version: str, finished_by: str) -> None:
    referee = referee_for(LiveOptions(tls=True, tls_version=version))
    try:
        events = play(referee, 3, Move("Alert", {"alert": "close_notify"}),  # turn 3: ClientHello is due
                      "Live mode keeps a wrong move back")
        assert isinstance(events[-1], LevelOver)
        told = narrations(events)
        assert f"Your handshake with OpenSSL is complete: {finished_by}" in told
        assert "Your application received b'hello over TLS, OpenSSL\\n' from OpenSSL." in told
        assert f"SSL_accept() → 1: TLSv{version}" in told
        assert "Connection closed" in referee.live.ending
        assert len(referee.secrets) > 5
        kinds = [entry.kind for entry in referee.ladder if entry.sender is Side.SERVER]
        assert "ServerHello" in kinds and "Finished" in kinds and "FIN" in kinds
    finally:
        referee.close()


def test_the_kernels_retransmissions_reach_the_ladder_while_the_player_waits() -> None:
    """After our SYN the kernel's SYN-ACK waits for our ACK; Linux resends it when its
    retransmission timer runs out, and `pump` puts each resend on the ladder at once."""
    referee = referee_for(LiveOptions(role=Side.CLIENT))
    try:
        referee.start()
        referee.play(referee.solution_move())  # SYN; the ACK is now the player's to make
        assert referee.turn is not None and referee.solution_move().key == "ACK"
        resent: list[MessageSent] = []
        for _ in range(200):  # the kernel's first timeout is about a second; never more than 20 s
            resent += [e for e in referee.pump() if isinstance(e, MessageSent) and "retransmission" in e.entry.note]
            if resent:
                break
            time.sleep(0.1)
        assert resent, "the kernel did not retransmit its SYN-ACK"
        first_syn_ack = next(e for e in referee.ladder if e.kind == "SYN-ACK")
        assert resent[0].entry.kind == "SYN-ACK" and resent[0].entry.raw[4:8] == first_syn_ack.raw[4:8]
        events = referee.play(referee.solution_move())  # the ACK still answers both
        assert any(isinstance(e, MoveJudged) and e.judgement.correct for e in events)
    finally:
        referee.close()


def test_a_wrong_ack_in_the_handshake_gets_the_kernels_rst_and_changes_nothing() -> None:
    """RFC 9293 §3.10.7.4: an ACK that does not acknowledge the SYN-ACK is answered with
    <SEQ=SEG.ACK><CTL=RST>; the half-open connection stays, and the right ACK completes it."""
    referee = referee_for(LiveOptions(role=Side.CLIENT))
    try:
        referee.start()
        referee.play(referee.solution_move())  # SYN
        judged = referee.play(Move("ACK", {"ack": "12345"}))
        reactions = [e.entry for e in judged if isinstance(e, MessageSent) and e.entry.role is EntryRole.REACTION]
        assert [entry.kind for entry in reactions] == ["RST"]
        assert int.from_bytes(reactions[0].raw[4:8], "big") == 12345  # its seq is our wrong ack
        assert "LISTEN" in next(e for e in judged if isinstance(e, MoveJudged)).judgement.reaction
        referee.play(referee.solution_move())  # the right ACK
        for _ in range(100):  # accept() returns in the kernel side's thread
            referee.pump()
            if any(call.result.startswith("a connected socket") for call in referee.live.kernel_calls):
                break
            time.sleep(0.05)
        assert any(call.result.startswith("a connected socket") for call in referee.live.kernel_calls)
    finally:
        referee.close()


def test_a_mistake_that_would_change_the_connection_is_kept_back() -> None:
    referee = referee_for(LiveOptions(role=Side.CLIENT))
    try:
        referee.start()
        referee.play(referee.solution_move())  # SYN
        judged = referee.play(Move("RST", {}))
        verdict = next(e for e in judged if isinstance(e, MoveJudged)).judgement
        assert not verdict.correct and verdict.reaction.startswith("Live mode keeps this mistake back")
        assert [e.entry.note for e in judged if isinstance(e, MessageSent)] == ["your mistake: kept back, not sent"]
        assert all(record.segment.flags.name != "RST" for record in referee.live.wire.records
                   if record.sender is Side.CLIENT)
    finally:
        referee.close()
