"""Checks across keys: what the form of each key cannot say on its own.

Pydantic checks each key (its type, its range, that a name is a known message, suite or
group). These rules check keys against each other, each problem at its own key path:
a suite of the other TLS version, a key share for a group not offered, a turn naming a
message the other side sends (or the other version lacks), a field asked of a move that
does not carry it, an alert on a turn that is not an Alert, TLS 1.3-only settings on a
TLS 1.2 level, script steps whose `data` does not fit their action.

The move vocabulary is the referee's own (`engine.referee.tls_moves` / `tcp_moves`), so a
level is held to exactly what the game offers.
"""

from __future__ import annotations

from typing import Any, Literal, Sequence

from engine.levels.model import TCP_MOVES, Level, StackLevel, TcpLevel, TcpScenario, TlsLevel, TlsScenario
from engine.levels.source import KeyPath, Problem, TomlDocument
from engine.side import Side

Version = Literal["tls13", "tls12"]
Finding = tuple[KeyPath, str]  # a key path and what is wrong there
VERSION_NAMES = {"tls13": "TLS 1.3", "tls12": "TLS 1.2"}


def check_rules(level: Level, document: TomlDocument) -> list[Problem]:
    """Every cross-key problem of a level that pydantic accepted."""
    found: list[Finding] = []
    if isinstance(level, TcpLevel):
        found += _tcp_scenario(level.scenario, ("scenario",))
        found += _tcp_turns([t.move for t in level.turns], [t.ask for t in level.turns], 0)
    elif isinstance(level, TlsLevel):
        found += _tls_scenario(level.scenario, level.tls_version)
        found += _tls_turns(level, level.tls_version, 0)
    else:
        found += _tcp_scenario(level.tcp, ("tcp",))
        found += _tls_scenario(level.scenario, level.tls_version)
        found += _stack_turns(level)
    return [document.problem(path, message) for path, message in found]


# --- TCP ---------------------------------------------------------------------------------


def _tcp_scenario(scenario: TcpScenario, at: KeyPath) -> list[Finding]:
    found: list[Finding] = []
    for index, step in enumerate(scenario.script):
        here = (*at, "script", index)
        if step.action == "send" and not step.data:
            found.append(((*here, "data"), 'expected data = "..." for action = "send", found nothing'))
        if step.action != "send" and step.data is not None:
            found.append(((*here, "data"), f"expected no data for action = {step.action!r} (only a send carries data), "
                                           f"found {step.data!r}"))
    for index, fault in enumerate(scenario.faults):
        if fault.drop == "WAIT":
            found.append(((*at, "faults", index, "drop"), "expected a segment kind to lose, found 'WAIT' (it sends nothing)"))
    return found


def _tcp_turns(moves: Sequence[str], asks: Sequence[Sequence[str]], offset: int) -> list[Finding]:
    from engine.referee import tcp_moves
    from engine.tcp.states import State

    found: list[Finding] = []
    for index, (move, ask) in enumerate(zip(moves, asks), offset):
        option = next(o for o in tcp_moves.options_for(State.CLOSED, move, list(tcp_moves.FIELDS)) if o.key == move)
        found += _asked_fields(index, move, ask, [f.name for f in option.fields])
    return found


# --- TLS ---------------------------------------------------------------------------------


