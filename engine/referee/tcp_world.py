"""The simulated network of a TCP level: two real endpoints, the wire between them, a clock.

The world knows nothing of players or scores. It can tell what happens next (a segment
arriving, an application call, a timer firing) and apply it to an endpoint. The referee
decides whether that endpoint is the player's, in which case the player must make the
move the endpoint is about to make.
"""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass, field

from engine.levels.model import Host, ScriptStep, TcpLevel
from engine.referee.types import Side
from engine.rng import SeededRandom
from engine.tcp.endpoint import Address, Endpoint, EndpointConfig, Output
from engine.tcp.events import UserCallRejected
from engine.tcp.segment import Segment

EPHEMERAL_PORTS = (49152, 65535)
MAX_HAPPENINGS = 10_000


class ScenarioError(Exception):
    """The level's scenario cannot be played (it never settles, or an app call is refused)."""


class IsnSource:
    """Initial sequence numbers for one side: the level's fixed ISN, or seeded draws.

    A class rather than a closure so that forking an endpoint (copy.deepcopy) forks the
    random stream too: a move tried on a fork never shifts the real game's numbers.
    """

    def __init__(self, fixed: int | None, rng: SeededRandom) -> None:
        self.fixed = fixed
        self.rng = rng

    def __call__(self) -> int:
        return self.fixed if self.fixed is not None else self.rng.uint32()


@dataclass(frozen=True)
class Arrival:
    """A segment reaches `receiver`."""

    receiver: Side
    segment: Segment


@dataclass(frozen=True)
class AppCall:
    """`side`'s application calls listen(), connect(), send(), close() or abort()."""

    side: Side
    step: ScriptStep


@dataclass(frozen=True)
class TimerFired:
    """A timer of `side`'s endpoint is due (retransmission, TIME-WAIT)."""

    side: Side


Happening = Arrival | AppCall | TimerFired


@dataclass
class Flight:
    sender: Side
    segment: Segment
    arrive_at: float


@dataclass
class TcpWorld:
    level: TcpLevel
    seed: int
    endpoints: dict[Side, Endpoint] = field(init=False)
    addresses: dict[Side, Address] = field(init=False)
    now: float = 0.0
    wire: list[Flight] = field(default_factory=list)
    script: list[ScriptStep] = field(init=False)
    sent_counts: dict[tuple[Side, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rng = SeededRandom(self.seed, self.level.id)
        scenario = self.level.scenario
        hosts = {Side.CLIENT: scenario.client, Side.SERVER: scenario.server}
        self.addresses = {
            side: Address(host.ip, host.port or rng.child(f"{side.value}.port").randint(*EPHEMERAL_PORTS))
            for side, host in hosts.items()
        }
        self.endpoints = {
            side: Endpoint(
                side.value,
                self._config(side, host),
                IsnSource(host.isn, rng.child(f"{side.value}.isn")),
            )
            for side, host in hosts.items()
        }
        self.script = list(scenario.script)

    def _config(self, side: Side, host: Host) -> EndpointConfig:
        return EndpointConfig(
            local=self.addresses[side],
            remote=self.addresses[side.other],
            mss=host.mss,
            window=host.window,
            window_scale=host.window_scale,
            sack_permitted=host.sack_permitted,
            msl=self.level.scenario.msl_seconds,
        )

    @property
    def delay(self) -> float:
        return self.level.scenario.one_way_delay_ms / 1000

    def ip(self, side: Side) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        return self.addresses[side].ip

    # --- what happens next ----------------------------------------------------------

    def next_happening(self) -> Happening | None:
        """The next thing to happen, in time order; application calls wait for a quiet wire
        (unless marked `together`)."""
        if self.script and (not self.wire or self.script[0].together):
            step = self.script.pop(0)
            return AppCall(step.side, step)
        timer = self._earliest_timer()
        if self.wire and (timer is None or self.wire[0].arrive_at <= timer[1]):
            flight = self.wire.pop(0)
            self.now = max(self.now, flight.arrive_at)
            return Arrival(flight.sender.other, flight.segment)
        if timer is not None:
            self.now = max(self.now, timer[1])
            return TimerFired(timer[0])
        return None

    def _earliest_timer(self) -> tuple[Side, float] | None:
        deadlines = [
            (side, deadline)
            for side, endpoint in self.endpoints.items()
            if (deadline := endpoint.next_deadline()) is not None
        ]
        return min(deadlines, key=lambda item: item[1], default=None)

    def apply(self, happening: Happening, endpoint: Endpoint) -> Output:
        """Apply a happening to an endpoint (the real one, or a fork of it)."""
        if isinstance(happening, Arrival):
            return endpoint.receive(happening.segment, self.now)
        if isinstance(happening, TimerFired):
            return endpoint.poll(self.now)
        output = _call(endpoint, happening.step, self.now)
        for event in output.events:
            if isinstance(event, UserCallRejected):
                raise ScenarioError(
                    f"the {happening.side.value}'s {happening.step.action}() is refused in "
                    f"{endpoint.state.value}: {event.reason}"
                )
        return output

    # --- the wire ----------------------------------------------------------------------

    def transmit(self, sender: Side, segment: Segment) -> bool:
        """Put a segment on the wire; False if a level fault loses it."""
        kind = segment.kind.value
        count = self.sent_counts.get((sender, kind), 0) + 1
        self.sent_counts[(sender, kind)] = count
        lost = any(
            fault.sender is sender and fault.drop == kind and fault.nth == count
            for fault in self.level.scenario.faults
        )
        if not lost:
            self.wire.append(Flight(sender, segment, self.now + self.delay))
        return not lost

    def encode(self, sender: Side, segment: Segment) -> bytes:
        return segment.encode(self.ip(sender), self.ip(sender.other))

    def fork_endpoint(self, side: Side) -> Endpoint:
        return copy.deepcopy(self.endpoints[side])


def _call(endpoint: Endpoint, step: ScriptStep, now: float) -> Output:
    if step.action == "listen":
        return endpoint.open_passive(now)
    if step.action == "connect":
        return endpoint.open_active(now)
    if step.action == "send":
        return endpoint.send((step.data or "").encode(), now)
    if step.action == "close":
        return endpoint.close(now)
    return endpoint.abort(now)
