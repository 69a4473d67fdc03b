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

# The player's move vocabulary for TCP: the segment kinds, and WAIT (send nothing).
TcpMove = Literal["SYN", "SYN-ACK", "ACK", "DATA", "FIN", "RST", "RST-ACK", "WAIT"]
AskableField = Literal["seq", "ack", "window", "data"]
# The player's move vocabulary for TLS 1.3: the messages (and records) an endpoint sends.
TlsMove = Literal[
    "ClientHello", "ServerHello", "HelloRetryRequest", "ChangeCipherSpec", "EncryptedExtensions",
    "CertificateRequest", "Certificate", "CertificateVerify", "Finished", "NewSessionTicket",
    "KeyUpdate", "ApplicationData", "Alert", "ServerKeyExchange", "ServerHelloDone", "ClientKeyExchange",
]
TlsAskableField = Literal["cipher_suite", "group", "certificate", "alert"]
SuiteName = Literal[
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
]
GroupName = Literal["x25519", "secp256r1", "secp384r1", "ffdhe2048", "ffdhe3072"]
TLS12_DEFAULT_SUITES: list[SuiteName] = [
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
]
Misbehaviour = Literal[
    "bad_server_key_exchange_signature", "bad_certificate_verify_signature", "bad_finished", "downgrade_to_tls12"
]
ALL_SUITES: list[SuiteName] = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
ALL_GROUPS: list[GroupName] = ["x25519", "secp256r1", "secp384r1"]
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
    together: bool = Field(
        default=False, description="Happens at once, without waiting for the wire to fall quiet (simultaneous open)."
    )

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


class TcpScenario(Strict):
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


class TlsScenario(Strict):
    """A TLS 1.3 connection: who offers what, which certificate the server shows, and what
    the applications say once the handshake is done."""

    server_name: str = Field(default="localhost", description="The name the client asks for (SNI).")
    certificate: Literal["ed25519", "ecdsa", "rsa"] = "ecdsa"
    certificate_names: list[str] = Field(default=["localhost"], min_length=1, description="Names on the server's certificate.")
    certificate_expired: bool = Field(default=False, description="The server's certificate ran out before today.")
    certificate_untrusted: bool = Field(default=False, description="Signed by a CA the client does not trust.")
    client_suites: list[SuiteName] | None = Field(
        default=None, min_length=1, description="Omitted: every suite of the level's TLS version."
    )
    client_groups: list[GroupName] = Field(default=ALL_GROUPS, min_length=1)
    client_key_shares: list[GroupName] = Field(default=["x25519"], min_length=1)
    server_suites: list[SuiteName] | None = Field(
        default=None, min_length=1, description="Omitted: every suite of the level's TLS version."
    )
    server_groups: list[GroupName] = Field(default=ALL_GROUPS, min_length=1)
    client_auth: Literal["none", "request", "require"] = "none"
    client_certificate: bool = Field(default=False, description="The client has a certificate to show.")
    alpn: list[str] = []
    middlebox_compat: bool = True
    resumption: bool = Field(default=False, description="Resume with a ticket from an earlier connection.")
    resumption_by: Literal["ticket", "session_id"] = Field(
        default="ticket", description="TLS 1.2: resume by session ticket (RFC 5077) or by session id."
    )
    also_tls12: bool = Field(
        default=False, description="TLS 1.3 levels: both sides also speak TLS 1.2 (for downgrade levels)."
    )
    server_misbehaves: list[Misbehaviour] = Field(
        default=[], description="A broken or malicious server: what it gets wrong on purpose."
    )
    request: str = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    response: str = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    close: bool = Field(default=True, description="The client says close_notify at the end.")
    key_update: bool = Field(
        default=False, description="TLS 1.3: after the first exchange the client moves to new keys, then asks again."
    )

    @model_validator(mode="after")
    def _shares_are_supported(self) -> TlsScenario:
        extra = [group for group in self.client_key_shares if group not in self.client_groups]
        if extra:
            raise ValueError(f"client_key_shares {extra} must also be in client_groups")
        return self


class TlsTurnSpec(Strict):
    move: TlsMove = Field(description="The message the real endpoint sends here.")
    ask: list[TlsAskableField] = Field(default=[], description="Choices the player makes with the move.")
    teach: str = ""
    hints: list[str] = Field(default=[], max_length=2)


