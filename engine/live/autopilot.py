"""The engine's TCP endpoint against the kernel with nobody at the controls.

`AutoPilot` runs an `Endpoint` on a `LiveWire`: everything the endpoint emits goes on the
wire at once, every segment the kernel sends is fed to it, its timers fire on the wire's
clock. `run_until(condition)` pumps until the condition holds. Used by the tests (the
engine and the kernel must agree on every segment) and to carry TLS for `live tls`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from engine.live.addresses import KERNEL_IP
from engine.live.wire import LiveWire, WireRecord
from engine.rng import SeededRandom
from engine.tcp.control import Address, EndpointConfig, Output
from engine.tcp.endpoint import Endpoint
from engine.tcp.events import EndpointEvent

__all__ = ["AutoPilot", "LiveTimeout", "live_config"]

MAX_WAIT = 0.05  # the longest single wait, so conditions on other threads are seen soon


class LiveTimeout(Exception):
    """The condition did not come true in time; the text says what was waited for."""


def live_config(local: Address, remote: Address | None) -> EndpointConfig:
    """The engine's settings against the kernel: the same four SYN options Linux offers
    (MSS, SACK-permitted, timestamps, window scale), so the kernel uses them all too."""
    return EndpointConfig(local=local, remote=remote, timestamps=True, msl=1.0)


@dataclass
class AutoPilot:
    wire: LiveWire
    endpoint: Endpoint
    events: list[EndpointEvent] = field(default_factory=list)
    received: bytearray = field(default_factory=bytearray)

    @classmethod
    def create(cls, wire: LiveWire, local: Address, remote: Address | None, seed: int = 1) -> AutoPilot:
        rng = SeededRandom(seed, "live.autopilot")
        return cls(wire, Endpoint(wire.engine_side.value, live_config(local, remote), rng.uint32))

    def apply(self, output: Output) -> None:
        """Send what a user call or an arrival produced; keep its events and data."""
        for segment in output.segments:
            self.wire.send(segment)
        self.events.extend(output.events)
        self.received += self.endpoint.read()

    def call(self, method: Callable[[float], Output]) -> None:
        """A user call (e.g. `pilot.call(pilot.endpoint.close)`), sent at once."""
        self.apply(method(self.wire.now()))

    def send(self, data: bytes) -> None:
        self.apply(self.endpoint.send(data, self.wire.now()))

    def step(self, wait: float) -> WireRecord | None:
        """Wait up to `wait` s for one kernel segment and feed it; fire due timers."""
        deadline = self.endpoint.next_deadline()
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - self.wire.now()))
        record = self.wire.receive(wait)
        if record is not None:
            self.apply(self.endpoint.receive(record.segment, self.wire.now(), src_ip=KERNEL_IP))
        deadline = self.endpoint.next_deadline()
        if deadline is not None and deadline <= self.wire.now():
            self.apply(self.endpoint.poll(self.wire.now()))
        return record

    def run_until(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        end = self.wire.now() + timeout
        while not condition():
            left = end - self.wire.now()
            if left <= 0:
                raise LiveTimeout(f"waited {timeout:g} s for {what}; the endpoint is "
                                  f"{self.endpoint.state.value}")
            self.step(min(MAX_WAIT, left))
