"""The TLS 1.3 key schedule's shape: its events as a tree, its names, its order rules,
KeyUpdate, the SHA-384 suite; and the NSS key log format. The values themselves are proven
against RFC 8448 (test_rfc8448.py) and OpenSSL's key logs (test_capture_decrypt.py)."""

from __future__ import annotations

import copy
import hmac
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from engine.tls import keyschedule
from engine.tls.alerts import IllegalParameter, InternalError
from engine.tls.keylog import KeyLogError, parse_keylog, tls12_keylog_line, tls13_keylog_lines
from engine.tls.keyschedule import (
    KeySchedule,
    SecretDerived,
    derive_secret,
    hkdf_expand_label,
    hkdf_label,
)
from engine.tls.prf import Tls12KeySchedule
from engine.tls.suites import SUITES, suite_info

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"
SHARED = bytes(range(32))
TH = {name: bytes([n]) * 32 for n, name in enumerate(["ch_sh", "ch_sf", "ch_cf", "ch_cv"])}
LEAVES = {"0", 'H("")', "H(ClientHello...ServerHello)", "H(ClientHello...server Finished)",
          "H(ClientHello...client Finished)", "H(ClientHello...CertificateVerify)", "H(ClientHello)",
          "H(Handshake Context)", "ticket_nonce"}


def full_schedule(code: int = 0x1301, psk: bytes | None = None) -> KeySchedule:
    schedule = KeySchedule(code)
    schedule.early(psk)
    if psk is not None:
        schedule.binder_key("resumption")
        schedule.client_early_traffic(TH["ch_sh"])
    handshake = schedule.handshake(SHARED, TH["ch_sh"])
    schedule.traffic_keys(handshake.client)
    schedule.traffic_keys(handshake.server)
    schedule.finished_verify_data(handshake.server, TH["ch_cv"], transcript="ClientHello...CertificateVerify")
    application = schedule.master(TH["ch_sf"])
    schedule.traffic_keys(application.client)
    schedule.next_application_secret(application.client)
    schedule.resumption(TH["ch_cf"])
    schedule.resumption_psk(b"\x00\x01")
    return schedule


def test_hkdf_label_is_the_rfc_structure() -> None:
    label = hkdf_label(b"c hs traffic", b"\xaa" * 32, 32)
    assert label[:2] == (32).to_bytes(2, "big")
    assert label[2] == len(b"tls13 c hs traffic") and label[3:21] == b"tls13 c hs traffic"
    assert label[21] == 32 and label[22:] == b"\xaa" * 32


def test_derive_secret_is_expand_label_with_the_hash_length() -> None:
    secret = bytes(48)
    assert derive_secret(secret, b"derived", b"", hashes.SHA384) == hkdf_expand_label(
        secret, b"derived", b"", 48, hashes.SHA384)


@pytest.mark.parametrize("psk", [None, b"\x42" * 32])
def test_the_events_form_a_tree_that_grows_from_known_nodes(psk: bytes | None) -> None:
    """Every input of every event is an earlier event or a named leaf (a transcript hash,
    zeros, the ticket nonce): the UI can draw each node under its parents as it comes."""
    events = full_schedule(psk=psk).events
    seen: set[str] = set()
    for event in events:
        assert set(event.inputs) <= seen | LEAVES, event
        assert event.section.startswith("RFC 8446 §") and event.formula
        seen.add(event.name)


def test_the_contract_example_event() -> None:
    event = next(e for e in full_schedule().events if e.name == "client_handshake_traffic_secret")
    assert event.inputs == ("handshake_secret", "H(ClientHello...ServerHello)")
    assert event.formula == 'Derive-Secret(handshake_secret, "c hs traffic", ClientHello...ServerHello)'
    assert event.section == "RFC 8446 §7.1" and event.context == TH["ch_sh"]


def test_write_keys_and_ivs_are_events_named_after_their_secret() -> None:
    schedule = full_schedule()
    names = [e.name for e in schedule.events]
    for name in ("client_handshake_key", "client_handshake_iv", "server_handshake_key",
                 "server_handshake_iv", "client_application_key_0", "client_application_iv_0"):
        assert name in names
    key = next(e for e in schedule.events if e.name == "client_handshake_key")
    assert key.inputs == ("client_handshake_traffic_secret",)
    assert key.formula == 'HKDF-Expand-Label(client_handshake_traffic_secret, "key", "", key_length)'
    assert key.section == "RFC 8446 §7.3"


