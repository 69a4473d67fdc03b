"""Live TLS: the TCP handshake against the kernel, then TLS against OpenSSL on top of it.

The TCP part is a `LiveTcpGame` (the player opens the connection segment by segment);
once it is ESTABLISHED the player plays the engine's TLS client message by message,
against Python's `ssl` (a real OpenSSL server) wrapping the kernel's accepted socket.
From then on the player's TCP carries the records by itself: each flight becomes DATA
segments, the kernel's segments are acknowledged, all of it on the ladder.

The player's TLS endpoint does not send on its own: what it would send waits in its
`pending` list, and the right move is the message due there. A right move is made for
real and carried to OpenSSL. A wrong move is built on a fork of the endpoint and shown,
but not sent: OpenSSL cannot be forked to try it, and the real connection cannot be
rewound. After the handshake the player's application sends a line, reads OpenSSL's
echo, and closes with close_notify; then TCP closes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bytemap import LazyByteMap
from engine.levels.model import StackLevel
from engine.live.game import WAIT_SLICE, LiveTcpGame
from engine.live.kernel import TlsEchoServer
from engine.live.tls import engine_client, live_identity, openssl_server_context
from engine.live.wire import LiveWire
from engine.referee import tls_moves as moves
from engine.referee.game import GameTurn
from engine.referee.tls_game import CCS_12, PURPOSE, _kind
from engine.referee.types import (
    EntryRole,
    Judgement,
    LadderEntry,
    MessageSent,
    Move,
    Narration,
    RefereeEvent,
    SecretLearned,
    SideView,
    StateChanged,
)
from engine.side import Side
from engine.tcp.events import ConnectionReset
from engine.tcp.states import State
from engine.tls import events as tls_events
from engine.tls.connection import MoveImpossible, Output, TlsConnection
from engine.tls.constants import CipherSuite, ProtocolVersion
from engine.tls.keyschedule import SecretDerived

__all__ = ["LiveTlsGame", "REQUEST"]

REQUEST = b"hello over TLS, OpenSSL\n"
TLS_PATIENCE = 15.0


@dataclass
class TlsLiveTurn:
    expected: str
    app: str | None = None  # "ApplicationData" or "Alert" when the application asks for it


class LiveTlsGame:
    def __init__(self, level: StackLevel, port: int, version: str | None, seed: int) -> None:
        self.level = level
        self.player = Side.CLIENT
        self.tcp = LiveTcpGame(Side.CLIENT, port, seed=seed, hand_over_when_established=True)
        self.ladder = self.tcp.ladder
        self.kernel_calls = self.tcp.kernel_calls
        self.secrets: list[SecretLearned] = []
        identity = live_identity(seed)
        self._server_context = openssl_server_context(identity, version)
        self.me = engine_client(identity, seed, version, autoflush=False)
        self.tls12 = version == "1.2"
        self._tcp_phase = True
        self._turn_count = 0
        self._echo = bytearray()
        self._request_sent = False
        self._last_from_openssl = ""

    # --- what LiveReferee and the UI read ----------------------------------------------

    @property
    def over(self) -> bool:
        return self.tcp.over

    @property
    def ending(self) -> str:
        return self.tcp.ending

    @property
    def wire(self) -> LiveWire:
        return self.tcp.wire

    def start_kernel(self) -> None:
        sock = self.tcp.wire.namespace.sockets[0]
        self.tcp.service = TlsEchoServer(sock, self.tcp.port, self._server_context).start()

    def close(self) -> None:
        self.tcp.close()

    def pump(self) -> list[RefereeEvent]:
        if self._tcp_phase:
            return self.tcp.pump()
        events: list[RefereeEvent] = []
        self._carry_in(0.0, events)
        return events

    # --- the Game interface --------------------------------------------------------

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        if self._tcp_phase:
            turn = self.tcp.advance(events)
            if turn is not None or self.tcp.over:
                return turn
            self._tcp_phase = False
            events.append(Narration("TCP is ESTABLISHED with the kernel: now TLS, against OpenSSL on the "
                                    "kernel's socket. Your TCP carries the records by itself."))
        waited = 0.0
        while not self.tcp.over:
            turn = self._due_turn()
            if turn is not None:
                return turn
            if self.me.sent_close_notify or self.me.closed:
                self._close_tcp(events)
                continue
            if self._carry_in(WAIT_SLICE, events):
                waited = 0.0
                continue
            waited += WAIT_SLICE
            if waited > TLS_PATIENCE:
                self.tcp.end(events, f"OpenSSL sent nothing for {TLS_PATIENCE:.0f} s while your TLS client "
                                      f"was {self.me.state.value}. The game is over.")
        return None

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        if self._tcp_phase:
            return self.tcp.judge(turn, move, values)
        detail: TlsLiveTurn = turn.detail
        alert = str(values.get("alert", "close_notify"))
        fork = self.me.copy()
        try:
            output = self._make(fork, move.key, alert, detail)
        except MoveImpossible as impossible:
            return Judgement(False, f"✗ You cannot send {move.key} now", str(impossible), expected=detail.expected), []
        if move.key == detail.expected and (move.key != "Alert" or alert == self._due_alert()):
            return self._accept(move.key, alert, detail)
        events: list[RefereeEvent] = []
        self._entries(self.player, output, events, role=EntryRole.MISTAKE)
        error = self.me.error
        why = f"{error.reason} ({error.section})" if error else self._purpose(detail.expected)
        headline = (f"✗ Wrong alert: the moment calls for {self._due_alert()}" if move.key == detail.expected
                    else f"✗ {move.key} is not the move here: a real client in {self.me.state.value} "
                         f"sends {detail.expected}")
        reaction = ("Live mode keeps a wrong move back: OpenSSL's connection is real and cannot be "
                    "rewound, so only right moves reach it. Try again.")
        return Judgement(False, headline, why, expected=detail.expected, reaction=reaction), events

    def sides(self) -> tuple[SideView, SideView]:
        tcp_client, tcp_server = self.tcp.sides()
        if self._tcp_phase:
            return tcp_client, tcp_server
        return (
            SideView(Side.CLIENT, f"{tcp_client.state} · TLS {self.me.state.value}", tcp_client.address, True),
            SideView(Side.SERVER, f"{tcp_server.state} · OpenSSL", tcp_server.address, False),
        )

    def solution(self, turn: GameTurn) -> Move:
        if self._tcp_phase:
            return self.tcp.solution(turn)
        detail: TlsLiveTurn = turn.detail
        option = next(o for o in turn.options if o.key == detail.expected)
        return Move(detail.expected, {spec.name: self._due_alert() for spec in option.fields})

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        if self._tcp_phase:
            return self.tcp.generated_hint(level, turn)
        detail: TlsLiveTurn = turn.detail
        if level == 1:
            return f"You are in {self.me.state.value}. What does OpenSSL need from you next?"
        if level == 2:
            return self._purpose(detail.expected)
        return f"Send {detail.expected}."

    # --- TLS turns ----------------------------------------------------------------------

    def _due_turn(self) -> GameTurn | None:
        me = self.me
        if me.pending and not me.closed:
            return self._open_turn(TlsLiveTurn(me.pending[0]))
        if not me.handshake_complete or me.sent_close_notify or me.closed:
            return None
        if not self._request_sent:
            return self._open_turn(TlsLiveTurn("ApplicationData", app="ApplicationData"))
        if len(self._echo) >= len(REQUEST):
            return self._open_turn(TlsLiveTurn("Alert", app="Alert"))
        return None

    def _open_turn(self, detail: TlsLiveTurn) -> GameTurn:
        self._turn_count += 1
        version = "tls12" if self.me.speaks12 else "tls13"
        options = moves.options_for(version, self.player, self.me.pending, detail.expected, ["alert"], ())
        if detail.app == "ApplicationData":
            prompt = f"The handshake is done; your application sends {REQUEST!r}. Your move."
        elif detail.app == "Alert":
            prompt = "OpenSSL echoed your line: your application is done and closes. Your move."
        else:
            last = self._last_from_openssl
            lead = f"OpenSSL's {last} arrived." if last else "TCP is open; TLS has not begun."
            prompt = f"{lead} You are in {self.me.state.value}. Your move."
        return GameTurn(self._turn_count + self.tcp.turns_played, prompt, options, None, detail)

    def _due_alert(self) -> str:
        return self.me.error.description.name if self.me.error else "close_notify"

    def _purpose(self, key: str) -> str:
        return CCS_12 if key == "ChangeCipherSpec" and self.me.speaks12 else PURPOSE[key]

    def _make(self, endpoint: TlsConnection, key: str, alert: str, detail: TlsLiveTurn) -> Output:
        if detail.app == "ApplicationData" and key == "ApplicationData":
            return endpoint.send_application_data(REQUEST)
        if detail.app == "Alert" and key == "Alert" and alert == "close_notify":
            return endpoint.close()
        choices = {"alert": alert} if key == "Alert" else {}
        return endpoint.send(key, choices)

    def _accept(self, key: str, alert: str, detail: TlsLiveTurn) -> tuple[Judgement, list[RefereeEvent]]:
        events: list[RefereeEvent] = []
        output = self._make(self.me, key, alert, detail)
        self._absorb(self.player, output, events, by_player=True)
        if detail.app == "ApplicationData":
            self._request_sent = True
        self._carry_out(output.data, events)
        sent = next((e for e in reversed(self.ladder) if e.by_player), None)
        headline = f"✓ {sent.summary if sent else key}"
        if sent is not None and sent.protected_by:
            headline += f"  🔒 {sent.protected_by}"
        return Judgement(True, headline, self._purpose(key)), events

    # --- TLS records in TCP segments ----------------------------------------------------

    def _carry_out(self, data: bytes, events: list[RefereeEvent]) -> None:
        if not data:
            return
        self._send_tcp(self.tcp.endpoint.send(data, self.tcp.wire.now()), events)

    def _carry_in(self, wait: float, events: list[RefereeEvent]) -> bool:
        """One step of the player's TCP on its own: a kernel segment in (acknowledged, its
        bytes to the TLS client), due timers fired. True if something arrived."""
        tcp = self.tcp
        tcp.collect_kernel_calls(events)
        endpoint = tcp.endpoint
        deadline = endpoint.next_deadline()
        if deadline is not None and deadline <= tcp.wire.now():
            self._send_tcp(endpoint.poll(tcp.wire.now()), events)
        record = tcp.wire.receive(wait)
        if record is None:
            return False
        note = "kernel retransmission" if record.retransmission else ""
        events.append(tcp.record(Side.SERVER, record.segment, record.raw, note=note))
        old = endpoint.state
        output = endpoint.receive(record.segment, tcp.wire.now(), src_ip=tcp.wire_ip(Side.SERVER))
        self._send_tcp(output, events)
        if endpoint.state is not old:
            events.append(StateChanged(Side.CLIENT, old.value, endpoint.state.value, ""))
        data = endpoint.read()
        if data and not self.me.closed:
            self._absorb(Side.SERVER, self.me.receive(data), events)
        if endpoint.state is State.CLOSED and not tcp.over:
            reset = any(isinstance(event, ConnectionReset) for event in output.events)
            tcp.end(events, "The kernel reset the connection. The game is over." if reset else "TCP is closed.")
        return True

    def _send_tcp(self, output: Any, events: list[RefereeEvent]) -> None:
        for segment in output.segments:
            record = self.tcp.wire.send(segment)
            note = "carries TLS" if segment.payload else ""
            events.append(self.tcp.record(Side.CLIENT, segment, record.raw, note=note))

    def _close_tcp(self, events: list[RefereeEvent]) -> None:
        """After close_notify: the player's TCP closes too, and waits for the kernel's FIN."""
        tcp = self.tcp
        endpoint = tcp.endpoint
        if endpoint.state in (State.ESTABLISHED, State.CLOSE_WAIT):
            old = endpoint.state
            self._send_tcp(endpoint.close(tcp.wire.now()), events)
            events.append(StateChanged(Side.CLIENT, old.value, endpoint.state.value, "close() after close_notify"))
            return
        if endpoint.state in (State.TIME_WAIT, State.CLOSED):
            tcp.finish(events)
            return
        if not self._carry_in(WAIT_SLICE, events) and tcp.wire.now() - tcp.wire.records[-1].at > TLS_PATIENCE:
            tcp.end(events, f"The kernel did not close within {TLS_PATIENCE:.0f} s. The game is over.")

    # --- the ladder -----------------------------------------------------------------------

    def _absorb(self, side: Side, output: Output, events: list[RefereeEvent], *, by_player: bool = False) -> None:
        self._entries(side, output, events, by_player=by_player)
        for event in output.events:
            if isinstance(event, tls_events.StateChanged) and side is self.player:
                events.append(StateChanged(side, f"TLS {event.old}", f"TLS {event.new}", ""))
            elif isinstance(event, SecretDerived):
                learned = SecretLearned(self.player, event.name, event.value, event.inputs, event.formula, event.section)
                self.secrets.append(learned)
                events.append(learned)
            elif isinstance(event, tls_events.ApplicationDataReceived):
                self._echo += event.data
                events.append(Narration(f"Your application received {event.data[:60]!r} from OpenSSL."))
            elif isinstance(event, tls_events.HandshakeComplete):
                version = "1.3" if event.version == ProtocolVersion.TLS1_3 else "1.2"
                events.append(Narration(f"Your handshake with OpenSSL is complete: TLS {version}, "
                                        f"{CipherSuite(event.cipher_suite).name}."))
            elif isinstance(event, (tls_events.AlertSent, tls_events.FaultFound)):
                events.append(Narration(f"Your client found a fault: {event.description.name}. {event.reason}"))
            elif isinstance(event, tls_events.AlertReceived):
                events.append(Narration(f"OpenSSL sent the alert {event.description.name}."))

    def _entries(self, side: Side, output: Output, events: list[RefereeEvent], *,
                 role: EntryRole = EntryRole.NORMAL, by_player: bool = False) -> None:
        """One arrow per TLS message: those we sent (with the records that carried them)
        and, for OpenSSL's, those our client read."""
        sent: list[tuple[Any, list[bytes]]] = []
        for event in output.events:
            if isinstance(event, tls_events.MessageSent) and side is self.player:
                sent.append((event, []))
            elif isinstance(event, tls_events.RecordSent) and sent:
                sent[-1][1].append(event.raw)
            elif isinstance(event, tls_events.MessageReceived) and side is not self.player:
                sent.append((event, []))
        note = "your mistake: kept back, not sent" if role is EntryRole.MISTAKE else ""
        for event, records in sent:
            message = event.message
            entry = LadderEntry(
                index=len(self.ladder), sender=side, kind=_kind(message), summary=message.summary(),
                raw=event.raw, fields=LazyByteMap(message.byte_map) if hasattr(message, "byte_map") else (),
                time=self.tcp.wire.now(), role=role, by_player=by_player or role is EntryRole.MISTAKE,
                note=note, protected_by=event.protected_by, wire=b"".join(records),
            )
            self.ladder.append(entry)
            events.append(MessageSent(entry))
            if side is not self.player:
                self._last_from_openssl = entry.kind
