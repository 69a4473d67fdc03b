"""Every segment a game puts on the wire decodes identically in scapy, checksum included."""

from __future__ import annotations

import pytest
from scapy.layers.inet import IP, TCP

from engine.levels import load_builtin
from engine.referee import Move, Referee
from engine.tcp.segment import Segment

LEVELS = [level for level in load_builtin().levels if level.protocol == "tcp"]


@pytest.mark.parametrize("level", LEVELS, ids=[level.id for level in LEVELS])
def test_every_segment_of_a_game_with_mistakes_decodes_identically_in_scapy(level) -> None:
    referee = Referee(level, seed=99, clock=lambda: 0.0)
    referee.start()
    while referee.turn is not None:
        for option in referee.turn.options:
            if option.key != referee.solution_move().key and option.key != "WAIT":
                referee.play(Move(option.key, {spec.name: "7" if spec.numeric else "x" for spec in option.fields}))
                break
        referee.play(referee.solution_move())
    assert len(referee.ladder) >= 2
    for entry in referee.ladder:
        src, dst = referee.game.world.ip(entry.sender), referee.game.world.ip(entry.sender.other)
        ours = Segment.decode(entry.raw, src, dst)
        theirs = TCP(entry.raw)
        assert (theirs.sport, theirs.dport, theirs.seq, theirs.ack) == (ours.src_port, ours.dst_port, ours.seq, ours.ack)
        assert int(theirs.flags) == int(ours.flags)
        assert theirs.window == ours.window
        assert bytes(theirs.payload) == ours.payload
        # scapy recomputes the checksum over the IPv4 pseudo-header from scratch.
        recomputed = IP(bytes(IP(src=str(src), dst=str(dst)) / _without_checksum(entry.raw)))
        assert recomputed[TCP].chksum == ours.checksum


def _without_checksum(raw: bytes) -> TCP:
    segment = TCP(raw)
    del segment.chksum
    return segment
