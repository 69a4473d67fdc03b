"""The TLS 1.3 game: the player's side is a real TLS endpoint that does not send by itself.

What the player's endpoint would send next waits in its `pending` list; the player must
send it, message by message, with the choices the level asks for (suite, group,
certificate, alert). Every move is tried on forks first: the player's endpoint builds the
message for real, and a fork of the real peer reads it. If the move is the one due and
the peer accepts it, it is made for real; if not, the peer's real reaction (an alert, or
nothing) is shown and the game goes on from before the mistake.

A right move is played once, not twice: the forks that tried it become the endpoints (a
`Rehearsal`). The player's fork has made exactly the move the real endpoint would make
(a fork is a deep copy, its seeded random source included), and the peer's fork has read
exactly the bytes the real peer is about to read, if the wire hands them over next, whole
and before anything else reaches the peer; then its reaction is the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.bytemap import LazyByteMap
from engine.levels.model import TlsLevel
from engine.referee import tls_moves as moves
from engine.referee.game import GameTurn
from engine.referee.tcp_world import ScenarioError
from engine.referee.tls_world import ScriptStep, TlsWorld
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
from engine.tls import events as tls_events
from engine.tls.connection import AlertMessage, MoveImpossible, Output, TlsConnection
from engine.tls.constants import CipherSuite, NamedGroup
from engine.tls.keyschedule import SecretDerived
from engine.tls.messages import ServerHello

MAX_STEPS = 500
CCS_12 = ("ChangeCipherSpec: from the next record on, everything you send is encrypted with your write key "
          "from the key block. The Finished that follows is the first encrypted message.")
PURPOSE = {
    "ClientHello": "ClientHello opens the handshake: versions, suites and groups on offer, and a key share so the server can answer in one round trip.",
    "HelloRetryRequest": "HelloRetryRequest: none of the client's key shares is for a group the server takes, so it names one and the client must try again.",
    "ServerHello": "ServerHello fixes the suite and carries the server's key share: from here on both sides can compute the handshake secrets.",
    "ChangeCipherSpec": "A dummy ChangeCipherSpec, sent only so that middleboxes that remember TLS 1.2 let the connection through (RFC 8446 §D.4).",
    "EncryptedExtensions": "EncryptedExtensions: the server's remaining answers, the first message under the handshake key.",
    "CertificateRequest": "CertificateRequest asks the client to prove who it is with a certificate.",
    "Certificate": "Certificate: the chain that binds a public key to a name, signed by a CA the peer trusts.",
    "CertificateVerify": "CertificateVerify: a signature over the transcript, proving you hold the certificate's private key.",
    "Finished": "Finished: a MAC over the whole handshake under a key from the handshake secret; it proves nothing was tampered with.",
    "NewSessionTicket": "NewSessionTicket: a ticket the client can show later to resume without a full handshake.",
    "ServerKeyExchange": "ServerKeyExchange: the server's (EC)DHE key share, signed with its certificate's key together with both randoms, so it cannot be swapped.",
    "ServerHelloDone": "ServerHelloDone: the server has said everything; now the client sends its key material.",
    "ClientKeyExchange": "ClientKeyExchange: the client's half of the key exchange (its key share, or for RSA the pre-master secret encrypted to the server's key).",
    "KeyUpdate": "KeyUpdate: from the next record on you write under the next application traffic key "
                 "(HKDF-Expand-Label(secret, \"traffic upd\", \"\", Hash.length)); with update_requested the peer "
                 "answers with its own KeyUpdate.",
    "ApplicationData": "Application data travels encrypted under the application traffic key.",
    "Alert": "An alert ends the connection: close_notify politely, any other as a refusal naming the fault.",
}


@dataclass
class Rehearsal:
    """A right move as judged on forks: the player's fork after making it (`output`), and
    the fork of `peer_before` after reading `output.data` (`reaction`)."""

    player: TlsConnection
    output: Output
    peer_before: TlsConnection
    peer: TlsConnection
    reaction: Output


@dataclass
class TlsTurn:
    expected: str  # the message the real endpoint sends now
    defaults: dict[str, Any]  # the choices the real endpoint would make
    step: ScriptStep | None = None  # set when the move is an application's, not the handshake's


class TlsGame:
    def __init__(self, level: TlsLevel, seed: int) -> None:
        self.level = level
        self.player = level.role
        self.world = TlsWorld(level, seed)
        self.ladder: list[LadderEntry] = []
        self.secrets: list[SecretLearned] = []
        self._turn_count = 0
        self._started = False
        self._rehearsal: Rehearsal | None = None  # the peer's read of the last right move

    @property
    def me(self) -> TlsConnection:
        return self.world.endpoints[self.player]

    @property
    def peer(self) -> TlsConnection:
        return self.world.endpoints[self.player.other]

    # --- the Game interface --------------------------------------------------------

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        if not self._started:
            self._started = True
            self._begin(events)
        for _ in range(MAX_STEPS):
            # Bytes travel first: every message the player made reaches the peer before the
            # next move is judged, as on a real connection. The player's endpoint reads only
            # once it has sent its flight, as a real one writes a flight before reading.
            busy = bool(self.me.pending) and not self.me.closed
            delivery = self.world.next_delivery(hold=self.player if busy else None)
            if delivery is not None:
                receiver, data = delivery
                self._absorb(receiver, self._receive(receiver, data), events)
                continue
            self._rehearsal = None  # whatever happens next, the peer's fork no longer fits
            if self.me.pending and not self.me.closed:
                return self._open_turn(TlsTurn(self.me.pending[0], self._defaults()))
            step = self._next_step()
            if step is None:
                return None
            if step.side is self.player:
                return self._open_turn(TlsTurn(step.kind, self._defaults() | {"data": step.data}, step))
            self.world.script.remove(step)
            self._absorb(step.side, self._app_send(self.peer, step), events)
        raise ScenarioError(f"level {self.level.id}: the connection never settles")

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TlsTurn = turn.detail
        self._rehearsal = None
        choices = self._choices(move.key, values, detail)
        fork = self.me.copy()
        try:
            output = self._make(fork, move.key, choices, detail)
        except MoveImpossible as impossible:
            return Judgement(False, f"✗ You cannot send {move.key} now", str(impossible), expected=detail.expected), []
        peer_fork = self.peer.copy()
        reaction = peer_fork.receive(output.data)
        refusal = next((e for e in reaction.events if isinstance(e, tls_events.AlertSent)), None)
        wrong_alert = move.key == "Alert" and self._alert_mismatch(choices, detail)
        if move.key == detail.expected and refusal is None and not wrong_alert:
            return self._accept(turn, move.key, Rehearsal(fork, output, self.peer, peer_fork, reaction))
        return self._reject(turn, move.key, output, reaction, refusal)

    def sides(self) -> tuple[SideView, SideView]:
        addresses = {Side.CLIENT: "192.0.2.1", Side.SERVER: f"{self.level.scenario.server_name}:443"}
        return tuple(  # type: ignore[return-value]
            SideView(side, self.world.endpoints[side].state.value, addresses[side], side is self.player)
            for side in (Side.CLIENT, Side.SERVER)
        )

    def solution(self, turn: GameTurn) -> Move:
        detail: TlsTurn = turn.detail
        option = next(o for o in turn.options if o.key == detail.expected)
        return Move(detail.expected, {spec.name: str(detail.defaults[spec.name]) for spec in option.fields})

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        detail: TlsTurn = turn.detail
        if level == 1:
            return f"You are in {self.me.state.value}. What does the {self.player.other.value} need from you next?"
        if level == 2:
            error = self.me.error
            return f"{error.reason} ({error.section})" if error else self._purpose(detail.expected)
        option = next(o for o in turn.options if o.key == detail.expected)
        fields = " ".join(f"{spec.name}={detail.defaults[spec.name]}" for spec in option.fields)
        return f"Send {detail.expected} {fields}".strip() + "."

    def _purpose(self, key: str) -> str:
        return CCS_12 if key == "ChangeCipherSpec" and self.level.tls_version == "tls12" else PURPOSE[key]

    # --- running -----------------------------------------------------------------------

    def _begin(self, events: list[RefereeEvent]) -> None:
        if self.world.ticket_from_earlier is not None:
            events.append(Narration("An earlier connection left the client a session ticket: this one can resume."))
        if self.player is Side.SERVER:
            self._absorb(Side.CLIENT, self.peer.flush(), events)

    def _next_step(self) -> ScriptStep | None:
        if not self.world.script or not self.world.both_connected():
            return None
        step = self.world.script[0]
        if any(e.sent_close_notify for e in self.world.endpoints.values()):
            return None
        return step

    def _open_turn(self, detail: TlsTurn) -> GameTurn:
        self._turn_count += 1
        turns = self.level.turns
        spec = turns[self._turn_count - 1] if self._turn_count <= len(turns) else None
        asked = [name for name in (spec.ask if spec else []) if name in detail.defaults or name == "alert"]
        options = moves.options_for(
            self.level.tls_version, self.player, self.me.pending, detail.expected, asked, tuple(self.world.certificates)
        )
        return GameTurn(self._turn_count, self._prompt(detail), options, spec, detail)

    def _prompt(self, detail: TlsTurn) -> str:
        if self.me.error is not None:
            return f"Something the {self.player.other.value} sent is wrong. Your move."
        if detail.step is not None:
            return "The handshake is done; your application has something to say. Your move."
        last = next((e for e in reversed(self.ladder) if e.sender is not self.player), None)
        lead = f"The {self.player.other.value}'s {last.kind} arrived." if last else "Nothing has been said yet."
        return f"{lead} You are in {self.me.state.value}. Your move."

    def _defaults(self) -> dict[str, Any]:
        me = self.me
        defaults: dict[str, Any] = {}
        if me.cipher_suite is not None:
            defaults["cipher_suite"] = CipherSuite(me.cipher_suite).name
        if me.group is not None:
            defaults["group"] = NamedGroup(me.group).name
        defaults["certificate"] = self.world.server_certificate
        defaults["alert"] = me.error.description.name if me.error else "close_notify"
        return defaults

    def _choices(self, key: str, values: dict[str, int | str], detail: TlsTurn) -> dict[str, Any]:
        choices: dict[str, Any] = {}
        if "cipher_suite" in values:
            choices["cipher_suite"] = CipherSuite[str(values["cipher_suite"])]
        if "group" in values:
            choices["group"] = NamedGroup[str(values["group"])]
        if "certificate" in values:
            choices["credential"] = self.world.certificates[str(values["certificate"])]
        if key == "Alert":
            choices["alert"] = str(values.get("alert", detail.defaults["alert"]))
        if key == "ApplicationData":
            choices["data"] = detail.defaults.get("data", b"")
        return choices

    def _alert_mismatch(self, choices: dict[str, Any], detail: TlsTurn) -> bool:
        return choices.get("alert") != detail.defaults["alert"]

    def _make(self, endpoint: TlsConnection, key: str, choices: dict[str, Any], detail: TlsTurn) -> Output:
        if detail.step is not None and key == detail.expected:
            return self._app_send(endpoint, detail.step)
        return endpoint.send(key, choices)

    @staticmethod
    def _app_send(endpoint: TlsConnection, step: ScriptStep) -> Output:
        """What an application asks of its TLS endpoint once the handshake is done."""
        if step.kind == "Alert":
            return endpoint.close()
        if step.kind == "KeyUpdate":
            return endpoint.send("KeyUpdate", {"request_update": True})
        return endpoint.send_application_data(step.data)

    # --- judging -----------------------------------------------------------------------

    def _accept(self, turn: GameTurn, key: str, rehearsal: Rehearsal) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TlsTurn = turn.detail
        if detail.step is not None:
            self.world.script.remove(detail.step)
        events: list[RefereeEvent] = []
        self.world.endpoints[self.player] = rehearsal.player  # the fork that made the move
        self._rehearsal = rehearsal
        self._absorb(self.player, rehearsal.output, events, by_player=True)
        taught = turn.spec.teach if turn.spec and turn.spec.teach else ""
        sent = next((e for e in reversed(self.ladder) if e.by_player), None)
        headline = f"✓ {sent.summary if sent else key}"
        if sent is not None and sent.protected_by:
            headline += f"  🔒 {sent.protected_by}"
        return Judgement(True, headline, taught or self._purpose(key)), events

    def _reject(
        self, turn: GameTurn, key: str, output: Output, reaction: Output, refusal: tls_events.AlertSent | None
    ) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TlsTurn = turn.detail
        events: list[RefereeEvent] = []
        self._ladder_entries(self.player, output, events, role=EntryRole.MISTAKE)
        self._ladder_entries(self.player.other, reaction, events, role=EntryRole.REACTION)
        other = self.player.other.value
        if refusal is not None:
            said = f"The real {other} answered with the alert {refusal.description.name}: {refusal.reason} ({refusal.section})."
        else:
            said = f"The real {other} sent nothing back: it is still waiting for {detail.expected}." if reaction.data == b"" else f"The real {other} carried on."
        error = self.me.error
        if key != detail.expected:
            why = f"{error.reason} ({error.section})" if error else self._purpose(detail.expected)
            headline = f"✗ {key} is not the move here: a real {self.player.value} in {self.me.state.value} sends {detail.expected}"
        elif key == "Alert":
            headline = f"✗ Wrong alert: the fault calls for {detail.defaults['alert']}"
            why = f"{error.reason} ({error.section})" if error else "Nothing is wrong: close with close_notify."
        else:
            headline = f"✗ {key} with those choices is refused"
            why = said
        expected = f"{detail.expected} {detail.defaults['alert']}" if detail.expected == "Alert" else detail.expected
        return Judgement(False, headline, why, rule=refusal.section if refusal else "", expected=expected, reaction=said), events

    def _receive(self, receiver: Side, data: bytes) -> Output:
        """The receiver reads `data`; the peer reading the right move just made, unchanged
        since, takes its fork's reading (`Rehearsal`) instead of reading it a second time."""
        rehearsal, self._rehearsal = self._rehearsal, None
        endpoint = self.world.endpoints[receiver]
        if (rehearsal is not None and endpoint is rehearsal.peer_before
                and data == rehearsal.output.data):
            self.world.endpoints[receiver] = rehearsal.peer
            return rehearsal.reaction
        return endpoint.receive(data)

    # --- the ladder ----------------------------------------------------------------------

    def _absorb(self, side: Side, output: Output, events: list[RefereeEvent], *, by_player: bool = False) -> None:
        self._ladder_entries(side, output, events, by_player=by_player)
        for event in output.events:
            if isinstance(event, tls_events.StateChanged):
                events.append(StateChanged(side, event.old, event.new, ""))
            elif isinstance(event, SecretDerived) and side is self.player:
                learned = SecretLearned(side, event.name, event.value, event.inputs, event.formula, event.section)
                self.secrets.append(learned)
                events.append(learned)
            elif isinstance(event, tls_events.AlertSent):
                events.append(Narration(f"The {side.value} refuses: {event.description.name}. {event.reason}"))
            elif isinstance(event, tls_events.ApplicationDataReceived):
                events.append(Narration(f"The {side.value}'s application received {event.data[:60]!r}."))
            elif isinstance(event, tls_events.HandshakeComplete):
                events.append(Narration(f"The {side.value}'s handshake is complete: {CipherSuite(event.cipher_suite).name}."))
        self.world.post(side, output.data, events)

    def _ladder_entries(self, side: Side, output: Output, events: list[RefereeEvent], *,
                        role: EntryRole = EntryRole.NORMAL, by_player: bool = False) -> None:
        """One arrow per message; the records that carried it (RecordSent events follow
        their MessageSent) are its bytes on the wire."""
        sent: list[tuple[tls_events.MessageSent, list[bytes]]] = []
        for event in output.events:
            if isinstance(event, tls_events.MessageSent):
                sent.append((event, []))
            elif isinstance(event, tls_events.RecordSent) and sent:
                sent[-1][1].append(event.raw)
        notes = {EntryRole.MISTAKE: "your mistake", EntryRole.REACTION: "reaction to your mistake"}
        for event, records in sent:
            message = event.message
            entry = LadderEntry(
                index=len(self.ladder),
                sender=side,
                kind=_kind(message),
                summary=message.summary(),
                raw=event.raw,
                fields=LazyByteMap(message.byte_map) if hasattr(message, "byte_map") else (),
                time=0.0,
                role=role,
                by_player=by_player or role is EntryRole.MISTAKE,
                note=notes.get(role, ""),
                protected_by=event.protected_by,
                wire=b"".join(records),
            )
            self.ladder.append(entry)
            events.append(MessageSent(entry))


def _kind(message: object) -> str:
    if isinstance(message, ServerHello) and message.is_hello_retry_request:
        return "HelloRetryRequest"
    if isinstance(message, AlertMessage):
        return "Alert"
    return type(message).__name__.removesuffix("12")  # Certificate12 is the TLS 1.2 Certificate


__all__ = ["TlsGame"]
