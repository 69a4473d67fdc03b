"""From a game to a capture: every packet the game put on its wire, framed as IPv4 + TCP.

- TCP levels: the game's own segments, byte for byte, at the game's clock.
- TCP-then-TLS levels: the same (TLS rides in the game's DATA segments); when the level
  ends at the TLS close, the same two TCP endpoints then close with FINs.
- TLS levels have no TCP: a real TCP connection is made around their records
  (`TcpCarrier`), and the capture's comment says so.

A wrong move is played against a copy of the peer and the game goes on from before it.
A wrong TCP segment is shown where it happened, with the peer's reaction. A wrong TLS
message cannot be put in the real byte stream without corrupting it for every record
after, so it goes in a short stream of its own: same hosts and numbers, another client
port, marked in the packet comments.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from engine.export.capture import Capture, Packet
from engine.export.carrier import TcpCarrier
from engine.export.keys import keylog_lines
from engine.levels.model import StackLevel, TcpLevel, TcpScenario
from engine.referee.referee import Referee
from engine.referee.stack_game import StackGame
from engine.referee.tcp_world import EPHEMERAL_PORTS, TcpWorld
from engine.referee.types import EntryRole, LadderEntry, SideView
from engine.rng import SeededRandom
from engine.side import Side
from engine.tcp.endpoint import Address
from engine.tcp.segment import Flag, Segment, SegmentKind
from engine.tcp.states import State
from engine.tls.config import GAME_EPOCH

__all__ = ["TLS_PORT", "capture_of"]

TLS_PORT = 443
TCP_KINDS = frozenset(kind.value for kind in SegmentKind)
_SCENARIO = TcpScenario.model_fields
CLIENT_IP: ipaddress.IPv4Address = _SCENARIO["client"].default.ip
SERVER_IP: ipaddress.IPv4Address = _SCENARIO["server"].default.ip
TLS_ONLY_DELAY = _SCENARIO["one_way_delay_ms"].default / 1000


def capture_of(referee: Referee, played: str) -> Capture:
    """The capture of the game so far. `played` says whose moves these are, for the comment
    (e.g. "the level's solution")."""
    level = referee.level
    ladder = list(referee.ladder)
    if isinstance(level, TcpLevel | StackLevel):
        packets, note = _tcp_game_packets(referee, ladder)
    else:
        packets, note = _tls_game_packets(referee, ladder)
    keys = tuple(keylog_lines(ladder, referee.secrets))
    return Capture(tuple(packets), keys, _comment(referee, played, note, bool(keys)), GAME_EPOCH)


def _comment(referee: Referee, played: str, note: str, has_keys: bool) -> str:
    level = referee.level
    parts = [
        f"synack level {level.id} \"{level.title}\", seed {referee.seed}, you as the {level.role.value}: {played}.",
        note,
        "The TLS keys are in this file (a Decryption Secrets Block): Wireshark decrypts with no settings."
        if has_keys else "",
        "" if referee.finished else "The game is not over: the capture stops where the play stopped.",
    ]
    return " ".join(part for part in parts if part)


def _ips(addresses: dict[Side, Address]) -> dict[Side, ipaddress.IPv4Address]:
    ips = {}
    for side, address in addresses.items():
        if not isinstance(address.ip, ipaddress.IPv4Address):
            raise ValueError(f"the capture frames IPv4 only; the {side.value} is at {address.ip}")
        ips[side] = address.ip
    return ips


# --- TCP and TCP-then-TLS levels: the game's own segments ----------------------------------


def _tcp_game_packets(referee: Referee, ladder: list[LadderEntry]) -> tuple[list[Packet], str]:
    addresses = _side_addresses(referee.sides)
    ips = _ips(addresses)
    packets: list[Packet] = []
    forks = _Forks(addresses)
    for group in _groups(ladder, tls_carried=True):
        if isinstance(group, _Fork):
            packets += forks.stream(group, packets)
        else:
            aside = group.role in (EntryRole.MISTAKE, EntryRole.REACTION)
            packets.append(Packet(group.time, ips[group.sender], ips[group.sender.other], group.raw, _note(group), aside))
    note = ""
    game = referee.game
    if isinstance(game, StackGame) and referee.finished and _open(game.tcp.world):
        world = game.tcp.world
        closer = _last_tls_sender(ladder)
        carrier = TcpCarrier({side: world.endpoints[side].copy() for side in Side}, world.addresses,
                             world.now + world.delay, world.delay, "closed after the level by the same TCP endpoints")
        carrier.close(closer)
        packets += carrier.packets
        note = (f"The level ends at the TLS close; the FIN teardown after it (from the {closer.value}) was "
                "made for this capture by the game's own TCP endpoints.")
    elif isinstance(referee.level, TcpLevel) and referee.finished and _established(referee.sides):
        note = "The level ends with the connection open (ESTABLISHED): closing it is another level's lesson."
    return packets, note


def _established(sides: tuple[SideView, SideView]) -> bool:
    return all(view.state == State.ESTABLISHED.value for view in sides)


def _side_addresses(sides: tuple[SideView, SideView]) -> dict[Side, Address]:
    """Each side's address as the referee shows it: "192.0.2.1:49152" (a live game's
    "Linux 192.0.2.1:7" names the host first)."""
    addresses = {}
    for view in sides:
        host, _, port = view.address.split()[-1].rpartition(":")
        addresses[view.side] = Address(ipaddress.ip_address(host.strip("[]")), int(port))
    return addresses


def _open(world: TcpWorld) -> bool:
    return all(endpoint.state is State.ESTABLISHED for endpoint in world.endpoints.values())


def _last_tls_sender(ladder: list[LadderEntry]) -> Side:
    tls = [e for e in ladder if e.kind not in TCP_KINDS and e.role is EntryRole.NORMAL]
    return tls[-1].sender if tls else Side.CLIENT


def _note(entry: LadderEntry) -> str:
    peer = entry.sender.other.value
    if entry.role is EntryRole.MISTAKE:
        return (f"✗ your mistake: {entry.summary}. The real {peer} got it on a copy of the connection; "
                "the game went on from before it.")
    if entry.role is EntryRole.REACTION:
        return f"↩ the real {entry.sender.value}'s reaction to your mistake, on that copy: {entry.summary}"
    if entry.role is EntryRole.LOST:
        return f"lost on the wire: the {peer} never got it (seen here as it left the {entry.sender.value})"
    return entry.note if entry.note != "carries TLS" else ""


# --- TLS levels: a TCP connection made around the records ----------------------------------


def _tls_game_packets(referee: Referee, ladder: list[LadderEntry]) -> tuple[list[Packet], str]:
    level = referee.level
    rng = SeededRandom(referee.seed, level.id).child("export.tcp")
    client = Address(CLIENT_IP, rng.child("client.port").randint(*EPHEMERAL_PORTS))
    server = Address(SERVER_IP, TLS_PORT)
    carrier = TcpCarrier.fresh(client, server, rng, TLS_ONLY_DELAY, "")
    forks = _Forks(carrier.addresses)
    carrier.connect()
    packets = carrier.packets
    last_sender = Side.CLIENT
    for group in _flights(ladder):
        if isinstance(group, _Fork):
            forks.now = carrier.now
            packets += forks.stream(group, packets)
            continue
        sender, data = group
        carrier.send(sender, data)
        last_sender = sender
    teardown = ""
    if referee.finished:
        carrier.close(last_sender)
        teardown = f", FIN teardown from the {last_sender.value}"
    note = (f"This level plays TLS alone: the TCP connection around its records (three-way handshake, "
            f"data segments{teardown}) was made for this capture by synack's TCP engine, "
            f"{TLS_ONLY_DELAY * 1000:g} ms one way.")
    return packets, note


def _flights(ladder: list[LadderEntry]) -> Iterator[tuple[Side, bytes] | _Fork]:
    """Consecutive records of one sender as one flight; mistakes as forks."""
    sender: Side | None = None
    data = b""
    for group in _groups(ladder, tls_carried=False):
        if isinstance(group, LadderEntry) and group.sender is sender:
            data += group.wire
            continue
        if sender is not None and data:
            yield sender, data
        sender, data = None, b""
        if isinstance(group, _Fork):
            yield group
        else:
            sender, data = group.sender, group.wire
    if sender is not None and data:
        yield sender, data


# --- wrong TLS moves: a stream of their own ------------------------------------------------


@dataclass
class _Fork:
    """A wrong TLS move and the real peer's answer to it (on a copy of the peer)."""

    mistake: list[LadderEntry] = field(default_factory=list)
    reaction: list[LadderEntry] = field(default_factory=list)