def test_psk_events_come_first_and_name_the_psk() -> None:
    names = [e.name for e in full_schedule(psk=b"\x42" * 32).events]
    assert names[:6] == ["psk", "early_secret", "binder_key", "early_exporter_master_secret",
                         "client_early_traffic_secret", "derived_secret_for_handshake"]


def test_psk_only_mode_extracts_zeros() -> None:
    schedule = KeySchedule(0x1301)
    schedule.early(b"\x01" * 32)
    schedule.handshake(None, TH["ch_sh"])
    event = next(e for e in schedule.events if e.name == "handshake_secret")
    assert event.inputs == ("derived_secret_for_handshake", "0")
    assert "shared_secret" not in schedule.secrets


def test_handshake_without_early_starts_from_no_psk() -> None:
    implicit, explicit = KeySchedule(0x1301), KeySchedule(0x1301)
    explicit.early(None)
    assert implicit.handshake(SHARED, TH["ch_sh"]) == explicit.handshake(SHARED, TH["ch_sh"])


def test_key_update_walks_the_generations() -> None:
    schedule = full_schedule()
    first = schedule.secrets["client_application_traffic_secret_1"]
    assert first == hkdf_expand_label(schedule.secrets["client_application_traffic_secret_0"],
                                      b"traffic upd", b"", 32, hashes.SHA256)
    second = schedule.next_application_secret(first)
    assert schedule.name_of(second) == "client_application_traffic_secret_2"
    schedule.traffic_keys(second)
    assert "client_application_key_2" in schedule.secrets
    with pytest.raises(InternalError):
        schedule.next_application_secret(schedule.secrets["master_secret"])


def test_finished_names_follow_the_base_key() -> None:
    schedule = full_schedule()
    assert {"server_finished_key", "server_verify_data"} <= set(schedule.secrets)
    verify = next(e for e in schedule.events if e.name == "server_verify_data")
    assert verify.inputs == ("server_finished_key", "H(ClientHello...CertificateVerify)")
    assert verify.formula == "HMAC(server_finished_key, H(ClientHello...CertificateVerify))"
    assert verify.section == "RFC 8446 §4.4.4"


@pytest.mark.parametrize("step", ["master", "resumption", "binder_key", "client_early_traffic",
                                  "resumption_psk"])
def test_steps_out_of_order_are_internal_errors(step: str) -> None:
    schedule = KeySchedule(0x1301)
    calls: dict[str, Callable[[], object]] = {
        "master": lambda: schedule.master(TH["ch_sf"]),
        "resumption": lambda: schedule.resumption(TH["ch_cf"]),
        "binder_key": lambda: schedule.binder_key("external"),
        "client_early_traffic": lambda: schedule.client_early_traffic(TH["ch_sh"]),
        "resumption_psk": lambda: schedule.resumption_psk(b""),
    }
    with pytest.raises(InternalError, match="not derived yet"):
        calls[step]()
    assert schedule.events == []


def test_a_secret_from_elsewhere_needs_a_name() -> None:
    schedule = KeySchedule(0x1301)
    with pytest.raises(InternalError):
        schedule.traffic_keys(bytes(32))
    keys = schedule.traffic_keys(bytes(32), secret_name="client_handshake_traffic_secret")
    assert schedule.secrets["client_handshake_key"] == keys.key


def test_a_forked_schedule_derives_what_the_original_does() -> None:
    """The referee forks endpoints with copy.deepcopy: a fork's schedule goes on to the
    same values as the original; so does a TLS 1.2 schedule's, whose fork shares the HMAC
    keyed by the master secret."""
    schedule = KeySchedule(0x1301)
    handshake = schedule.handshake(SHARED, TH["ch_sh"])
    schedule.traffic_keys(handshake.client)
    fork = copy.deepcopy(schedule)
    for each in (schedule, fork):
        each.finished_verify_data(handshake.client, TH["ch_cv"])
        each.traffic_keys(each.master(TH["ch_sf"]).server)
    assert fork.events == schedule.events and fork.secrets == schedule.secrets
    tls12 = Tls12KeySchedule(0xC02F)
    tls12.pre_master(SHARED, "test")
    tls12.master(TH["ch_sh"], TH["ch_sf"])
    tls12.verify_data(b"client finished", TH["ch_cv"])  # keys HMAC with the master secret
    fork12 = copy.deepcopy(tls12)
    for each12 in (tls12, fork12):
        each12.key_block(TH["ch_sf"], TH["ch_sh"])
        each12.verify_data(b"server finished", TH["ch_cf"])
    assert fork12.events == tls12.events and fork12.macs is not tls12.macs


