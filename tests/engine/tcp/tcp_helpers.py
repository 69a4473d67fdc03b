"""Shared helpers for the endpoint tests: a ConnectionPair (after h11's) that moves segments
between two real endpoints on a fake clock, and a builder for hand-made peer segments."""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine.tcp.endpoint import Address, Endpoint, EndpointConfig, Output
from engine.tcp.events import EndpointEvent
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import State

CLIENT = Address(ipaddress.IPv4Address("10.0.0.1"), 40000)
SERVER = Address(ipaddress.IPv4Address("10.0.0.2"), 443)
CLIENT_ISN = 1000
SERVER_ISN = 5000
PEER_ISN = 7000


class FixedIsn:
    """An ISN source that hands out the given numbers in order (and complains when empty)."""

    def __init__(self, *isns: int) -> None:
        self.isns = list(isns)

    def __call__(self) -> int:
        return self.isns.pop(0)


def client_endpoint(isn: int = CLIENT_ISN, **config: object) -> Endpoint:
    return Endpoint("client", EndpointConfig(local=CLIENT, remote=SERVER, **config),  # type: ignore[arg-type]
                    FixedIsn(isn, isn + 100_000))


def server_endpoint(isn: int = SERVER_ISN, **config: object) -> Endpoint:
    return Endpoint("server", EndpointConfig(local=SERVER, remote=CLIENT, **config),  # type: ignore[arg-type]
                    FixedIsn(isn, isn + 100_000))


def kind_of(segment: Segment) -> SegmentKind:
    """The ladder kind of a segment, from its flags (independent of Segment.kind)."""
    flags = segment.flags
    if Flag.RST in flags:
        return SegmentKind.RST_ACK if Flag.ACK in flags else SegmentKind.RST
    if Flag.SYN in flags:
        return SegmentKind.SYN_ACK if Flag.ACK in flags else SegmentKind.SYN
    if Flag.FIN in flags:
        return SegmentKind.FIN
    return SegmentKind.DATA if segment.payload else SegmentKind.ACK


def kinds(output: Output) -> list[SegmentKind]:
    return [kind_of(segment) for segment in output.segments]


def events_of(output: Output, cls: type) -> list[EndpointEvent]:
    return [event for event in output.events if isinstance(event, cls)]


def from_peer(endpoint: Endpoint, flags: Flag, seq: int, ack: int = 0, *, payload: bytes = b"",
              window: int = 64240, urgent: int = 0) -> Segment:
    """A segment from `endpoint`'s peer, addressed to `endpoint`."""
    remote = endpoint.remote or endpoint.config.remote
    assert remote is not None
    return Segment(src_port=remote.port, dst_port=endpoint.config.local.port, seq=seq % 2**32,
                   ack=ack % 2**32, flags=flags, window=window, urgent=urgent, payload=payload)


def snapshot(endpoint: Endpoint) -> dict[str, object]:
    """Everything an endpoint holds except its ISN source, for "nothing changed" checks."""
    return copy.deepcopy({k: v for k, v in vars(endpoint).items() if k != "_isn_source"})


@dataclass
class Sent:
    sender: str
    segment: Segment


