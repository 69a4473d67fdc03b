"""One live connection's wire: the namespace, the TUN link, a clock and the record of
every segment each way (the kernel's retransmissions marked as such).

The engine's `Endpoint` stays sans-I/O: whoever drives it (the autopilot, or the live
game for the player) hands its segments to `send` and feeds it what `receive` returns,
with `now()` as its time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.live.addresses import ENGINE_IP, KERNEL_IP
from engine.live.link import TunLink
from engine.live.namespace import LiveNamespace, open_namespace
from engine.side import Side
from engine.tcp.control import Address
from engine.tcp.segment import Segment

__all__ = ["ENGINE_PORT", "LiveWire", "WireRecord", "kernel_address", "engine_address"]

ENGINE_PORT = 40000  # the engine's port when it is the client (the kernel's when it connects)


def kernel_address(port: int) -> Address:
    return Address(KERNEL_IP, port)


def engine_address(port: int) -> Address:
    return Address(ENGINE_IP, port)


@dataclass(frozen=True)
class WireRecord:
    """A segment that crossed the wire: who sent it, its bytes, when, and whether it
    repeats one sent before (a retransmission)."""

    sender: Side  # the side the engine's endpoint is NOT is the kernel
    segment: Segment
    raw: bytes
    at: float
    retransmission: bool = False


@dataclass
class LiveWire:
    """The engine plays `engine_side`; the kernel plays the other side."""

    engine_side: Side
    sockets: int = 1
    namespace: LiveNamespace = field(init=False)
    link: TunLink = field(init=False)
    records: list[WireRecord] = field(default_factory=list)
    _start: float = field(default_factory=time.monotonic)
    _seen: set[tuple[Side, int, int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.namespace = open_namespace(self.sockets)
        self.link = TunLink(self.namespace.tun_fd)

    @property
    def kernel_side(self) -> Side:
        return self.engine_side.other

    def now(self) -> float:
        """Seconds since the wire opened: the time the engine's endpoint is given."""
        return time.monotonic() - self._start

    def send(self, segment: Segment) -> WireRecord:
        raw = self.link.send(segment)
        return self._record(self.engine_side, segment, raw)

    def receive(self, timeout: float) -> WireRecord | None:
        received = self.link.receive(timeout)
        if received is None:
            return None
        return self._record(self.kernel_side, received.segment, received.raw)

    def _record(self, sender: Side, segment: Segment, raw: bytes) -> WireRecord:
        key = (sender, segment.seq, segment.seg_len, int(segment.flags))
        repeated = segment.seg_len > 0 and key in self._seen
        self._seen.add(key)
        record = WireRecord(sender, segment, raw, self.now(), repeated)
        self.records.append(record)
        return record

    def close(self) -> None:
        self.namespace.close()

    def __enter__(self) -> LiveWire:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