@pytest.mark.parametrize("code", [0x1301, 0x1302])
def test_without_openssls_c_hmac_the_schedule_is_the_same(code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python built without OpenSSL's _hashlib makes the one-shot HMACs with hmac.new,
    which takes the same arguments: every value comes out the same."""
    expected = full_schedule(code, psk=b"\x42" * 32).events
    monkeypatch.setattr(keyschedule, "_new_hmac", hmac.new)
    assert full_schedule(code, psk=b"\x42" * 32).events == expected


def test_sha384_suite_lengths() -> None:
    schedule = full_schedule(0x1302)
    assert len(schedule.secrets["master_secret"]) == 48
    assert len(schedule.secrets["client_handshake_key"]) == 32
    assert len(schedule.secrets["client_handshake_iv"]) == 12


def test_a_tls12_suite_has_no_tls13_schedule() -> None:
    with pytest.raises(InternalError):
        KeySchedule(0xC02F)


def test_suite_table() -> None:
    assert {s.version for s in SUITES.values()} == {"1.2", "1.3"}
    chacha = suite_info(0x1303)
    assert (chacha.key_length, chacha.iv_length, chacha.hash_name) == (32, 12, "sha256")
    gcm12 = suite_info(0xC02C)
    assert (gcm12.iv_length, gcm12.explicit_nonce_length, gcm12.hash_length) == (4, 8, 48)
    assert all((s.key_exchange is None) == (s.version == "1.3") for s in SUITES.values())
    with pytest.raises(IllegalParameter):
        suite_info(0x0005)


# --- NSS key log --------------------------------------------------------------------------------


def test_tls13_keylog_lines_come_from_the_events() -> None:
    events = [SecretDerived("client_handshake_traffic_secret", b"\x01" * 32, (), "", ""),
              SecretDerived("master_secret", b"\x02" * 32, (), "", ""),
              SecretDerived("exporter_master_secret", b"\x03" * 32, (), "", "")]
    random = bytes(range(32))
    assert tls13_keylog_lines(random, events) == [
        f"CLIENT_HANDSHAKE_TRAFFIC_SECRET {random.hex()} {'01' * 32}",
        f"EXPORTER_SECRET {random.hex()} {'03' * 32}"]


def test_tls12_keylog_line() -> None:
    assert tls12_keylog_line(bytes(32), b"\xab" * 48) == f"CLIENT_RANDOM {'00' * 32} {'ab' * 48}"


@pytest.mark.parametrize("path", sorted(CAPTURES.glob("tls*.keys")), ids=lambda p: p.stem)
def test_openssl_key_logs_parse_and_print_back(path: Path) -> None:
    text = path.read_text()
    log = parse_keylog(text)
    assert len(log.client_randoms()) == 1
    wanted = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert [entry.line() for entry in log.entries] == wanted


def test_keylog_parser_skips_comments_and_keeps_unknown_labels() -> None:
    random = "11" * 32
    log = parse_keylog(f"# a comment\n\n  FUTURE_SECRET {random} beef\nRSA {'22' * 8} {'33' * 48}\n")
    assert [e.label for e in log.entries] == ["FUTURE_SECRET", "RSA"]
    assert log.secret("FUTURE_SECRET", bytes.fromhex(random)) == b"\xbe\xef"
    assert log.secret("CLIENT_RANDOM", bytes.fromhex(random)) is None


@pytest.mark.parametrize(("line", "problem"), [
    ("CLIENT_RANDOM abcd", "found 2 fields"),
    (f"CLIENT_RANDOM {'zz' * 32} 00", "must be hex"),
    ("CLIENT_RANDOM 0011 00", "32-byte second field"),
])
def test_keylog_parser_names_the_bad_line(line: str, problem: str) -> None:
    with pytest.raises(KeyLogError, match=problem) as failure:
        parse_keylog(f"# ok\n{line}\n")
    assert failure.value.line_number == 2
