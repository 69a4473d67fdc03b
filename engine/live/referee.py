"""The referee for a live game: the offline referee (turns, hints, score) over `LiveTcpGame`.

A live game has no level file; `live_level` describes it in the same model, so the score,
hints and header work as they do offline. `LiveReferee.pump()` is for the UI's timer: the
kernel's retransmissions while the player thinks, and the end of the game if it gave up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from engine.levels.model import Level, Scoring, StackLevel, TcpLevel
from engine.live.game import LiveTcpGame
from engine.live.tls_game import LiveTlsGame
from engine.live.wire import ENGINE_PORT
from engine.referee.referee import Referee, _Tally
from engine.referee.types import LevelOver, RefereeEvent
from engine.side import Side

__all__ = ["LiveOptions", "LiveReferee", "live_level"]

DEFAULT_PORTS = {Side.CLIENT: 7, Side.SERVER: 8080}  # echo; an alternative HTTP port
TLS_PORT = 443
CLOSED_PORT = 9  # discard: nothing listens there in the namespace


@dataclass(frozen=True)
class LiveOptions:
    role: Side = Side.CLIENT
    port: int | None = None
    closed_port: bool = False
    seed: int = 1
    tls: bool = False  # TCP, then TLS against OpenSSL on the kernel's socket (client only)
    tls_version: str | None = None  # "1.2" or "1.3"; None: the client offers both

    @property
    def protocol(self) -> str:
        if not self.tls:
            return "tcp"
        return "tcp+tls12" if self.tls_version == "1.2" else "tcp+tls13"

    @property
    def chosen_port(self) -> int:
        if self.port is not None:
            return self.port
        if self.tls:
            return TLS_PORT
        return CLOSED_PORT if self.closed_port else DEFAULT_PORTS[self.role]

    @property
    def title(self) -> str:
        if self.tls:
            return "TLS with OpenSSL on Linux"
        if self.closed_port:
            return "A closed port on Linux"
        return "Linux listens, you connect" if self.role is Side.CLIENT else "Linux connects to you"


def live_level(options: LiveOptions) -> Level:
    """The live game in the level model (role, title, goal, scoring) for the referee and UI."""
    port = options.chosen_port
    if options.tls:
        goal = (f"OpenSSL (Python's ssl) waits on the Linux kernel's socket at 192.0.2.1:{port}. Open TCP "
                "segment by segment, then play the TLS client message by message, send a line, read the "
                "echo and close with close_notify.")
    elif options.closed_port:
        goal = (f"Send a SYN to 192.0.2.1:{port}, where nothing listens, and see what the real Linux "
                "kernel answers.")
    elif options.role is Side.CLIENT:
        goal = (f"The Linux kernel listens on 192.0.2.1:{port} with an echo service. Open the connection, "
                "send your data, acknowledge the echo and close. Every ack is yours to work out.")
    else:
        goal = (f"A program on the Linux kernel calls connect() to you at 192.0.2.2:{port}. Accept, "
                "acknowledge its greeting and its half-close, answer, and close.")
    engine_port = port if options.role is Side.SERVER else ENGINE_PORT
    hosts = {"client": {"ip": "192.0.2.2", "port": engine_port}, "server": {"ip": "192.0.2.1", "port": port}}
    if options.role is Side.SERVER:
        hosts = {"client": {"ip": "192.0.2.1"}, "server": {"ip": "192.0.2.2", "port": port}}
    script = [{"side": options.role.value, "action": "connect" if options.role is Side.CLIENT else "listen"}]
    fields: dict[str, object] = {
        "id": f"live-{options.role.value}" + ("-closed" if options.closed_port else "") + ("-tls" if options.tls else ""),
        "title": options.title,
        "chapter": "Live",
        "order": 0,
        "role": options.role.value,
        "goal": goal,
        "debrief": "Every segment on the other side came from the real Linux TCP stack.",
        "seed": options.seed,
        "protocol": options.protocol,
        "scoring": Scoring(par_seconds=300).model_dump(),
    }
    if options.tls:
        return StackLevel.model_validate(fields | {
            "tcp": {"script": script, **hosts},
            "turns": [{"move": "SYN"}, {"move": "ClientHello"}],
        })
    return TcpLevel.model_validate(fields | {
        "scenario": {"script": script, **hosts},
        "turns": [{"move": "SYN" if options.role is Side.CLIENT else "SYN-ACK"}],
    })


class LiveReferee(Referee):
    """`Referee` with the live game in place of the level's simulated world."""

    def __init__(self, options: LiveOptions, clock: Callable[[], float] = time.monotonic) -> None:
        self.level = live_level(options)
        self.seed = options.seed
        self.player = options.role
        self.live: LiveTcpGame | LiveTlsGame
        if options.tls:
            assert isinstance(self.level, StackLevel)
            self.live = LiveTlsGame(self.level, options.chosen_port, options.tls_version, options.seed)
        else:
            self.live = LiveTcpGame(options.role, options.chosen_port, options.closed_port, options.seed)
        self.game = self.live
        self.finished = False
        self._clock = clock
        self._pending = None
        self._tally = _Tally()
        self.live.start_kernel()

    def pump(self) -> list[RefereeEvent]:
        if self.finished:
            return []
        events = self.live.pump()
        if self.live.over and not self.finished:
            self._pending = None
            self.finished = True
            self._tally.finished = self._clock()
            events.append(LevelOver(self.score(), self.level.debrief))
        return events

    def close(self) -> None:
        self.live.close()
