"""The TLS 1.2 PRF (RFC 5246 §5) against published vectors, and the key block split.

The capture tests (test_capture_decrypt.py) add the proof that matters most: the key block
our PRF expands from OpenSSL's logged master secret decrypts OpenSSL's records, both
Finished messages recompute, and the RSA capture's extended master secret recomputes.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes

from engine.tls.alerts import InternalError
from engine.tls.prf import (
    Tls12KeySchedule,
    extended_master_secret,
    key_block,
    master_secret,
    p_hash,
    prf,
    verify_data,
)
from engine.tls.suites import suite_info

# The P_SHA256 and P_SHA384 vectors posted to the IETF TLS working group list during the
# TLS 1.2 drafts (mail-archive/web/tls/current/msg03416.html), as public test suites quote
# them (e.g. OpenSSL-derived KATs "TLS-12-PRF(HMAC(SHA-256))").
SHA256_SECRET = bytes.fromhex("9bbe436ba940f017b17652849a71db35")
SHA256_SEED = bytes.fromhex("a0ba9f936cda311827a6f796ffd5198c")
SHA256_OUTPUT = bytes.fromhex(
    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
    "87347b66")
SHA384_SECRET = bytes.fromhex("b80b733d6ceefcdc71566ea48e5567df")
SHA384_SEED = bytes.fromhex("cd665cf6a8447dd6ff8b27555edb7465")
SHA384_OUTPUT = bytes.fromhex(
    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
    "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
    "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
    "91c8f3a26854308d5eaa3be85e0990703d73e56f")

# The Illustrated TLS 1.2 Connection (tls12.xargs.org, "Client Encryption Keys
# Calculation"): x25519 pre-master secret, the hello randoms, the master secret, and the
# first 72 bytes of its key expansion (a CBC suite: two 20-byte MAC keys, two 16-byte keys).
XARGS_PRE_MASTER = bytes.fromhex("df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624")
XARGS_CLIENT_RANDOM = bytes(range(0x00, 0x20))
XARGS_SERVER_RANDOM = bytes(range(0x70, 0x90))
XARGS_MASTER = bytes.fromhex(
    "916abf9da55973e13614ae0a3f5d3f37b023ba129aee02cc9134338127cd7049781c8e19fc1eb2a7387ac06ae237344c")
XARGS_KEY_EXPANSION = bytes.fromhex(
    "1b7d117c7d5f690bc263cae8ef60af0f1878acc2"  # client write MAC key
    "2ad8bdd8c601a617126f63540eb20906f781fad2"  # server write MAC key
    "f656d037b173ef3e11169f27231a84b6"  # client write key
    "752a18e7a9fcb7cbcdd8f98dd8f769eb")  # server write key


def test_p_sha256_published_vector() -> None:
    assert prf(SHA256_SECRET, b"test label", SHA256_SEED, 100, hashes.SHA256) == SHA256_OUTPUT


def test_p_sha384_published_vector() -> None:
    assert prf(SHA384_SECRET, b"test label", SHA384_SEED, 148, hashes.SHA384) == SHA384_OUTPUT


def test_the_prf_is_p_hash_of_label_and_seed_and_any_prefix_of_it() -> None:
    assert p_hash(SHA256_SECRET, b"test label" + SHA256_SEED, 100, hashes.SHA256) == SHA256_OUTPUT
    for length in (0, 1, 31, 32, 33, 64, 99):
        assert prf(SHA256_SECRET, b"test label", SHA256_SEED, length, hashes.SHA256) == SHA256_OUTPUT[:length]


def test_master_secret_and_key_expansion_of_the_illustrated_connection() -> None:
    master = master_secret(XARGS_PRE_MASTER, XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM, hashes.SHA256)
    assert master == XARGS_MASTER
    expansion = prf(master, b"key expansion", XARGS_SERVER_RANDOM + XARGS_CLIENT_RANDOM, 72, hashes.SHA256)
    assert expansion == XARGS_KEY_EXPANSION


def test_the_extended_master_secret_is_a_different_prf_call() -> None:
    session_hash = bytes(32)
    ems = extended_master_secret(XARGS_PRE_MASTER, session_hash, hashes.SHA256)
    assert ems == prf(XARGS_PRE_MASTER, b"extended master secret", session_hash, 48, hashes.SHA256)
    assert len(ems) == 48 and ems != XARGS_MASTER


@pytest.mark.parametrize(("code", "key", "iv"), [(0x009C, 16, 4), (0xC030, 32, 4), (0xCCA9, 32, 12)])
def test_the_key_block_splits_in_the_rfc_order(code: int, key: int, iv: int) -> None:
    """RFC 5246 §6.3: client_write_MAC_key, server_write_MAC_key (none for AEAD),
    client_write_key, server_write_key, client_write_IV, server_write_IV."""
    suite = suite_info(code)
    block = key_block(XARGS_MASTER, XARGS_SERVER_RANDOM, XARGS_CLIENT_RANDOM, suite)
    whole = prf(XARGS_MASTER, b"key expansion", XARGS_SERVER_RANDOM + XARGS_CLIENT_RANDOM,
                2 * (key + iv), suite.hash)
    assert block.client_write_key + block.server_write_key + block.client_write_iv + block.server_write_iv == whole
    assert [len(block.client_write_key), len(block.server_write_key),
            len(block.client_write_iv), len(block.server_write_iv)] == [key, key, iv, iv]
    assert block.client_keys().key == block.client_write_key and block.server_keys().iv == block.server_write_iv


def test_verify_data_is_twelve_bytes_under_either_label_only() -> None:
    hash_ = bytes(32)
    client = verify_data(XARGS_MASTER, b"client finished", hash_, hashes.SHA256)
    server = verify_data(XARGS_MASTER, b"server finished", hash_, hashes.SHA256)
    assert len(client) == len(server) == 12 and client != server
    with pytest.raises(InternalError):
        verify_data(XARGS_MASTER, b"finished", hash_, hashes.SHA256)


# --- the events a TLS 1.2 connection shows ---------------------------------------------------


def test_tls12_schedule_records_each_value_with_inputs_and_formula() -> None:
    schedule = Tls12KeySchedule(0xC02F)
    schedule.pre_master(XARGS_PRE_MASTER, "x25519 of the ECDHE key shares")
    assert schedule.master(XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM) == XARGS_MASTER
    schedule.key_block(XARGS_SERVER_RANDOM, XARGS_CLIENT_RANDOM)
    schedule.verify_data(b"client finished", bytes(32))
    events = {event.name: event for event in schedule.events}
    assert list(events) == ["pre_master_secret", "master_secret", "key_block", "client_write_key",
                            "server_write_key", "client_write_iv", "server_write_iv", "client_verify_data"]
    master = events["master_secret"]
    assert master.inputs == ("pre_master_secret", "ClientHello.random", "ServerHello.random")
    assert master.formula == ('PRF(pre_master_secret, "master secret", '
                              "ClientHello.random + ServerHello.random)[0..47]")
    assert master.section == "RFC 5246 §8.1"
    assert events["key_block"].section == "RFC 5246 §6.3"
    assert [events[n].formula for n in ("client_write_key", "server_write_key", "client_write_iv",
                                        "server_write_iv")] == [
        "key_block[0..15]", "key_block[16..31]", "key_block[32..35]", "key_block[36..39]"]
    assert events["client_verify_data"].formula == (
        'PRF(master_secret, "client finished", Hash(handshake_messages))[0..11]')
    assert all(set(e.inputs) <= set(list(events)[:i]) | {"ClientHello.random", "ServerHello.random",
                                                          "Hash(handshake_messages)"}
               for i, e in enumerate(events.values()))


def test_tls12_schedule_with_the_extended_master_secret() -> None:
    schedule = Tls12KeySchedule(0xC02F)
    schedule.pre_master(XARGS_PRE_MASTER, "x25519")
    session_hash = bytes(range(32))
    value = schedule.master(XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM, session_hash=session_hash)
    assert value == extended_master_secret(XARGS_PRE_MASTER, session_hash, hashes.SHA256)
    event = schedule.events[-1]
    assert (event.inputs, event.section, event.context) == (
        ("pre_master_secret", "session_hash"), "RFC 7627 §4", session_hash)


def test_tls12_schedule_refuses_steps_out_of_order_and_tls13_suites() -> None:
    schedule = Tls12KeySchedule(0xC02F)
    with pytest.raises(InternalError):
        schedule.master(XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM)
    with pytest.raises(InternalError):
        schedule.key_block(XARGS_SERVER_RANDOM, XARGS_CLIENT_RANDOM)
    with pytest.raises(InternalError):
        Tls12KeySchedule(0x1301)


def test_the_sha384_suites_use_sha384_for_the_prf() -> None:
    schedule = Tls12KeySchedule(0xC030)
    schedule.pre_master(XARGS_PRE_MASTER, "x25519")
    assert schedule.master(XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM) == master_secret(
        XARGS_PRE_MASTER, XARGS_CLIENT_RANDOM, XARGS_SERVER_RANDOM, hashes.SHA384)
    assert schedule.secrets["master_secret"] != XARGS_MASTER
