"""TCP for bytes that had none: two of the engine's real TCP endpoints carry them.

A TLS level plays TLS alone, and a TCP-then-TLS level stops when TLS closes. For the
capture, `TcpCarrier` opens a real connection (three-way handshake), hands each TLS flight
to the sender's TCP, runs the wire until every segment is delivered and acknowledged, and
closes with FINs: every sequence number, acknowledgement, option and checksum comes from
the engine's TCP (RFC 9293), none is written by hand.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from engine.export.capture import Packet
from engine.rng import SeededRandom
from engine.side import Side
from engine.tcp.endpoint import Address, Endpoint, EndpointConfig
from engine.tcp.segment import Segment
from engine.tcp.states import State

__all__ = ["CarrierError", "TcpCarrier"]

MAX_DELIVERIES = 10_000


class CarrierError(Exception):
    """The carrying TCP did not settle (a bug, never a player's doing)."""


@dataclass
class _Flight:
    arrive_at: float
    sender: Side
    segment: Segment


@dataclass
class TcpCarrier:
    endpoints: dict[Side, Endpoint]
    addresses: dict[Side, Address]
    now: float
    delay: float  # one way, seconds
    comment: str = ""  # written on every packet this carrier makes
    packets: list[Packet] = field(default_factory=list)
    _wire: list[_Flight] = field(default_factory=list)

    @classmethod
    def fresh(cls, client: Address, server: Address, rng: SeededRandom, delay: float, comment: str) -> TcpCarrier:
        """Two new endpoints, ISNs drawn from `rng`."""
        addresses = {Side.CLIENT: client, Side.SERVER: server}
        endpoints = {
            side: Endpoint(side.value, EndpointConfig(local=addresses[side], remote=addresses[side.other]),
                           rng.child(f"{side.value}.isn").uint32)
            for side in Side
        }
        return cls(endpoints, addresses, 0.0, delay, comment)

    def connect(self) -> None:
        self.endpoints[Side.SERVER].open_passive(self.now)
        self._put(Side.CLIENT, self.endpoints[Side.CLIENT].open_active(self.now).segments)
        self._run()
        self._require_state(State.ESTABLISHED)

    def send(self, sender: Side, data: bytes) -> None:
        """One flight: all of it delivered and acknowledged before this returns."""
        self._put(sender, self.endpoints[sender].send(data, self.now).segments)
        self._run()
        self.now += self.delay  # the next flight leaves once this one has landed

    def close(self, first: Side) -> None:
        """`first` closes, the other closes on reading its FIN: FIN, ACK, FIN, ACK."""
        for side in (first, first.other):
            self._put(side, self.endpoints[side].close(self.now).segments)
            self._run()

    def _require_state(self, state: State) -> None:
        for side, endpoint in self.endpoints.items():
            if endpoint.state is not state:
                raise CarrierError(f"the carrying TCP's {side.value} is {endpoint.state.value}, not {state.value}")

    def _ip(self, side: Side) -> ipaddress.IPv4Address:
        ip = self.addresses[side].ip
        if not isinstance(ip, ipaddress.IPv4Address):
            raise CarrierError(f"the capture frames IPv4 only, not {ip}")
        return ip

    def _put(self, sender: Side, segments: list[Segment]) -> None:
        for segment in segments:
            src, dst = self._ip(sender), self._ip(sender.other)
            self.packets.append(Packet(self.now, src, dst, segment.encode(src, dst), self.comment))
            self._wire.append(_Flight(self.now + self.delay, sender, segment))

    def _run(self) -> None:
        """Deliver until the wire is empty; each receiver's answers go back on it."""
        for _ in range(MAX_DELIVERIES):
            if not self._wire:
                return
            flight = min(self._wire, key=lambda f: f.arrive_at)
            self._wire.remove(flight)
            self.now = max(self.now, flight.arrive_at)
            receiver = self.endpoints[flight.sender.other]
            self._put(flight.sender.other, receiver.receive(flight.segment, self.now).segments)
            receiver.read()
        raise CarrierError(f"the carrying TCP never went quiet ({MAX_DELIVERIES} deliveries)")
