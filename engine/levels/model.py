"""The level format: what a TOML level file may say, as validated models.

Validation is pydantic's; `engine.levels.loader` turns its errors into one line per
problem (file, line, key path, expected, found, did-you-mean). Everything an author can
write is here, with its type, default and meaning, so `synack levels schema` and the key
tables of docs/authoring.md come from it. Checks that involve several keys at once (a
suite of the wrong version, a message the other side sends) live in `engine.levels.rules`,
where each problem can name its own key path.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt

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
# Every alert of RFC 8446 §6 / RFC 5246 §7.2 (tests check this against engine.tls.alerts).
AlertName = Literal[
    "close_notify", "unexpected_message", "bad_record_mac", "record_overflow", "handshake_failure",
    "bad_certificate", "unsupported_certificate", "certificate_revoked", "certificate_expired",
    "certificate_unknown", "illegal_parameter", "unknown_ca", "access_denied", "decode_error",
    "decrypt_error", "protocol_version", "insufficient_security", "internal_error",
    "inappropriate_fallback", "user_canceled", "missing_extension", "unsupported_extension",
    "unrecognized_name", "bad_certificate_status_response", "unknown_psk_identity",
    "certificate_required", "no_application_protocol",
]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
Uint32 = Annotated[StrictInt, Field(ge=0, le=2**32 - 1)]


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
    window: Annotated[StrictInt, Field(ge=0, le=65535)] = Field(default=64240, description="Receive window in the SYN.")
    mss: Annotated[StrictInt, Field(ge=88, le=65535)] = Field(default=1460, description="Maximum segment size option.")
    window_scale: Annotated[StrictInt, Field(ge=0, le=14)] | None = Field(
        default=7, description="Window scale option (shift count)."
    )
    sack_permitted: StrictBool = Field(default=True, description="Send the SACK-permitted option.")


class ScriptStep(Strict):
    """What one side's application does, in order: listen(), connect(), send(), close()."""

    side: Side = Field(description="Whose application acts: client or server.")
    action: Action = Field(description="listen, connect, send, close (FIN) or abort (RST).")
    data: str | None = Field(default=None, description="The bytes sent, for action = send.")
    together: StrictBool = Field(
        default=False, description="Happens at once, without waiting for the wire to fall quiet (simultaneous open)."
    )


class Fault(Strict):
    """The wire loses the nth segment of a kind sent by a side."""

    drop: TcpMove = Field(description="Kind of segment to lose.")
    sender: Side = Field(description="The side whose segment is lost.")
    nth: Annotated[StrictInt, Field(ge=1, le=100)] = Field(default=1, description="Which one of them (1 = the first).")


class TcpScenario(Strict):
    """The TCP connection: the two hosts, the wire, and what each application does."""

    client: Host = Field(default=Host(ip=ipaddress.IPv4Address("192.0.2.1")), description="The client host.")
    server: Host = Field(default=Host(ip=ipaddress.IPv4Address("192.0.2.2"), port=80), description="The server host.")
    one_way_delay_ms: Annotated[StrictFloat, Field(gt=0, le=10_000)] = Field(
        default=10.0, description="How long a segment takes across the wire, in ms."
    )
    msl_seconds: Annotated[StrictFloat, Field(gt=0, le=600)] = Field(
        default=120.0, description="Maximum segment lifetime (TIME-WAIT lasts 2 MSL)."
    )
    script: list[ScriptStep] = Field(min_length=1, description="The applications' calls, in order.")
    faults: list[Fault] = Field(default=[], description="Segments the wire loses.")


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
    """Points: 1000, less mistakes, hints and time over par."""

    par_seconds: Annotated[StrictInt, Field(ge=1, le=3600)] = Field(default=120, description="Time allowed before points drop.")
    mistake_cost: Annotated[StrictInt, Field(ge=0, le=1000)] = Field(default=200, description="Points lost per wrong move.")
    hint_costs: tuple[
        Annotated[StrictInt, Field(ge=0, le=1000)], Annotated[StrictInt, Field(ge=0, le=1000)], Annotated[StrictInt, Field(ge=0, le=1000)]
    ] = Field(default=(50, 100, 200), description="Points each hint costs: nudge, rule, answer.")


