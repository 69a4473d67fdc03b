"""Games to export, and what the engine says their captures must show."""

from __future__ import annotations

from engine.levels import load_builtin
from engine.levels.model import Level, TcpLevel
from engine.referee import EntryRole, LadderEntry, Move, Referee

LEVELS: dict[str, Level] = {level.id: level for level in load_builtin().levels}
TLS_LEVELS = sorted(level_id for level_id, level in LEVELS.items() if not isinstance(level, TcpLevel))
TCP_LEVELS = sorted(level_id for level_id, level in LEVELS.items() if isinstance(level, TcpLevel))
NOT_HANDSHAKE = {"ChangeCipherSpec", "Alert", "ApplicationData"}
TCP_KINDS = {"SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST", "RST-ACK"}


def tls_entries(ladder: list[LadderEntry], role: EntryRole = EntryRole.NORMAL) -> list[LadderEntry]:
    return [e for e in ladder if e.kind not in TCP_KINDS and e.role is role]


def handshake_types(ladder: list[LadderEntry]) -> tuple[int, ...]:
    """The msg_type of every handshake message the real connection carried, in order."""
    return tuple(e.raw[0] for e in tls_entries(ladder) if e.kind not in NOT_HANDSHAKE)


def alerts(ladder: list[LadderEntry]) -> tuple[int, ...]:
    return tuple(e.raw[1] for e in tls_entries(ladder) if e.kind == "Alert")


def application_data(ladder: list[LadderEntry]) -> list[bytes]:
    return [e.raw for e in tls_entries(ladder) if e.kind == "ApplicationData"]


def encrypts(level_id: str) -> bool:
    """Whether the level's real connection gets as far as encrypting a record."""
    from engine.export import play_solution

    return any(e.protected_by for e in tls_entries(play_solution(LEVELS[level_id]).ladder))


def play_with_mistakes(level_id: str, wrong: dict[int, str]) -> Referee:
    """Play the solution, but at turn `n` first make the wrong move `wrong[n]`."""
    referee = Referee(LEVELS[level_id], clock=lambda: 0.0)
    referee.start()
    number = 0
    while referee.turn is not None:
        if number in wrong:
            referee.play(Move(wrong[number]))
        referee.play(referee.solution_move())
        number += 1
    return referee
