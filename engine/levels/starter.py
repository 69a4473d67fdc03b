"""`synack levels new`: a commented starter level that validates and plays as it is.

The scenario is a small template per protocol; the turns are not written by hand: the
engine plays the scenario once and the starter lists the moves the real endpoint made
(with the alert it sent, for an Alert), so the file is right by construction.
"""

from __future__ import annotations

import json
from typing import Literal

from engine.levels.check import SolvedTurn, solve
from engine.levels.model import LEVEL_MODELS, Level

Protocol = Literal["tcp", "tls12", "tls13"]
PROTOCOLS: tuple[Protocol, ...] = ("tcp", "tls12", "tls13")
SCHEMA_FILE = "synack-level.schema.json"
MAX_STARTER_TURNS = 40

_SCENARIOS: dict[Protocol, str] = {
    "tcp": '''\
# The connection: what each side's application does, in order. Hosts, ports, ISNs,
# window, MSS and the wire's delay have defaults (see docs/authoring.md).
[scenario]
script = [
  { side = "server", action = "listen" },
  { side = "client", action = "connect" },
]
# server = { ip = "192.0.2.2", port = 8080 }       # another port
# faults = [{ drop = "SYN-ACK", sender = "server" }] # the wire loses a segment
''',
    "tls12": '''\
# The TLS 1.2 connection. Everything has a default; a few common choices:
[scenario]
certificate = "rsa"                                      # ecdsa | rsa
client_suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
server_suites = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]
# client_auth = "require"           # the server asks for a client certificate...
# client_certificate = true         # ...and the client has one
# server_misbehaves = ["bad_finished"]
''',
    "tls13": '''\
# The TLS 1.3 connection. Everything has a default; a few common choices:
[scenario]
certificate = "ecdsa"                                    # ed25519 | ecdsa | rsa
client_key_shares = ["x25519"]
# server_groups = ["secp256r1"]     # no share the server takes: HelloRetryRequest
# certificate_names = ["example.org"] # a name the client did not ask for
# client_auth = "require"
''',
}


def starter_level(level_id: str, protocol: Protocol = "tcp", role: Literal["client", "server"] = "client") -> str:
    """The TOML text of a starter level (the turns are the engine's own moves)."""
    head = _head(level_id, protocol, role)
    scenario = _SCENARIOS[protocol]
    turns = solve(_playable(head + scenario))
    return head + "\n" + scenario + "\n" + _turns(turns, protocol)


def _head(level_id: str, protocol: Protocol, role: str) -> str:
    what = {"tcp": "TCP", "tls12": "TLS 1.2", "tls13": "TLS 1.3"}[protocol]
    return f'''\
#:schema ./{SCHEMA_FILE}
# A synack level. Check it with `synack levels validate {level_id}.toml`, play it with
# `synack play {level_id}.toml --watch` (it reloads on every save). The format, every key
# and worked examples: docs/authoring.md. The schema above (`synack levels schema`) gives
# editors with TOML schema support (Even Better TOML / taplo) completion and checks.

id = {json.dumps(level_id)}
title = "My {what} level"
chapter = "My levels"        # levels are grouped by chapter in the level list
order = 1                    # place in the chapter
protocol = "{protocol}"           # tcp | tls12 | tls13 | tcp+tls12 | tcp+tls13
role = "{role}"              # whom the player plays: client | server
goal = "Play the {role}'s side of the {what} handshake."
debrief = """
Shown when the level is over: what the player just did, and why it worked."""
# seed = 1                   # same seed, same ISNs, keys and bytes
# [scoring]                  # par_seconds = 120, mistake_cost = 200, hint_costs = [50, 100, 200]
'''


def _playable(text: str) -> Level:
    """The head and scenario with stand-in turns: enough for the referee to play it (the
    stand-ins ask for the alert, so an Alert's solution names it)."""
    import tomllib

    data = tomllib.loads(text)
    stand_in = {"move": "SYN"} if data["protocol"] == "tcp" else {"move": "Alert", "ask": ["alert"]}
    data["turns"] = [stand_in] * MAX_STARTER_TURNS
    return LEVEL_MODELS[data["protocol"]].model_validate(data)


def _turns(turns: list[SolvedTurn], protocol: Protocol) -> str:
    lines = [
        "# The player's turns, in the order the real connection asks for them (validate checks",
        "# this by playing the level). ask = fields the player must type or choose; teach = shown",
        "# after the move; hints = up to two (nudge, rule); the third hint, the answer, is generated.",
    ]
    asked = False
    for number, turn in enumerate(turns):
        lines += ["", "[[turns]]", f'move = "{turn.move}"']
        if not asked and protocol == "tcp" and turn.move in ("ACK", "SYN-ACK", "RST-ACK"):
            lines.append('ask = ["ack"]             # the player types the acknowledgement number')
            asked = True
        if not asked and protocol != "tcp" and turn.move == "ServerHello":
            lines.append('ask = ["cipher_suite"]    # the player picks the suite')
            asked = True
        if turn.move == "Alert" and turn.alert:
            lines.append(f'alert = "{turn.alert}"')
        lines.append(f'teach = "Why {turn.move} now, and what it carries."')
        if number == 0:
            lines.append('hints = ["A nudge: what does the other side need now?", "The rule, with its RFC section."]')
    return "\n".join(lines) + "\n"
