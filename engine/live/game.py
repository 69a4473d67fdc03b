"""The live TCP game: the player's endpoint is the engine's, the opponent is the Linux kernel.

It is `TcpGame` with the simulated peer replaced by the kernel across a TUN link. At the
player's turn the game has applied what happened (a kernel segment arrived, the player's
application called connect(), send(), close()) to a fork of the player's endpoint, so it
knows the segment the real endpoint sends now; the player's move is judged against it by
the offline rules and explanations (`tcp_explain`). A right move goes to the kernel. The
kernel cannot be forked to try a wrong move on, and its connection cannot be rewound, so a
wrong move reaches it only when the kernel must refuse it without changing state (wrong
numbers in an ACK or SYN-ACK: it answers RST or ACK, shown as its reaction); any other
wrong move is judged and shown, but kept back.

The kernel's side runs a real socket service (echo server, or a connect()), whose calls
and results are kept in `kernel_calls`. While the player thinks, `pump()` reads the wire:
the kernel's retransmissions go on the ladder as they happen.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

from engine.bytemap import LazyByteMap
from engine.levels.model import ScriptStep, TurnSpec
from engine.live.addresses import KERNEL_IP
from engine.live.autopilot import live_config
from engine.live.kernel import Connector, EchoServer, KernelCall, KernelService
from engine.live.wire import ENGINE_PORT, LiveWire, WireRecord, engine_address, kernel_address
from engine.referee import tcp_explain as explain
from engine.referee import tcp_moves as moves
from engine.referee.game import GameTurn
from engine.referee.tcp_game import TcpTurn, solution_move
from engine.referee.tcp_world import AppCall, Arrival, Happening, IsnSource, TimerFired
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
from engine.rng import SeededRandom
from engine.side import Side
from engine.tcp.endpoint import Endpoint, Output
from engine.tcp.events import ConnectionRefused, ConnectionReset, ConnectionTimedOut, DataReceived, PeerClosed
from engine.tcp.segment import (
    Flag,
    IPAddress,
    MaxSegmentSize,
    SackPermitted,
    Segment,
    SegmentKind,
    TcpOption,
    Timestamps,
    WindowScale,
)
from engine.tcp.states import State

__all__ = ["CLIENT_DATA", "GREETING", "LiveTcpGame", "SERVER_REPLY"]

CLIENT_DATA = b"hello, kernel\n"
GREETING = b"hello from the kernel\n"
SERVER_REPLY = b"hello, kernel: nice to meet you\n"
ASKED = ["ack"]  # every turn asks for the ack number: it must be worked out from the kernel's
WAIT_SLICE = 0.05
KERNEL_PATIENCE = 15.0  # waiting for the kernel this long with nothing coming ends the game
PLAYER_PATIENCE = 180.0  # a turn left alone this long ends the game (the kernel gave up long ago)
CLOSED_STATES = (State.TIME_WAIT, State.CLOSED)
KERNEL_LAST_CALLS = 1.0
REACTION_WINDOW = 0.3  # how long a wrong segment's answer is waited for (the kernel answers at once)
# Mistakes that can go to the kernel: the right kind with wrong numbers. A pure ACK or a
# SYN-ACK carries no data and no FIN, and an unacceptable one is answered (RST or ACK) and
# dropped without a state change (RFC 9293 §3.10.7, RFC 5961).
SENDABLE_MISTAKES = ("ACK", "SYN-ACK")  # how long the end waits for the kernel side's last socket calls


@dataclass
class _AppStep:
    """The player's application: a call, once its condition holds."""

    action: str
    data: bytes = b""
    done: bool = False