def _tls_scenario(scenario: TlsScenario, version: Version) -> list[Finding]:
    found: list[Finding] = []
    name = VERSION_NAMES[version]
    for key in ("client_suites", "server_suites"):
        for index, suite in enumerate(getattr(scenario, key) or []):
            if ("_WITH_" in suite) != (version == "tls12"):
                found.append((("scenario", key, index), f"expected a {name} suite ({_some(_version_suites(version))}), found {suite!r}"))
    for index, group in enumerate(scenario.client_key_shares):
        if group not in scenario.client_groups:
            found.append((("scenario", "client_key_shares", index),
                          f"expected a group that is also in client_groups ({', '.join(scenario.client_groups)}), found {group!r}"))
    if version == "tls12":
        only13 = {"key_update": True, "also_tls12": True}
        for key, value in only13.items():
            if getattr(scenario, key) == value:
                found.append((("scenario", key), f"expected false on a TLS 1.2 level ({key} is for TLS 1.3 levels), found true"))
        if scenario.certificate == "ed25519":
            found.append((("scenario", "certificate"), "expected 'ecdsa' or 'rsa' on a TLS 1.2 level "
                                                        "(ed25519 certificates are TLS 1.3 only here), found 'ed25519'"))
        if "downgrade_to_tls12" in scenario.server_misbehaves:
            index = scenario.server_misbehaves.index("downgrade_to_tls12")
            found.append((("scenario", "server_misbehaves", index),
                          "expected a fault of a TLS 1.2 server, found 'downgrade_to_tls12' (a TLS 1.3 level's fault)"))
    return found


def _version_suites(version: Version) -> list[str]:
    from engine.levels.model import SuiteName

    return [s for s in SuiteName.__args__ if ("_WITH_" in s) == (version == "tls12")]  # type: ignore[attr-defined]


def _tls_turns(level: TlsLevel | StackLevel, version: Version, offset: int) -> list[Finding]:
    from engine.referee import tls_moves

    found: list[Finding] = []
    role: Side = level.role
    sends = tls_moves.VOCABULARY[(version, role)]
    other = tls_moves.VOCABULARY[(version, role.other)]
    certificates = ("ed25519", "ecdsa", "rsa")
    turns: Sequence[Any] = level.turns
    for index, turn in list(enumerate(turns))[offset:]:
        move = str(turn.move)
        if move not in sends:
            why = (f"the {role.other.value} sends it" if move in other
                   else f"{VERSION_NAMES[version]} has no {move}")
            found.append((("turns", index, "move"),
                          f"expected a message the {role.value} sends in {VERSION_NAMES[version]} "
                          f"({', '.join(sends)}), found {move!r} ({why})"))
            continue
        option = next(
            o for o in tls_moves.options_for(version, role, [], move, list(tls_moves.CARRIERS), certificates) if o.key == move
        )
        found += _asked_fields(index, move, turn.ask, [f.name for f in option.fields])
        if turn.alert is not None and move != "Alert":
            found.append((("turns", index, "alert"),
                          f'expected no alert on a {move} turn (alert goes with move = "Alert"), found {turn.alert!r}'))
    return found


# --- TCP then TLS ------------------------------------------------------------------------


def _stack_turns(level: StackLevel) -> list[Finding]:
    turns: Sequence[Any] = level.turns
    moves = [str(turn.move) for turn in turns]
    split = next((i for i, move in enumerate(moves) if move not in TCP_MOVES), len(moves))
    if split == 0:
        return [(("turns", 0, "move"), f"expected a TCP segment first (TCP's handshake opens the connection), found {moves[0]!r}")]
    found: list[Finding] = [
        (("turns", index, "move"), f"expected a TLS message (the TCP turns come first, before turns[{split}]), found {moves[index]!r}")
        for index in range(split, len(moves))
        if moves[index] in TCP_MOVES
    ]
    if found:
        return found
    found += _tcp_turns(moves[:split], [turn.ask for turn in turns[:split]], 0)
    return found + _tls_turns(level, level.tls_version, split)


# --- shared ------------------------------------------------------------------------------


def _asked_fields(index: int, move: str, ask: Sequence[str], carried: list[str]) -> list[Finding]:
    found: list[Finding] = []
    for position, name in enumerate(ask):
        if name not in carried:
            what = ", ".join(carried) if carried else "no fields"
            found.append((("turns", index, "ask", position),
                          f"expected a field that {move} carries ({what}), found {name!r}"))
    return found


def _some(names: list[str]) -> str:
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
