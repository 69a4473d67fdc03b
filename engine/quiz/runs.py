"""Real runs for questions: a built-in level played to its end on the engine.

The player's side makes the right move at every turn (the referee's own solution), so a
run is the handshake as the real endpoints make it with that seed: every message with
its bytes, byte map and protecting key, and both sides' states as each was sent.
A `RunCache` keeps the runs of one round, so questions that share a run play it once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from engine.levels import Level, load_level
from engine.referee import EntryRole, MessageSent, Referee, Side, StateChanged

MAX_MOVES = 200


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a run, as it went on the wire."""

    index: int
    sender: Side
    kind: str  # "SYN-ACK", "ServerHello"
    summary: str  # "SYN-ACK seq=90210 ack=2837462 win=64240"
    protected_by: str | None  # TLS: the key that encrypted it
    fields: dict[str, str]  # byte map: field path → value as shown
    states: dict[Side, str]  # each side's state as this message left
    raw: bytes

    def field(self, path: str) -> str:
        return self.fields[path]

    def number(self, path: str) -> int:
        """A numeric field, e.g. `tcp.ack`."""
        return int(self.fields[path].split()[0])

    @property
    def line(self) -> str:
        """The message as a line of the ladder: "client → server  SYN seq=1 …"."""
        return f"{self.sender.value} → {self.sender.other.value}  {self.summary}{self.lock}"

    @property
    def lock(self) -> str:
        return f"  🔒 {self.protected_by}" if self.protected_by else ""


@dataclass(frozen=True, slots=True)
class Run:
    level_id: str
    protocol: str  # the level's: "tcp", "tls12", "tls13"
    seed: int
    messages: tuple[Message, ...]
    changes: tuple[tuple[str, Any], ...] = ()  # scenario settings changed from the level's

    def find(self, kind: str, sender: Side | None = None, nth: int = 1) -> Message:
        """The nth message of a kind (from a sender); KeyError if the run has none."""
        found = [m for m in self.messages if m.kind == kind and (sender is None or m.sender is sender)]
        if len(found) < nth:
            raise KeyError(f"{self.level_id} seed {self.seed}: no {kind} #{nth}")
        return found[nth - 1]

    def kinds(self, sender: Side | None = None) -> list[str]:
        return [m.kind for m in self.messages if sender is None or m.sender is sender]

    @property
    def ref(self) -> tuple[str, int, tuple[tuple[str, Any], ...]]:
        """What replays this run: `play(*run.ref)`."""
        return (self.level_id, self.seed, self.changes)

    @property
    def source(self) -> str:
        changed = "".join(f", {key}={value}" for key, value in self.changes)
        return f"{self.level_id}, seed {self.seed}{changed}"


def play(level_id: str, seed: int, changes: tuple[tuple[str, Any], ...] = ()) -> Run:
    """Play a built-in level to its end with the right move at every turn.

    `changes` replaces scenario settings (e.g. `(("server_suites", [...]),)`): the
    same level with another cipher suite or certificate.
    """
    level = _builtin(level_id)
    if changes:
        scenario = level.scenario.model_copy(update=dict(changes))  # type: ignore[union-attr]
        level = level.model_copy(update={"scenario": scenario})
    referee = Referee(level, seed=seed, clock=lambda: 0.0)
    states = {side.side: side.state for side in referee.sides}
    messages: list[Message] = []
    events = referee.start()
    for _ in range(MAX_MOVES):
        for event in events:
            if isinstance(event, StateChanged):
                states[event.side] = event.new
            elif isinstance(event, MessageSent) and event.entry.role is EntryRole.NORMAL:
                entry = event.entry
                messages.append(Message(
                    len(messages), entry.sender, entry.kind, entry.summary, entry.protected_by,
                    {span.path: span.value for span in entry.fields}, dict(states), entry.raw,
                ))
        if referee.finished:
            return Run(level_id, level.protocol, seed, tuple(messages), changes)
        events = referee.play(referee.solution_move())
    raise RuntimeError(f"{level_id} seed {seed}: the run did not end after {MAX_MOVES} moves")


@functools.lru_cache(maxsize=None)
def _builtin(level_id: str) -> Level:
    """A built-in level, read once (finding one by id reads the whole catalogue)."""
    return load_level(level_id)


@dataclass
class RunCache:
    """The runs of one round, each played once."""

    runs: dict[tuple[str, int, tuple[tuple[str, Any], ...]], Run] = field(default_factory=dict)

    def get(self, level_id: str, seed: int, changes: tuple[tuple[str, Any], ...] = ()) -> Run:
        key = (level_id, seed, changes)
        if key not in self.runs:
            self.runs[key] = play(level_id, seed, changes)
        return self.runs[key]