@dataclass
class LiveTcpGame:
    player: Side
    port: int
    closed_port: bool = False
    seed: int = 1
    ladder: list[LadderEntry] = field(default_factory=list)
    secrets: list[SecretLearned] = field(default_factory=list)  # TCP has no keys
    kernel_calls: list[KernelCall] = field(default_factory=list)
    over: bool = False
    ending: str = ""
    # For TLS on top: open the connection, then hand over (advance returns None) once
    # it is ESTABLISHED and no TCP move is due.
    hand_over_when_established: bool = False

    def __post_init__(self) -> None:
        self.wire = LiveWire(self.player)
        rng = SeededRandom(self.seed, "live.tcp")
        if self.player is Side.CLIENT:
            local, remote = engine_address(ENGINE_PORT), kernel_address(self.port)
            self.script = [_AppStep("connect")]
            if not self.hand_over_when_established:
                self.script += [_AppStep("send", CLIENT_DATA), _AppStep("close")]
        else:
            local, remote = engine_address(self.port), None
            self.script = [_AppStep("listen"), _AppStep("send", SERVER_REPLY), _AppStep("close")]
        self.addresses = {self.player: local, self.player.other: remote}
        self.endpoint = Endpoint(self.player.value, live_config(local, remote), IsnSource(None, rng.child("isn")))
        self.service: KernelService | None = None
        self._turn_count = 0
        self._next: GameTurn | None = None
        self._queued: list[WireRecord] = []  # kernel segments that arrived during a turn
        self._received = bytearray()
        self._peer_closed = False
        self._last_received: Segment | None = None
        self._last_sent: Segment | None = None
        self._turn_started = 0.0
        self._explained_options = False

    def start_kernel(self) -> None:
        """The kernel's socket service: an echo server to connect to (player = client,
        unless the port is to be closed), or a connect() to the player's port."""
        sock = self.wire.namespace.sockets[0]
        if self.player is Side.CLIENT:
            if not self.closed_port:
                self.service = EchoServer(sock, self.port).start()
        else:
            self.service = Connector(sock, self.port, GREETING).start()

    def close(self) -> None:
        if self.service is not None:
            self.service.stop()
        self.wire.close()

    # --- the Game interface --------------------------------------------------------

    def advance(self, events: list[RefereeEvent]) -> GameTurn | None:
        while True:
            self.collect_kernel_calls(events)
            if self._next is not None:
                turn, self._next = self._next, None
                self._turn_started = self.wire.now()
                return turn
            if self.over:
                return None
            if self.hand_over_when_established and self.endpoint.state is State.ESTABLISHED and not self._queued:
                return None
            happening = self._next_happening(events)
            if happening is not None:
                self._offer_or_commit(happening, events)

    def judge(self, turn: GameTurn, move: Move, values: dict[str, int | str]) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TcpTurn = turn.detail
        expected = detail.remaining[0] if detail.remaining else None
        wrong = explain.wrong_fields(move.key, values, expected)
        if move.key == (expected.kind.value if expected else moves.WAIT) and not wrong:
            return self._accept(turn, expected)
        return self._reject(turn, move.key, values, expected, wrong)

    def sides(self) -> tuple[SideView, SideView]:
        kernel_state = self.service.state() if self.service else "CLOSED: nothing listens"
        views = {
            self.player: SideView(self.player, self.endpoint.state.value, self._address(self.player), True),
            self.player.other: SideView(self.player.other, kernel_state,
                                        f"Linux {self._address(self.player.other)}", False),
        }
        return views[Side.CLIENT], views[Side.SERVER]

    def solution(self, turn: GameTurn) -> Move:
        return solution_move(turn)

    def generated_hint(self, level: int, turn: GameTurn) -> str:
        return explain.generated_hint(level, turn, self.player)

    # --- while the player thinks ----------------------------------------------------

    def pump(self) -> list[RefereeEvent]:
        """Read what the kernel sent meanwhile: every segment goes on the ladder at once.
        A retransmission is answered by the player's coming move; a new segment is handed
        to the player's endpoint once this turn is over."""
        events: list[RefereeEvent] = []
        self.collect_kernel_calls(events)
        while (record := self.wire.receive(0.0)) is not None:
            note = ""
            if record.retransmission:
                note = f"kernel retransmission: no answer for {record.at - self._turn_started:.1f} s"
            else:
                self._queued.append(record)  # on the ladder now; the endpoint takes it after the turn
            events.append(self.record(record.sender, record.segment, record.raw, note=note))
        if self.wire.now() - self._turn_started > PLAYER_PATIENCE:
            self.end(events, f"You left the kernel waiting {PLAYER_PATIENCE:.0f} s: it retransmitted, "
                              "doubling its timeout each time, and gives up in the end. The game is over.")
        return events

    # --- what happens next ----------------------------------------------------------

    def _next_happening(self, events: list[RefereeEvent]) -> Happening | None:
        step = self._due_step()
        if step is not None:
            step.done = True
            return AppCall(self.player, ScriptStep(side=self.player, action=step.action,  # type: ignore[arg-type]
                                                   data=step.data.decode() or None))
        if self.endpoint.state in CLOSED_STATES and self._opened():
            self.finish(events)
            return None
        if self._queued:
            return Arrival(self.player, self._queued.pop(0).segment)
        return self._wait(events)

    def _opened(self) -> bool:
        return self.script[0].done

    def _due_step(self) -> _AppStep | None:
        step = next((s for s in self.script if not s.done), None)
        if step is None:
            return None
        state = self.endpoint.state
        due = {
            "connect": True,
            "listen": True,
            "send": state in (State.ESTABLISHED, State.CLOSE_WAIT) and (
                self.player is Side.CLIENT or bool(self._received)),
            "close": state in (State.ESTABLISHED, State.CLOSE_WAIT) and (
                bytes(self._received) == CLIENT_DATA if self.player is Side.CLIENT else self._peer_closed),
        }[step.action]
        return step if due else None

    def _wait(self, events: list[RefereeEvent]) -> Happening | None:
        """Block (in short slices) for the kernel's next segment or our next timer."""
        started = self.wire.now()
        while self.wire.now() - started < KERNEL_PATIENCE:
            deadline = self.endpoint.next_deadline()
            if deadline is not None and deadline <= self.wire.now():
                return TimerFired(self.player)
            record = self.wire.receive(WAIT_SLICE)
            if record is not None:
                events.append(self.record(record.sender, record.segment, record.raw,
                                           note="kernel retransmission" if record.retransmission else ""))
                return Arrival(self.player, record.segment)
            self.collect_kernel_calls(events)
            if self.over:
                return None
        self.end(events, f"The kernel sent nothing for {KERNEL_PATIENCE:.0f} s while your endpoint "
                          f"waited in {self.endpoint.state.value}. The game is over.")
        return None

    def _offer_or_commit(self, happening: Happening, events: list[RefereeEvent]) -> None:
        if isinstance(happening, Arrival):
            if self.addresses[self.player.other] is None:  # the kernel's port, from its SYN
                self.addresses[self.player.other] = kernel_address(happening.segment.src_port)
            if happening.segment.seg_len:
                self._last_received = happening.segment
            self._explain_options(happening.segment, events)
        fork = copy.deepcopy(self.endpoint)
        output = self._apply(happening, fork)
        if not output.segments:
            events.extend(self._commit(fork, output))
            return
        self._open_turn(TcpTurn(happening, fork, output, list(output.segments)))

    def _apply(self, happening: Happening, endpoint: Endpoint) -> Output:
        now = self.wire.now()
        if isinstance(happening, Arrival):
            return endpoint.receive(happening.segment, now, src_ip=KERNEL_IP)
        if isinstance(happening, TimerFired):
            return endpoint.poll(now)
        step = happening.step
        calls = {
            "connect": endpoint.open_active,
            "listen": endpoint.open_passive,
            "close": endpoint.close,
        }
        if step.action == "send":
            return endpoint.send((step.data or "").encode(), now)
        return calls[step.action](now)

    def _open_turn(self, detail: TcpTurn) -> None:
        self._turn_count += 1
        first = detail.remaining[0]
        self._next = GameTurn(
            self._turn_count,
            explain.prompt(detail.happening, self.player, self, first),  # type: ignore[arg-type]
            moves.options_for(self.endpoint.state, first.kind.value, ASKED),
            TurnSpec(move=first.kind.value, ask=ASKED),  # type: ignore[arg-type]
            detail,
        )

    @property
    def turns_played(self) -> int:
        return self._turn_count

    @property
    def now(self) -> float:  # what `tcp_explain.prompt` reads of a world
        return self.wire.now()

    def _commit(self, fork: Endpoint, output: Output) -> list[RefereeEvent]:
        old = self.endpoint.state
        self.endpoint = fork
        for event in output.events:
            if isinstance(event, DataReceived):
                self._received += event.data
            elif isinstance(event, PeerClosed):
                self._peer_closed = True
            elif isinstance(event, ConnectionRefused):
                self.over = True
                self.ending = (f"The kernel refused: no socket listens on {KERNEL_IP}:{self.port}, so it "
                               "answered your SYN with RST, and a program calling connect() there gets "
                               "ECONNREFUSED. The game is over.")
            elif isinstance(event, (ConnectionReset, ConnectionTimedOut)):
                self.over = True
                self.ending = f"The connection is over: {event.reason} ({event.section})."
        events: list[RefereeEvent] = [Narration(line) for line in explain.narration(self.player, output)]
        if fork.state != old:
            events.append(StateChanged(self.player, old.value, fork.state.value, explain.state_reason(output)))
        if self.over:
            events.append(Narration(self.ending))
        return events

    # --- judging ---------------------------------------------------------------------

    def _accept(self, turn: GameTurn, expected: Segment | None) -> tuple[Judgement, list[RefereeEvent]]:
        detail: TcpTurn = turn.detail
        events: list[RefereeEvent] = []
        if detail.happening is not None:
            self._replay_now(detail)
            expected = detail.remaining[0] if detail.remaining else None
            events.extend(self._commit(detail.fork, detail.output))
            detail.happening = None
        judgement = explain.right_move(turn, expected, self.player, self)  # type: ignore[arg-type]
        if expected is not None:
            record = self.wire.send(expected)
            events.append(self.record(self.player, expected, record.raw, by_player=True))
            if expected.seg_len:
                self._last_sent = expected
            detail.remaining.pop(0)
        if detail.remaining:
            self._open_turn(TcpTurn(None, detail.fork, detail.output, detail.remaining))
        return judgement, events

    def _replay_now(self, detail: TcpTurn) -> None:
        """Apply the turn's happening again at the moment of the move: the real endpoint
        acts now, not when the turn was offered, so its timers start now (and its
        timestamps read now). Same ISN (the fork copies the seeded source), same numbers."""
        assert detail.happening is not None
        fork = copy.deepcopy(self.endpoint)
        output = self._apply(detail.happening, fork)
        detail.fork, detail.output, detail.remaining = fork, output, list(output.segments)

    def _reject(
        self, turn: GameTurn, key: str, values: dict[str, int | str], expected: Segment | None, wrong: list[str]
    ) -> tuple[Judgement, list[RefereeEvent]]:
        events: list[RefereeEvent] = []
        reaction = "You sent nothing, so nothing happens on the wire."
        if key != moves.WAIT:
            detail: TcpTurn = turn.detail
            template = expected or self._idle_segment(detail.fork)
            mistake = moves.build_segment(key, values, template)
            if expected is not None and _harmless(key, expected):
                # Only the numbers are wrong: the same segment, options included, with the
                # player's numbers. The kernel refuses it without changing state, so it goes.
                mistake = replace(mistake, options=expected.options)
                record = self.wire.send(mistake)
                events.append(self.record(self.player, mistake, record.raw, role=EntryRole.MISTAKE,
                                          by_player=True, note="your mistake, sent to the kernel"))
                reaction = self._kernel_reaction(events)
            else:
                raw = mistake.encode(self.wire_ip(self.player), self.wire_ip(self.player.other))
                events.append(self.record(self.player, mistake, raw, role=EntryRole.MISTAKE, by_player=True,
                                          note="your mistake: kept back, not sent"))
                reaction = ("Live mode keeps this mistake back: it would change the real connection "
                            "(a kernel cannot be rewound), so only right moves and wrong numbers in "
                            "an ACK or SYN-ACK reach it. Try again.")
        judgement = explain.wrong_move(key, values, expected, wrong, turn, self.player,
                                       self._last_received, self._last_sent, reaction)
        return judgement, events

    def _kernel_reaction(self, events: list[RefereeEvent]) -> str:
        """What the kernel sends within REACTION_WINDOW of a wrong segment: its RSTs and
        ACKs are the reaction; anything else (data, FIN, retransmissions) goes on as usual."""
        answers: list[str] = []
        end = self.wire.now() + REACTION_WINDOW
        while (left := end - self.wire.now()) > 0:
            record = self.wire.receive(left)
            if record is None:
                break
            segment = record.segment
            if Flag.RST in segment.flags or (segment.kind is SegmentKind.ACK and not record.retransmission):
                events.append(self.record(record.sender, segment, record.raw, role=EntryRole.REACTION,
                                          note="the kernel's reaction to your mistake"))
                answers.append(segment.summary())
            else:
                self._queued.append(record)
                events.append(self.record(record.sender, segment, record.raw))
        state = self.service.state() if self.service else "CLOSED"
        if not answers:
            return f"The real Linux kernel dropped it without a word; its socket is still {state}."
        return (f"The real Linux kernel answered {'; '.join(answers)}, and its socket is still {state}: "
                "a refused segment changes nothing.")

    def _idle_segment(self, endpoint: Endpoint) -> Segment:
        local = self.addresses[self.player]
        remote = endpoint.remote or self.addresses[self.player.other]
        assert local is not None and remote is not None
        return Segment(local.port, remote.port, endpoint.snd_nxt, endpoint.rcv_nxt, Flag.ACK, endpoint.rcv_wnd)

    # --- the ladder and the kernel's view --------------------------------------------

    def wire_ip(self, side: Side) -> IPAddress:
        local = self.addresses[self.player]
        return local.ip if side is self.player and local is not None else KERNEL_IP

    def _address(self, side: Side) -> str:
        if side is self.player:
            address = self.addresses[side]
            return f"{address.ip}:{address.port}" if address else ""
        remote = self.addresses[side]
        return f"{remote.ip}:{remote.port}" if remote else str(KERNEL_IP)

    def record(self, sender: Side, segment: Segment, raw: bytes, *, role: EntryRole = EntryRole.NORMAL,
                by_player: bool = False, note: str = "") -> MessageSent:
        entry = LadderEntry(
            index=len(self.ladder), sender=sender, kind=segment.kind.value, summary=segment.summary(),
            raw=raw, fields=LazyByteMap(segment.byte_map), time=self.wire.now(), role=role,
            by_player=by_player, note=note,
        )
        self.ladder.append(entry)
        return MessageSent(entry)

    def collect_kernel_calls(self, events: list[RefereeEvent]) -> None:
        if self.service is None:
            return
        for call in self.service.drain():
            self.kernel_calls.append(call)
            events.append(Narration(f"kernel: {call.line()}"))
            if call.final and "close()" not in call.call:
                self.end(events, f"The kernel's {call.call} failed: {call.result}.")

    def _explain_options(self, segment: Segment, events: list[RefereeEvent]) -> None:
        """The kernel's SYN options, in words, the first time they arrive."""
        if Flag.SYN not in segment.flags or self._explained_options or Flag.RST in segment.flags:
            return
        self._explained_options = True
        words = [text for option in segment.options if (text := _option_words(option))]
        if words:
            events.append(Narration(f"The kernel's {segment.kind.value} offers: " + "; ".join(words) + "."))

    def finish(self, events: list[RefereeEvent]) -> None:
        if self.service is not None:  # its last calls (recv() of our FIN, close()) come next
            self.service.done.wait(KERNEL_LAST_CALLS)
            self.collect_kernel_calls(events)
        words = "TIME-WAIT: it waits 2 MSL before forgetting the connection" if (
            self.endpoint.state is State.TIME_WAIT) else "CLOSED"
        self.end(events, f"Connection closed. Your endpoint is {words}; the kernel's socket is "
                          f"{self.service.state() if self.service else 'gone'}.")

    def end(self, events: list[RefereeEvent], text: str) -> None:
        if not self.over:
            self.over = True
            self.ending = text
            events.append(Narration(text))


def _harmless(key: str, expected: Segment) -> bool:
    return key == expected.kind.value and key in SENDABLE_MISTAKES


def _option_words(option: TcpOption) -> str:
    """What a SYN option offers, in words ("" for one not worth a word here)."""
    if isinstance(option, MaxSegmentSize):
        return f"MSS {option.mss} (the largest segment it wants to receive)"
    if isinstance(option, SackPermitted):
        return "SACK permitted (it can acknowledge blocks out of order, RFC 2018)"
    if isinstance(option, Timestamps):
        return f"timestamps TSval={option.value} (RTT measurement and PAWS, RFC 7323)"
    if isinstance(option, WindowScale):
        return f"window scale {option.shift} (its windows count in units of 2^{option.shift} bytes, RFC 7323)"
    return ""
