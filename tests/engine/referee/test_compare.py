"""The Compare chapter's figures, counted from real runs, against what the RFCs say of them."""

from __future__ import annotations

import pytest

from engine.levels import load_level
from engine.levels.model import TlsLevel
from engine.referee.compare import compare, count, twin_level
from engine.referee.referee import play_to_end
from engine.referee.tcp_world import ScenarioError


def figures_of(level_id: str):  # type: ignore[no-untyped-def]
    level = load_level(level_id)
    return compare(level, play_to_end(level, level.seed))


def test_tls12_full_handshake_takes_two_round_trips_and_tls13_one() -> None:
    tls12, tls13 = figures_of("compare-02-tls12-round-trips")
    assert tls12.name.startswith("TLS 1.2") and tls13.name.startswith("TLS 1.3")
    assert (tls12.round_trips, tls13.round_trips) == (2, 1)  # RFC 5246 §7.3, RFC 8446 §2


def test_hello_retry_and_resumption_change_the_count() -> None:
    # The game is TLS 1.3 with a HelloRetryRequest: one extra round trip (RFC 8446 §2.1).
    _, hrr = compare(level := load_level("tls13-03-hello-retry"), play_to_end(level, level.seed))
    assert hrr.round_trips == 2
    # An abbreviated TLS 1.2 handshake (RFC 5246 §7.3 figure 2) is one round trip, no key exchange.
    resumed, _ = compare(level := load_level("tls12-05-resumption"), play_to_end(level, level.seed))
    assert resumed.round_trips == 1
    assert resumed.key_exchange.startswith("none")


def test_what_is_encrypted_in_each_version() -> None:
    tls12, tls13 = figures_of("compare-03-tls13-what-is-encrypted")
    assert tls12.encrypted == ("C:Finished", "S:Finished")  # only Finished, after ChangeCipherSpec
    assert "S:Certificate" in tls12.in_clear
    for encrypted in ("S:EncryptedExtensions", "S:Certificate", "S:CertificateVerify", "S:Finished", "C:Finished"):
        assert encrypted in tls13.encrypted
    assert set(tls13.in_clear) == {"C:ClientHello", "S:ServerHello", "S:ChangeCipherSpec", "C:ChangeCipherSpec"}


def test_identity_and_key_exchange_of_each_version() -> None:
    rsa, tls13 = figures_of("compare-05-key-exchange")
    assert rsa.identity == ("S:Certificate",)  # RSA key transport: nothing signed
    assert "RSA" in rsa.key_exchange and "pre_master_secret" in rsa.key_exchange
    assert tls13.identity == ("S:Certificate", "S:CertificateVerify")
    assert tls13.key_exchange.startswith("shared_secret")
    server12, _ = figures_of("compare-04-server-proofs")
    assert server12.identity == ("S:Certificate", "S:ServerKeyExchange")


def test_tcp_next_to_tls_in_one_game() -> None:
    tcp, tls = figures_of("compare-01-tcp-vs-tls")
    assert tcp.messages == ("C:SYN", "S:SYN-ACK", "C:ACK") and tcp.round_trips == 1
    assert tcp.encrypted == () and tcp.identity == () and tcp.key_exchange.startswith("none")
    assert tls.round_trips == 1 and tls.identity


def test_a_mistake_is_not_counted() -> None:
    level = load_level("compare-02-tls12-round-trips")
    clean = play_to_end(level, level.seed)
    from engine.referee import EntryRole, Move, Referee

    played = Referee(level, level.seed, clock=lambda: 0.0)
    played.start()
    played.play(Move("Alert", {}))  # wrong: a refusal instead of the ClientHello
    assert any(entry.role is EntryRole.MISTAKE for entry in played.ladder)
    while played.turn is not None:
        played.play(played.solution_move())
    assert count("a", played.ladder, played.secrets, "tls") == count("a", clean.ladder, clean.secrets, "tls")


def test_the_twin_is_the_same_scenario_in_the_other_version() -> None:
    level = load_level("compare-05-key-exchange")
    assert isinstance(level, TlsLevel)
    twin = twin_level(level)
    assert twin.protocol == "tls13" and level.protocol == "tls12"
    assert twin.scenario.certificate == level.scenario.certificate
    assert twin.scenario.request == level.scenario.request
    assert twin_level(twin).protocol == "tls12"


def test_a_tcp_game_cannot_be_compared() -> None:
    level = load_level("tcp-01-handshake-client")
    with pytest.raises(ScenarioError):
        compare(level, play_to_end(level, level.seed))