class TlsScenario(Strict):
    """A TLS 1.3 connection: who offers what, which certificate the server shows, and what
    the applications say once the handshake is done."""

    server_name: str = Field(default="localhost", description="The name the client asks for (SNI).")
    certificate: Literal["ed25519", "ecdsa", "rsa"] = Field(
        default="ecdsa", description="The server certificate's key type (ed25519: TLS 1.3 only)."
    )
    certificate_names: list[str] = Field(default=["localhost"], min_length=1, description="Names on the server's certificate.")
    certificate_expired: StrictBool = Field(default=False, description="The server's certificate ran out before today.")
    certificate_untrusted: StrictBool = Field(default=False, description="Signed by a CA the client does not trust.")
    client_suites: list[SuiteName] | None = Field(
        default=None, min_length=1, description="Omitted: every suite of the level's TLS version."
    )
    client_groups: list[GroupName] = Field(default=ALL_GROUPS, min_length=1, description="Groups the client supports.")
    client_key_shares: list[GroupName] = Field(
        default=["x25519"], min_length=1, description="TLS 1.3: groups the client sends a key share for (each in client_groups)."
    )
    server_suites: list[SuiteName] | None = Field(
        default=None, min_length=1, description="Omitted: every suite of the level's TLS version."
    )
    server_groups: list[GroupName] = Field(default=ALL_GROUPS, min_length=1, description="Groups the server accepts.")
    client_auth: Literal["none", "request", "require"] = Field(
        default="none", description="Whether the server sends CertificateRequest, and if it insists on a certificate."
    )
    client_certificate: StrictBool = Field(default=False, description="The client has a certificate to show.")
    alpn: list[str] = Field(default=[], description="Application protocols the client offers (ALPN).")
    middlebox_compat: StrictBool = Field(default=True, description="TLS 1.3: the dummy ChangeCipherSpec records (RFC 8446 §D.4).")
    resumption: StrictBool = Field(default=False, description="Resume with a ticket from an earlier connection.")
    resumption_by: Literal["ticket", "session_id"] = Field(
        default="ticket", description="TLS 1.2: resume by session ticket (RFC 5077) or by session id."
    )
    also_tls12: StrictBool = Field(
        default=False, description="TLS 1.3 levels: both sides also speak TLS 1.2 (for downgrade levels)."
    )
    server_misbehaves: list[Misbehaviour] = Field(
        default=[], description="A broken or malicious server: what it gets wrong on purpose."
    )
    request: str = Field(default="GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", description="What the client application sends.")
    response: str = Field(
        default="HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", description="What the server application answers."
    )
    close: StrictBool = Field(default=True, description="The client says close_notify at the end.")
    key_update: StrictBool = Field(
        default=False, description="TLS 1.3: after the first exchange the client moves to new keys, then asks again."
    )


class TlsTurnSpec(Strict):
    """One turn of the player's in a TLS level."""

    move: TlsMove = Field(description="The message the real endpoint sends here.")
    ask: list[TlsAskableField] = Field(default=[], description="Choices the player makes with the move.")
    alert: AlertName | None = Field(
        default=None, description="For move = \"Alert\": the alert the real endpoint sends here (checked by validate)."
    )
    teach: str = Field(default="", description="Shown after the move: why this message now.")
    hints: list[str] = Field(default=[], max_length=2, description="Nudge and rule hints; the answer is generated.")


LEVEL_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class LevelBase(Strict):
    id: Annotated[str, Field(pattern=LEVEL_ID_PATTERN, max_length=64)] = Field(
        description="Unique id: lowercase letters, digits and dashes (used by `synack play ID`)."
    )
    title: Annotated[str, Field(min_length=1, max_length=80)] = Field(description="Shown in the level list.")
    chapter: Annotated[str, Field(min_length=1, max_length=40)] = Field(description="The chapter it is listed under.")
    order: Annotated[StrictInt, Field(ge=0, le=10_000)] = Field(description="Its place in the chapter.")
    role: Side = Field(description="Whom the player plays: client or server.")
    goal: Annotated[str, Field(min_length=1)] = Field(description="The task, shown before the level starts.")
    debrief: str = Field(default="", description="Shown when the level is over: what just happened.")
    seed: Annotated[StrictInt, Field(ge=0)] = Field(default=1, description="Seed when the player gives none (--seed).")
    scoring: Scoring = Field(default=Scoring(), description="How points are counted.")

    @property
    def moves(self) -> list[str]:
        """The message kinds the player must send, in order."""
        return [turn.move for turn in self.turns]  # type: ignore[attr-defined]


