"""TCP then TLS: the three-way handshake first, then a TLS handshake carried in its segments.

The TCP part is a `TcpGame`, the TLS part a `TlsGame`; they share one ladder. Once TCP is
established the player's moves are TLS messages, and both TCP endpoints carry their bytes
on their own: every flight becomes DATA segments with real seq and ack numbers, each
acknowledged by the other side's TCP, all on the ladder beside the TLS arrows.
"""

from __future__ import annotations

from engine.levels.model import StackLevel
from engine.referee.game import GameTurn
from engine.referee.tcp_game import TcpGame
from engine.referee.tls_game import TlsGame
from engine.referee.types import Judgement, Move, Narration, RefereeEvent, SecretLearned, Side, SideView


class StackGame:
    def __init__(self, level: StackLevel, seed: int) -> None:
        tcp_level, tls_level = level.layers()
        self.level = level
        self.tcp = TcpGame(tcp_level, seed)
        self.tls = TlsGame(tls_level, seed)
        self.ladder = self.tcp.ladder
        self.tls.ladder = self.ladder
        self.tls.world.carrier = self._carry
        self._tcp_phase = True

    @property
    def secrets(self) -> list[SecretLearned]:
        return self.tls.secrets

    # --- the Game interface --------------------------------------------------------

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        if self._tcp_phase:
            turn = self.tcp.advance(events)
            if turn is not None:
                return turn
            self._tcp_phase = False
            events.append(Narration("TCP is ESTABLISHED: from now on TLS records ride inside TCP segments."))
        turn = self.tls.advance(events)
        if turn is not None:
            turn.number += self.tcp._turn_count
        return turn

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        return (self.tcp if self._tcp_phase else self.tls).judge(turn, move, values)

    def sides(self) -> tuple[SideView, SideView]:
        tcp_views = self.tcp.sides()
        if self._tcp_phase:
            return tcp_views
        tls_views = self.tls.sides()
        return tuple(  # type: ignore[return-value]
            SideView(t.side, f"{t.state} · TLS {s.state}", t.address, t.is_player) for t, s in zip(tcp_views, tls_views)
        )

    def solution(self, turn: GameTurn) -> Move:
        return (self.tcp if self._tcp_phase else self.tls).solution(turn)

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        return (self.tcp if self._tcp_phase else self.tls).generated_hint(level, turn)

    # --- TLS bytes in TCP segments ---------------------------------------------------

    def _carry(self, sender: Side, data: bytes, inbox: list[tuple[Side, bytes]], events: list[RefereeEvent]) -> None:
        """Hand TLS bytes to the sender's TCP; run the wire until every segment is
        delivered and acknowledged; what each TCP delivers goes to its TLS endpoint."""
        world = self.tcp.world
        output = world.endpoints[sender].send(data, world.now)
        for segment in output.segments:
            events.append(self.tcp._send(sender, segment, note="carries TLS"))
        while world.wire:
            flight = world.wire.pop(0)
            world.now = max(world.now, flight.arrive_at)
            receiver = flight.sender.other
            endpoint = world.endpoints[receiver]
            reply = endpoint.receive(flight.segment, world.now)
            for segment in reply.segments:
                events.append(self.tcp._send(receiver, segment))
            delivered = endpoint.read()
            if delivered:
                inbox.append((receiver, delivered))