def _groups(ladder: Sequence[LadderEntry], *, tls_carried: bool) -> Iterator[LadderEntry | _Fork]:
    """The entries for the main stream, one by one, and each wrong TLS move with the
    reaction to it as a `_Fork`. With `tls_carried` (a stack game) the TLS messages are left
    out: the game's DATA segments, on the ladder too, carry their bytes."""
    fork: _Fork | None = None
    for entry in ladder:
        tls = entry.kind not in TCP_KINDS
        if tls and entry.role is EntryRole.MISTAKE:
            if fork is None or fork.reaction:
                if fork is not None:
                    yield fork
                fork = _Fork()
            fork.mistake.append(entry)
            continue
        if tls and entry.role is EntryRole.REACTION and fork is not None:
            fork.reaction.append(entry)
            continue
        if fork is not None:
            yield fork
            fork = None
        if not (tls and tls_carried):
            yield entry
    if fork is not None:
        yield fork


@dataclass
class _Forks:
    addresses: dict[Side, Address]
    now: float = 0.0
    count: int = 0

    def stream(self, fork: _Fork, so_far: list[Packet]) -> list[Packet]:
        """The wrong move from where the connection stood, and what the peer answered."""
        if not fork.mistake:
            return []
        self.count += 1
        player = fork.mistake[0].sender
        ips = _ips(self.addresses)
        ports = {side: self.addresses[side].port for side in Side}
        ports[Side.CLIENT] = _fork_port(ports[Side.CLIENT], self.count)
        last = {side: _last_segment(so_far, ips[side]) for side in Side}
        next_seq = {side: (s.seq + s.seg_len) % 2**32 if s else 0 for side, s in last.items()}
        window = {side: s.window if s else 0 for side, s in last.items()}
        now = max([self.now, *(p.time for p in so_far)])
        sent = b"".join(e.wire for e in fork.mistake)
        answer = b"".join(e.wire for e in fork.reaction)
        peer = player.other
        what = ", ".join(e.summary for e in fork.mistake)
        said = ", ".join(e.summary for e in fork.reaction) or "no TLS answer (its TCP acknowledges)"
        wrong = Segment(ports[player], ports[peer], next_seq[player], next_seq[peer],
                        Flag.PSH | Flag.ACK, window[player], payload=sent)
        reply = Segment(ports[peer], ports[player], next_seq[peer], (next_seq[player] + len(sent)) % 2**32,
                        Flag.PSH | Flag.ACK if answer else Flag.ACK, window[peer], payload=answer)
        port_note = f"shown on client port {ports[Side.CLIENT]} so the real connection's stream stays whole"
        return [
            Packet(now, ips[player], ips[peer], wrong.encode(ips[player], ips[peer]),
                   f"✗ your mistake: {what}. Played against a copy of the {peer.value}, {port_note}; "
                   "the game went on from before it.", aside=True),
            # At the same instant: the real connection's next packet must not come before it.
            Packet(now, ips[peer], ips[player], reply.encode(ips[peer], ips[player]),
                   f"↩ the real {peer.value}'s answer on that copy: {said}", aside=True),
        ]


def _fork_port(port: int, count: int) -> int:
    low, high = EPHEMERAL_PORTS
    return low + (port - low + count) % (high - low + 1)


def _last_segment(packets: list[Packet], src: ipaddress.IPv4Address) -> Segment | None:
    """The real connection's latest segment from `src` (wrong moves and forks skipped)."""
    for packet in reversed(packets):
        if packet.src == src and not packet.aside:
            return Segment.decode(packet.tcp, packet.src, packet.dst)
    return None
