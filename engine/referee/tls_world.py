"""The world of a TLS 1.3 level: a real client, a real server, and the bytes between them.

Everything is made from the level's seed: the CA, the certificates, both endpoints'
randomness. The player's endpoint does not send on its own (`autoflush=False`): what it
would send waits in its `pending` list for the player to send it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timezone

from engine.levels.model import StackLevel, TlsLevel
from engine.rng import SeededRandom
from engine.side import Side
from engine.tls.certs import CertificateAuthority, Credential
from engine.tls.client13 import TlsClient
from engine.tls.config import GAME_EPOCH, TLS12_SUITES, Session12, SessionTicket, TicketStore, TlsConfig
from engine.tls.connection import TlsConnection
from engine.tls.constants import CipherSuite, NamedGroup, ProtocolVersion
from engine.tls.server13 import TlsServer

EXPIRED_WINDOW = (datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 1, tzinfo=timezone.utc))
OTHER_NAME = "www.example.org"


@dataclass
class ScriptStep:
    """What an application does once the handshake is done."""

    side: Side
    kind: str  # "ApplicationData" or "Alert" (close_notify)
    data: bytes = b""


@dataclass
class TlsWorld:
    level: TlsLevel | StackLevel
    seed: int
    endpoints: dict[Side, TlsConnection] = field(init=False)
    certificates: dict[str, Credential] = field(init=False)
    server_certificate: str = field(init=False)
    inbox: list[tuple[Side, bytes]] = field(default_factory=list)
    # When set, bytes travel inside a transport (TCP segments) that fills `inbox` itself.
    carrier: Callable[[Side, bytes, list[tuple[Side, bytes]], list[Any]], None] | None = None
    script: list[ScriptStep] = field(init=False)
    ticket_from_earlier: SessionTicket | Session12 | None = None

    def __post_init__(self) -> None:
        scenario = self.level.scenario
        rng = SeededRandom(self.seed, self.level.id)
        ca = CertificateAuthority.generate(rng.child("ca"))
        self.certificates = self._certificates(ca, rng)
        self.server_certificate = self._label(scenario.certificate_names[0], scenario.certificate)
        client_credential = ca.issue([], "ecdsa", rng.child("client.certificate"), client=True) if scenario.client_certificate else None
        tickets = TicketStore()
        client_config = self._client_config(rng.child("client"), ca, client_credential)
        server_config = self._server_config(rng.child("server"), ca, tickets)
        if scenario.resumption:
            earlier = self._earlier_connection(rng, ca, client_credential, tickets)
            self.ticket_from_earlier = earlier
            if isinstance(earlier, Session12):
                client_config.resume12 = earlier
            else:
                client_config.resume = earlier
        player = self.level.role
        self.endpoints = {
            Side.CLIENT: TlsClient(client_config, autoflush=player is not Side.CLIENT),
            Side.SERVER: TlsServer(server_config, autoflush=player is not Side.SERVER),
        }
        self.script = [
            ScriptStep(Side.CLIENT, "ApplicationData", scenario.request.encode()),
            ScriptStep(Side.SERVER, "ApplicationData", scenario.response.encode()),
        ]
        if scenario.key_update:
            self.script += [
                ScriptStep(Side.CLIENT, "KeyUpdate"),
                ScriptStep(Side.CLIENT, "ApplicationData", scenario.request.encode()),
                ScriptStep(Side.SERVER, "ApplicationData", scenario.response.encode()),
            ]
        if scenario.close:
            self.script.append(ScriptStep(Side.CLIENT, "Alert"))

    # --- making the parts ------------------------------------------------------------

    def _versions(self) -> tuple[int, ...]:
        also = self.level.scenario.also_tls12 and self.level.tls_version == "tls13"
        if also:
            return (ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)
        return (ProtocolVersion.TLS1_3,) if self.level.tls_version == "tls13" else (ProtocolVersion.TLS1_2,)

    def _suites(self, side: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(TLS 1.3 suites, TLS 1.2 suites) a side offers or accepts."""
        named = [CipherSuite[name] for name in self.level.suites(side)]  # type: ignore[arg-type]
        tls13 = tuple(s for s in named if s < 0x1400 and s >= 0x1300)
        tls12 = tuple(s for s in named if not 0x1300 <= s < 0x1400) or TLS12_SUITES
        return tls13, tls12

    @staticmethod
    def _label(name: str, kind: str) -> str:
        return f"{name} ({kind})"

    def _certificates(self, ca: CertificateAuthority, rng: SeededRandom) -> dict[str, Credential]:
        """The level's server certificate, and the wrong ones a player might pick instead."""
        scenario = self.level.scenario
        signer = CertificateAuthority.generate(rng.child("rogue-ca"), "an untrusted CA") if scenario.certificate_untrusted else ca
        kind = scenario.certificate
        if scenario.certificate_expired:
            own = signer.issue(scenario.certificate_names, kind, rng.child("server.certificate"),
                               not_before=EXPIRED_WINDOW[0], not_after=EXPIRED_WINDOW[1])
        else:
            own = signer.issue(scenario.certificate_names, kind, rng.child("server.certificate"))
        other = ca.issue([OTHER_NAME], kind, rng.child("other.certificate"))
        expired = ca.issue([scenario.server_name], kind, rng.child("expired.certificate"),
                           not_before=EXPIRED_WINDOW[0], not_after=EXPIRED_WINDOW[1])
        return {
            self._label(scenario.certificate_names[0], kind): own,
            self._label(OTHER_NAME, kind): other,
            f"{scenario.server_name} ({kind}, expired)": expired,
        }

    def _client_config(self, rng: SeededRandom, ca: CertificateAuthority, credential: Credential | None) -> TlsConfig:
        scenario = self.level.scenario
        return TlsConfig(
            rng,
            now=GAME_EPOCH,
            versions=self._versions(),
            cipher_suites=self._suites("client")[0],
            tls12_suites=self._suites("client")[1],
            session_tickets=scenario.resumption_by == "ticket",
            groups=tuple(NamedGroup[name] for name in scenario.client_groups),
            key_share_groups=tuple(NamedGroup[name] for name in scenario.client_key_shares),
            server_name=scenario.server_name,
            alpn=tuple(scenario.alpn),
            credential=credential,
            trust_anchors=(ca.certificate,),
            middlebox_compat=scenario.middlebox_compat,
        )

    def _server_config(self, rng: SeededRandom, ca: CertificateAuthority, tickets: TicketStore) -> TlsConfig:
        scenario = self.level.scenario
        return TlsConfig(
            rng,
            now=GAME_EPOCH,
            versions=self._versions(),
            cipher_suites=self._suites("server")[0],
            tls12_suites=self._suites("server")[1],
            session_tickets=scenario.resumption_by == "ticket",
            misbehave=tuple(scenario.server_misbehaves),
            groups=tuple(NamedGroup[name] for name in scenario.server_groups),
            alpn=tuple(scenario.alpn),
            credential=self.certificates[self.server_certificate],
            trust_anchors=(ca.certificate,),
            client_auth=scenario.client_auth,
            middlebox_compat=scenario.middlebox_compat,
            tickets=tickets,
        )

    def _earlier_connection(
        self, rng: SeededRandom, ca: CertificateAuthority, credential: Credential | None, tickets: TicketStore
    ) -> SessionTicket | Session12 | None:
        """A whole connection played by the engine alone, for the ticket it leaves."""
        client = TlsClient(self._client_config(rng.child("earlier.client"), ca, credential))
        server = TlsServer(self._server_config(rng.child("earlier.server"), ca, tickets))
        data = client.start().data
        for _ in range(10):
            if not data:
                break
            data = client.receive(server.receive(data).data).data
        kept = client.received_tickets or client.received_tickets12
        return kept[0] if kept else None

    # --- moving bytes ----------------------------------------------------------------

    def post(self, sender: Side, data: bytes, events: list[Any]) -> None:
        """Send bytes toward the other side; a carrier reports what it put on the wire
        into `events`."""
        if not data:
            return
        if self.carrier is not None:
            self.carrier(sender, data, self.inbox, events)
        else:
            self.inbox.append((sender.other, data))

    def next_delivery(self, hold: Side | None = None) -> tuple[Side, bytes] | None:
        """The oldest bytes in flight, except those for `hold`, which waits."""
        for index, (receiver, data) in enumerate(self.inbox):
            if receiver is not hold:
                return self.inbox.pop(index)
        return None

    def both_connected(self) -> bool:
        return all(endpoint.handshake_complete for endpoint in self.endpoints.values())