class LevelBase(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=80)]
    chapter: Annotated[str, Field(min_length=1, max_length=40)]
    order: Annotated[int, Field(ge=0, le=10_000)]
    role: Side
    goal: Annotated[str, Field(min_length=1)]
    debrief: str = ""
    seed: Annotated[int, Field(ge=0)] = 1
    scoring: Scoring = Scoring()

    @property
    def moves(self) -> list[str]:
        """The message kinds the player must send, in order."""
        return [turn.move for turn in self.turns]  # type: ignore[attr-defined]


class TcpLevel(LevelBase):
    protocol: Literal["tcp"]
    scenario: TcpScenario
    turns: list[TurnSpec] = Field(min_length=1)


class TlsLevel(LevelBase):
    protocol: Literal["tls13", "tls12"]
    scenario: TlsScenario = TlsScenario()
    turns: list[TlsTurnSpec] = Field(min_length=1)

    @property
    def tls_version(self) -> Literal["tls13", "tls12"]:
        return self.protocol

    @model_validator(mode="after")
    def _suites_fit_the_version(self) -> TlsLevel:
        tls13 = self.tls_version == "tls13"
        for side in ("client_suites", "server_suites"):
            suites = getattr(self.scenario, side) or []
            wrong = [s for s in suites if s.startswith("TLS_AES") or s.startswith("TLS_CHACHA")] if not tls13 else [
                s for s in suites if "_WITH_" in s
            ]
            if wrong:
                version = "TLS 1.3" if tls13 else "TLS 1.2"
                raise ValueError(f"scenario.{side}: {', '.join(wrong)} are not {version} suites")
        return self


    def suites(self, side: Literal["client", "server"]) -> list[str]:
        """The suites a side offers or accepts, defaults filled in for the version."""
        chosen = getattr(self.scenario, f"{side}_suites")
        return list(chosen or (ALL_SUITES if self.tls_version == "tls13" else TLS12_DEFAULT_SUITES))


class StackTurnSpec(Strict):
    """A turn of a TCP-then-TLS level: a TCP segment first, TLS messages after."""

    move: TcpMove | TlsMove
    ask: list[AskableField | TlsAskableField] = []
    teach: str = ""
    hints: list[str] = Field(default=[], max_length=2)


def _open_connection() -> TcpScenario:
    return TcpScenario(
        server=Host(ip=ipaddress.IPv4Address("192.0.2.2"), port=443),
        script=[ScriptStep(side=Side.SERVER, action="listen"), ScriptStep(side=Side.CLIENT, action="connect")],
    )


class StackLevel(LevelBase):
    """TCP's three-way handshake, then a TLS handshake carried in its segments."""

    protocol: Literal["tcp+tls13", "tcp+tls12"]
    tcp: TcpScenario = Field(default_factory=_open_connection)
    scenario: TlsScenario = TlsScenario()
    turns: list[StackTurnSpec] = Field(min_length=2)

    @property
    def tls_version(self) -> Literal["tls13", "tls12"]:
        return "tls13" if self.protocol == "tcp+tls13" else "tls12"

    def suites(self, side: Literal["client", "server"]) -> list[str]:
        chosen = getattr(self.scenario, f"{side}_suites")
        return list(chosen or (ALL_SUITES if self.tls_version == "tls13" else TLS12_DEFAULT_SUITES))

    def layers(self) -> tuple[TcpLevel, TlsLevel]:
        """The level seen as its TCP part and its TLS part, each playable on its own game."""
        split = next((i for i, turn in enumerate(self.turns) if turn.move not in TCP_MOVES), len(self.turns))
        common = self.model_dump(include={"id", "title", "chapter", "order", "role", "goal", "debrief", "seed", "scoring"})
        tcp = TcpLevel.model_validate(
            common | {"protocol": "tcp", "scenario": self.tcp.model_dump(), "turns": [t.model_dump() for t in self.turns[:split]]}
        )
        tls = TlsLevel.model_validate(
            common | {"protocol": self.tls_version, "scenario": self.scenario.model_dump(),
                      "turns": [t.model_dump() for t in self.turns[split:]]}
        )
        return tcp, tls


TCP_MOVES = set(TcpMove.__args__)  # type: ignore[attr-defined]
Level = TcpLevel | TlsLevel | StackLevel
LEVEL_MODELS: dict[str, type[TcpLevel] | type[TlsLevel] | type[StackLevel]] = {
    "tcp": TcpLevel, "tls13": TlsLevel, "tls12": TlsLevel, "tcp+tls13": StackLevel, "tcp+tls12": StackLevel,
}