@dataclass
class ConnectionPair:
    """A client and a server endpoint, the wire between them, and a fake clock."""

    client: Endpoint = field(default_factory=client_endpoint)
    server: Endpoint = field(default_factory=server_endpoint)
    now: float = 0.0
    trace: list[Sent] = field(default_factory=list)
    events: dict[str, list[EndpointEvent]] = field(
        default_factory=lambda: {"client": [], "server": []})

    def other(self, endpoint: Endpoint) -> Endpoint:
        return self.server if endpoint is self.client else self.client

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def record(self, endpoint: Endpoint, output: Output) -> Output:
        self.events[endpoint.name].extend(output.events)
        return output

    def deliver(self, receiver: Endpoint, segments: Iterable[Segment]) -> list[Segment]:
        """Hand `segments` to `receiver`; return what it sends back (not delivered)."""
        replies: list[Segment] = []
        for segment in segments:
            output = self.record(receiver, receiver.receive(segment, self.now))
            replies.extend(output.segments)
        return replies

    def pump(self, sender: Endpoint, output: Output) -> None:
        """Deliver `sender`'s segments and every reply they provoke until the wire is quiet."""
        self.record(sender, output)
        pending = [(sender, segment) for segment in output.segments]
        while pending:
            origin, segment = pending.pop(0)
            self.trace.append(Sent(origin.name, segment))
            receiver = self.other(origin)
            for reply in self.deliver(receiver, [segment]):
                pending.append((receiver, reply))

    def handshake(self) -> ConnectionPair:
        self.pump(self.server, self.server.open_passive(self.now))
        self.pump(self.client, self.client.open_active(self.now))
        assert self.client.state is State.ESTABLISHED
        assert self.server.state is State.ESTABLISHED
        return self

    def ladder(self) -> list[tuple[str, SegmentKind, int, int]]:
        return [(s.sender, kind_of(s.segment), s.segment.seq, s.segment.ack) for s in self.trace]


def established_pair(**kwargs: object) -> ConnectionPair:
    return ConnectionPair(**kwargs).handshake()  # type: ignore[arg-type]


# --- reaching each state --------------------------------------------------------------


def _established() -> tuple[ConnectionPair, Endpoint]:
    pair = ConnectionPair().handshake()
    return pair, pair.client


def _closed() -> Endpoint:
    return client_endpoint()


def _listen() -> Endpoint:
    server = server_endpoint()
    server.open_passive(0.0)
    return server


def _syn_sent() -> Endpoint:
    client = client_endpoint()
    client.open_active(0.0)
    return client


def _syn_received_passive() -> Endpoint:
    server = _listen()
    server.receive(from_peer(server, Flag.SYN, PEER_ISN), 0.0)
    return server


def _syn_received_active() -> Endpoint:
    client = _syn_sent()
    client.receive(from_peer(client, Flag.SYN, PEER_ISN), 0.0)  # simultaneous open
    return client


def _fin_wait_1() -> Endpoint:
    _, client = _established()
    client.close(0.0)  # the FIN is never delivered
    return client


def _fin_wait_2() -> Endpoint:
    pair, client = _established()
    pair.pump(client, client.close(0.0))  # FIN delivered, the server's ACK comes back
    return client


def _close_wait() -> Endpoint:
    pair, client = _established()
    fin = pair.server.close(0.0)
    pair.deliver(client, fin.segments)  # client ACKs, the ACK is never delivered
    return client


def _closing() -> Endpoint:
    pair, client = _established()
    client.close(0.0)
    server_fin = pair.server.close(0.0)
    pair.deliver(client, server_fin.segments)  # crosses the client's own FIN
    return client


def _last_ack() -> Endpoint:
    client = _close_wait()
    client.close(0.0)
    return client


def _time_wait() -> Endpoint:
    pair, client = _established()
    pair.pump(client, client.close(0.0))
    pair.pump(pair.server, pair.server.close(0.0))
    return client


REACH: dict[tuple[State, bool], Callable[[], Endpoint]] = {
    (State.CLOSED, True): _closed,
    (State.LISTEN, True): _listen,
    (State.SYN_SENT, True): _syn_sent,
    (State.SYN_RECEIVED, True): _syn_received_passive,
    (State.SYN_RECEIVED, False): _syn_received_active,
    (State.ESTABLISHED, True): lambda: _established()[1],
    (State.FIN_WAIT_1, True): _fin_wait_1,
    (State.FIN_WAIT_2, True): _fin_wait_2,
    (State.CLOSE_WAIT, True): _close_wait,
    (State.CLOSING, True): _closing,
    (State.LAST_ACK, True): _last_ack,
    (State.TIME_WAIT, True): _time_wait,
}


def reach(state: State, *, passive: bool = True) -> Endpoint:
    """A fresh endpoint driven into `state` (the one a connection of `REACH` plays)."""
    return REACH[(state, passive)]()
