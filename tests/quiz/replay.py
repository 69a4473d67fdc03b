"""The tests' own replay of a question's run: the level played on the referee with the
right move at each turn, the wire read back from the ladder's bytes.

Written apart from engine.quiz.runs on purpose: a question's answer is checked against
what the engine really put on the wire, not against the generator's reading of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.levels import load_level
from engine.referee import EntryRole, LadderEntry, MessageSent, Referee, StateChanged


@dataclass
class Replay:
    entries: list[LadderEntry] = field(default_factory=list)
    states: list[dict[str, str]] = field(default_factory=list)  # both sides' states as each entry left


def replay(level_id: str, seed: int, changes: tuple[tuple[str, Any], ...] = ()) -> Replay:
    level = load_level(level_id)
    if changes:
        level = level.model_copy(update={"scenario": level.scenario.model_copy(update=dict(changes))})  # type: ignore[union-attr]
    referee = Referee(level, seed=seed, clock=lambda: 0.0)
    now = {view.side.value: view.state for view in referee.sides}
    out = Replay()
    pending = referee.start()
    while True:
        for event in pending:
            if isinstance(event, StateChanged):
                now[event.side.value] = event.new
            if isinstance(event, MessageSent) and event.entry.role is EntryRole.NORMAL:
                out.entries.append(event.entry)
                out.states.append(dict(now))
        if referee.finished:
            return out
        pending = referee.play(referee.solution_move())
