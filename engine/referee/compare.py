"""Side by side: a handshake's figures counted from its real messages.

The Compare chapter puts two handshakes next to each other: TCP's and TLS's in one
TCP-then-TLS game, or the game the player just played and the same scenario run in the
other TLS version (its "twin", played to the end with the referee's own solution under the
same seed). Every figure is counted from the ladder and the key schedule of those runs:
round trips, the messages, which of them were encrypted, which prove the server's
identity, and where the shared secret came from. Nothing here is written in a level file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from engine.levels.model import TCP_MOVES, Level, StackLevel, TlsLevel, TlsTurnSpec
from engine.referee.referee import Referee, play_to_end
from engine.referee.tcp_world import ScenarioError
from engine.referee.types import EntryRole, LadderEntry, SecretLearned
from engine.side import Side

Layer = Literal["tcp", "tls"]
VERSION_NAMES = {"tls12": "TLS 1.2", "tls13": "TLS 1.3"}
# What a client waits for before it may send application data: the server's last
# handshake answer (TCP: its SYN-ACK; TLS: its Finished).
LAST_ANSWER: dict[Layer, str] = {"tcp": "SYN-ACK", "tls": "Finished"}
FIRST_DATA: dict[Layer, str] = {"tcp": "DATA", "tls": "ApplicationData"}
IDENTITY_PROOFS = ("Certificate", "CertificateVerify", "ServerKeyExchange")
SHARED_SECRETS = ("shared_secret", "pre_master_secret")


@dataclass(frozen=True, slots=True)
class Figures:
    """One handshake, counted."""

    name: str  # "TLS 1.3 · this game"
    round_trips: int  # server answers the client waited for before it could send data
    messages: tuple[str, ...]  # "C:ClientHello", "S:ServerHello"... up to the client's first data
    encrypted: tuple[str, ...]  # those of `messages` that travelled encrypted
    identity: tuple[str, ...]  # the server's messages that prove who it is
    key_exchange: str  # how the shared secret came to be, in the engine's own words
    chosen: str  # what the server chose (its ServerHello's summary), "" for TCP

    @property
    def in_clear(self) -> tuple[str, ...]:
        return tuple(message for message in self.messages if message not in self.encrypted)


def count(name: str, ladder: Iterable[LadderEntry], secrets: Iterable[SecretLearned], layer: Layer) -> Figures:
    """The figures of one layer of a played game (mistakes and the peer's reactions to them
    are left out: they are not part of the connection)."""
    entries = [entry for entry in ladder if entry.role is EntryRole.NORMAL and _in_layer(entry, layer)]
    before_data = _until_first_data(entries, layer)
    messages = tuple(_label(entry) for entry in before_data)
    encrypted = tuple(_label(entry) for entry in before_data if entry.protected_by)
    identity = tuple(
        _label(entry) for entry in before_data if entry.sender is Side.SERVER and entry.kind in IDENTITY_PROOFS
    )
    shared = next((secret for secret in secrets if secret.name in SHARED_SECRETS), None)
    if shared is not None:
        key_exchange = f"{shared.name}: {shared.formula}"
    else:
        key_exchange = "none: TCP agrees on no secret" if layer == "tcp" else "none in this handshake (resumed)"
    hello = next((entry.summary for entry in entries if entry.kind == "ServerHello"), "")
    return Figures(name, _round_trips(before_data, layer), messages, encrypted, identity, key_exchange, hello)


def compare(level: Level, played: Referee) -> tuple[Figures, Figures]:
    """The two sides of a Compare level: TCP and TLS of a TCP-then-TLS game, or this TLS
    game and its twin in the other version."""
    if isinstance(level, StackLevel):
        version = VERSION_NAMES[level.tls_version]
        return (
            count("TCP", played.ladder, (), "tcp"),
            count(version, played.ladder, played.secrets, "tls"),
        )
    if not isinstance(level, TlsLevel):
        raise ScenarioError(f"level {level.id}: only TLS and TCP-then-TLS games can be compared")
    twin = twin_level(level)
    other = play_to_end(twin, played.seed)
    mine = count(f"{VERSION_NAMES[level.protocol]} · this game", played.ladder, played.secrets, "tls")
    theirs = count(f"{VERSION_NAMES[twin.protocol]} · same {level.role.value}", other.ladder, other.secrets, "tls")
    return (mine, theirs) if level.protocol == "tls12" else (theirs, mine)


def twin_level(level: TlsLevel) -> TlsLevel:
    """The same scenario in the other TLS version: same names, certificate, groups, request
    and response; the suites of the other version (a suite list is version-specific)."""
    other = "tls13" if level.protocol == "tls12" else "tls12"
    scenario = level.scenario.model_copy(update={"client_suites": None, "server_suites": None})
    first = level.turns[0].move if level.role is Side.CLIENT else "ServerHello"
    return level.model_copy(
        update={"protocol": other, "scenario": scenario, "turns": [TlsTurnSpec(move=first)]}
    )


def _in_layer(entry: LadderEntry, layer: Layer) -> bool:
    return (entry.kind in TCP_MOVES) == (layer == "tcp")


def _until_first_data(entries: list[LadderEntry], layer: Layer) -> list[LadderEntry]:
    first = FIRST_DATA[layer]
    end = next(
        (i for i, entry in enumerate(entries) if entry.sender is Side.CLIENT and entry.kind == first), len(entries)
    )
    return entries[:end]


def _round_trips(entries: list[LadderEntry], layer: Layer) -> int:
    """Server flights up to the one that carries its last handshake answer: each is one
    round trip the client had to wait for."""
    flights, previous = 0, None
    for entry in entries:
        if entry.sender is Side.SERVER and previous is not Side.SERVER:
            flights += 1
        previous = entry.sender
        if entry.sender is Side.SERVER and entry.kind == LAST_ANSWER[layer]:
            return flights
    return flights


def _label(entry: LadderEntry) -> str:
    return f"{'C' if entry.sender is Side.CLIENT else 'S'}:{entry.kind}"