class TcpLevel(LevelBase):
    """A TCP level: the player is one side's TCP."""

    protocol: Literal["tcp"] = Field(description="tcp, tls12, tls13, tcp+tls12 or tcp+tls13.")
    scenario: TcpScenario = Field(description="The connection the level plays.")
    turns: list[TurnSpec] = Field(min_length=1, description="The player's turns, in order.")


class TlsLevel(LevelBase):
    """A TLS level: the player is one side's TLS (the TCP connection is taken as open)."""

    protocol: Literal["tls13", "tls12"] = Field(description="tcp, tls12, tls13, tcp+tls12 or tcp+tls13.")
    scenario: TlsScenario = Field(default=TlsScenario(), description="The TLS connection the level plays.")
    turns: list[TlsTurnSpec] = Field(min_length=1, description="The player's turns, in order.")

    @property
    def tls_version(self) -> Literal["tls13", "tls12"]:
        return self.protocol

    def suites(self, side: Literal["client", "server"]) -> list[str]:
        """The suites a side offers or accepts, defaults filled in for the version."""
        chosen = getattr(self.scenario, f"{side}_suites")
        return list(chosen or (ALL_SUITES if self.tls_version == "tls13" else TLS12_DEFAULT_SUITES))


class StackTurnSpec(Strict):
    """A turn of a TCP-then-TLS level: a TCP segment first, TLS messages after."""

    move: TcpMove | TlsMove = Field(description="The segment or message the real endpoint sends here.")
    ask: list[AskableField | TlsAskableField] = Field(default=[], description="Fields or choices the player supplies.")
    alert: AlertName | None = Field(
        default=None, description="For move = \"Alert\": the alert the real endpoint sends here (checked by validate)."
    )
    teach: str = Field(default="", description="Shown after the move: why this message now.")
    hints: list[str] = Field(default=[], max_length=2, description="Nudge and rule hints; the answer is generated.")


def _open_connection() -> TcpScenario:
    return TcpScenario(
        server=Host(ip=ipaddress.IPv4Address("192.0.2.2"), port=443),
        script=[ScriptStep(side=Side.SERVER, action="listen"), ScriptStep(side=Side.CLIENT, action="connect")],
    )


class StackLevel(LevelBase):
    """TCP's three-way handshake, then a TLS handshake carried in its segments."""

    protocol: Literal["tcp+tls13", "tcp+tls12"] = Field(description="tcp, tls12, tls13, tcp+tls12 or tcp+tls13.")
    tcp: TcpScenario = Field(
        default_factory=_open_connection, description="The TCP connection under TLS (default: the client connects to port 443)."
    )
    scenario: TlsScenario = Field(default=TlsScenario(), description="The TLS connection carried in it.")
    turns: list[StackTurnSpec] = Field(min_length=2, description="TCP turns first, then TLS turns.")

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
            common | {"protocol": "tcp", "scenario": self.tcp.model_dump(), "turns": [t.model_dump(exclude={"alert"}) for t in self.turns[:split]]}
        )
        tls = TlsLevel.model_validate(
            common | {"protocol": self.tls_version, "scenario": self.scenario.model_dump(),
                      "turns": [t.model_dump() for t in self.turns[split:]]}
        )
        return tcp, tls


TCP_MOVES = set(TcpMove.__args__)  # type: ignore[attr-defined]
Level = TcpLevel | TlsLevel | StackLevel
# The same three as one schema: `protocol` says which (for `synack levels schema`).
AnyLevel = Annotated[Union[TcpLevel, TlsLevel, StackLevel], Field(discriminator="protocol")]
LEVEL_MODELS: dict[str, type[TcpLevel] | type[TlsLevel] | type[StackLevel]] = {
    "tcp": TcpLevel, "tls13": TlsLevel, "tls12": TlsLevel, "tcp+tls13": StackLevel, "tcp+tls12": StackLevel,
}
