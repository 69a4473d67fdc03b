"""The level format: what a TOML level file may say, as validated models.

Validation is pydantic's; `engine.levels.loader` turns its errors into one line per
problem (file, key path, expected, found, did-you-mean). Everything an author can write
is here, with its type and default, so `synack levels schema` can be generated from it.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.side import Side

Protocol = Literal["tcp"]
# The player's move vocabulary for TCP: the segment kinds, and WAIT (send nothing).
TcpMove = Literal["SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST", "RST-ACK", "WAIT"]
AskableField = Literal["seq", "ack", "window", "data"]
Action = Literal["listen", "connect", "send", "close", "abort"]
Port = Annotated[int, Field(ge=1, le=65535)]
Uint32 = Annotated[int, Field(ge=0, le=2**32 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Host(Strict):
    """One side's address and TCP settings."""

    ip: ipaddress.IPv4Address = Field(description="IPv4 address (use documentation ranges).")
    port: Port | None = Field(
        default=None, description="TCP port; omitted: an ephemeral port from the seed."
    )
    isn: Uint32 | None = Field(
        default=None, description="Initial sequence number; omitted: drawn from the seed."
    )
    window: Annotated[int, Field(ge=0, le=65535)] = 64240
    mss: Annotated[int, Field(ge=88, le=65535)] = 1460
    window_scale: Annotated[int, Field(ge=0, le=14)] | None = 7
    sack_permitted: bool = True


class ScriptStep(Strict):
    """What one side's application does, in order: listen(), connect(), send(), close()."""

    side: Side
    action: Action
    data: str | None = Field(default=None, description="The bytes sent, for action = send.")

    @model_validator(mode="after")
    def _data_goes_with_send(self) -> ScriptStep:
        if self.action == "send" and not self.data:
            raise ValueError("a send step needs data = \"...\"")
        if self.action != "send" and self.data is not None:
            raise ValueError(f"data is only for action = \"send\", not {self.action!r}")
        return self


class Fault(Strict):
    """The wire loses the nth segment of a kind sent by a side."""

    drop: TcpMove = Field(description="Kind of segment to lose.")
    sender: Side
    nth: Annotated[int, Field(ge=1, le=100)] = 1


class Scenario(Strict):
    client: Host = Host(ip=ipaddress.IPv4Address("192.0.2.1"))
    server: Host = Host(ip=ipaddress.IPv4Address("192.0.2.2"), port=80)
    one_way_delay_ms: Annotated[float, Field(gt=0, le=10_000)] = 10.0
    msl_seconds: Annotated[float, Field(gt=0, le=600)] = 120.0
    script: list[ScriptStep] = Field(min_length=1)
    faults: list[Fault] = []


class TurnSpec(Strict):
    """One turn of the player's, in the order the real connection asks for them."""

    move: TcpMove = Field(description="The move the real endpoint makes here.")
    ask: list[AskableField] = Field(
        default=[], description="Fields the player must type, not just the message kind."
    )
    teach: str = Field(default="", description="Shown after the move: why this message now.")
    hints: list[str] = Field(
        default=[], max_length=2, description="Nudge and rule hints; the answer is generated."
    )


class Scoring(Strict):
    par_seconds: Annotated[int, Field(ge=1, le=3600)] = 120
    mistake_cost: Annotated[int, Field(ge=0, le=1000)] = 200
    hint_costs: tuple[int, int, int] = (50, 100, 200)


class Level(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=80)]
    chapter: Annotated[str, Field(min_length=1, max_length=40)]
    order: Annotated[int, Field(ge=0, le=10_000)]
    protocol: Protocol
    role: Side
    goal: Annotated[str, Field(min_length=1)]
    debrief: str = ""
    seed: Annotated[int, Field(ge=0)] = 1
    scenario: Scenario
    turns: list[TurnSpec] = Field(min_length=1)
    scoring: Scoring = Scoring()

    @property
    def moves(self) -> list[str]:
        """The message kinds the player must send, in order."""
        return [turn.move for turn in self.turns]
