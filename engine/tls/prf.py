"""The TLS 1.2 PRF and everything it derives (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627).

    PRF(secret, label, seed) = P_<hash>(secret, label + seed)
    master_secret   = PRF(pre_master_secret, "master secret",
                          ClientHello.random + ServerHello.random)[0..47]
                    or, with extended_master_secret negotiated (RFC 7627 §4),
                      PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
    key_block       = PRF(master_secret, "key expansion",
                          server_random + client_random)
    verify_data     = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]

The hash is SHA-256 unless the suite names another (the SHA384 GCM suites, RFC 5289 §3.2).
The suites here are all AEAD, so the key block holds no MAC keys: it splits into
client_write_key, server_write_key, client_write_IV, server_write_IV.

The functions are pure; `Tls12KeySchedule` calls them for one connection and records each
value as a `SecretDerived` event, as the TLS 1.3 `KeySchedule` does. It keys HMAC with the
master secret once, for the key block and both Finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NoReturn

from engine.tls.alerts import InternalError
from engine.tls.events import fast_init
from engine.tls.keyschedule import HashType, KeyedHmac, KeyedMacs, SecretDerived, SecretLog, _new_tuple, keyed
from engine.tls.suites import SuiteInfo, TrafficKeys

__all__ = [
    "KeyBlock",
    "Tls12KeySchedule",
    "extended_master_secret",
    "key_block",
    "master_secret",
    "p_hash",
    "prf",
    "verify_data",
]

MASTER_SECRET_LENGTH = 48
VERIFY_DATA_LENGTH = 12
PRF_SECTION = "RFC 5246 §5"
MASTER_SECTION = "RFC 5246 §8.1"
EMS_SECTION = "RFC 7627 §4"
KEY_BLOCK_SECTION = "RFC 5246 §6.3"
FINISHED_SECTION = "RFC 5246 §7.4.9"


def p_hash(secret: bytes, seed: bytes, length: int, hash: HashType) -> bytes:
    """P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
    with A(0) = seed, A(i) = HMAC(secret, A(i-1)), cut to `length` bytes."""
    return _expand(keyed(hash, secret), seed, length)


def _expand(secret: KeyedHmac, seed: bytes, length: int) -> bytes:
    """P_hash with HMAC(secret, ·) already keyed (`keyed`). Each block takes two HMACs,
    H((K ^ opad) || H((K ^ ipad) || m)), each continuing copies of the keyed hashes, written
    out here (a handshake's PRFs take 24: a call for each would be a third of its cost)."""
    inner_key, outer_key = secret
    output = b""
    a = seed
    while len(output) < length:
        inner = inner_key.copy()  # A(i) = HMAC(secret, A(i-1))
        inner.update(a)
        outer = outer_key.copy()
        outer.update(inner.digest())
        a = outer.digest()
        inner = inner_key.copy()  # the block: HMAC(secret, A(i) + seed)
        inner.update(a + seed)
        outer = outer_key.copy()
        outer.update(inner.digest())
        output += outer.digest()
    return output[:length]


def prf(secret: bytes, label: bytes, seed: bytes, length: int, hash: HashType) -> bytes:
    """PRF(secret, label, seed) = P_<hash>(secret, label + seed)."""
    return p_hash(secret, label + seed, length, hash)


# The derivations below are `prf` written out: P_hash over the label and seed, keyed here.


def master_secret(pre_master: bytes, client_random: bytes, server_random: bytes,
                  hash: HashType) -> bytes:
    return _expand(keyed(hash, pre_master), b"master secret" + client_random + server_random,
                   MASTER_SECRET_LENGTH)


def extended_master_secret(pre_master: bytes, session_hash: bytes, hash: HashType) -> bytes:
    return _expand(keyed(hash, pre_master), b"extended master secret" + session_hash, MASTER_SECRET_LENGTH)


@fast_init
@dataclass(frozen=True, slots=True)
class KeyBlock:
    """The key block of an AEAD suite, split as RFC 5246 §6.3 orders it (no MAC keys)."""

    client_write_key: bytes
    server_write_key: bytes
    client_write_iv: bytes
    server_write_iv: bytes
    suite: SuiteInfo

    # (Each TrafficKeys made in one C call, without the named tuple's Python __new__.)

    def client_keys(self) -> TrafficKeys:
        return _new_tuple(TrafficKeys, (self.client_write_key, self.client_write_iv, self.suite))

    def server_keys(self) -> TrafficKeys:
        return _new_tuple(TrafficKeys, (self.server_write_key, self.server_write_iv, self.suite))


def key_block(master: bytes, server_random: bytes, client_random: bytes,
              suite: SuiteInfo) -> KeyBlock:
    return _key_block(_expand(keyed(suite.hash, master), b"key expansion" + server_random + client_random,
                              _key_block_parts(suite.key_length, suite.iv_length)[-1][2]), suite)


def _key_block(block: bytes, suite: SuiteInfo) -> KeyBlock:
    """The key block's bytes split into its four parts."""
    key, iv = suite.key_length, suite.iv_length
    return KeyBlock(block[:key], block[key : 2 * key], block[2 * key : 2 * key + iv],
                    block[2 * key + iv : 2 * key + 2 * iv], suite)


def verify_data(master: bytes, label: bytes, handshake_hash: bytes, hash: HashType) -> bytes:
    """Finished.verify_data; `label` is b"client finished" or b"server finished"."""
    if label not in _FINISHED_WORDS:
        _not_a_finished_label(label)
    return _expand(keyed(hash, master), label + handshake_hash, VERIFY_DATA_LENGTH)


def _not_a_finished_label(label: bytes) -> NoReturn:
    raise InternalError(f"{label!r} is not a Finished label", FINISHED_SECTION)


@cache
def _key_block_parts(key_length: int, iv_length: int) -> tuple[tuple[str, int, int, str], ...]:
    """The name, start, end and formula of each part of the key block (the same for every
    connection of a suite): client_write_key is key_block[0:16], "key_block[0..15]", and so on."""
    parts, start = [], 0
    for name, length in (("client_write_key", key_length), ("server_write_key", key_length),
                         ("client_write_iv", iv_length), ("server_write_iv", iv_length)):
        parts.append((name, start, start + length, f"key_block[{start}..{start + length - 1}]"))
        start += length
    return tuple(parts)


class Tls12KeySchedule(SecretLog):
    """One TLS 1.2 connection's derivations, each recorded as a `SecretDerived` event."""

    section = KEY_BLOCK_SECTION
    version = "1.2"

    def __init__(self, suite: SuiteInfo | int) -> None:
        super().__init__(suite)
        self.macs = KeyedMacs(self.hash)  # HMAC keyed by the master secret, for its many PRF blocks

    def pre_master(self, value: bytes, how: str) -> bytes:
        """Record the pre-master secret; `how` says where it came from (the RSA-encrypted
        random of the client, or the (EC)DHE shared secret)."""
        return self._record("pre_master_secret", value, (), how, "RFC 5246 §8.1")

    def master(self, client_random: bytes, server_random: bytes,
               session_hash: bytes | None = None) -> bytes:
        """master_secret from the recorded pre-master secret; with `session_hash` given
        (extended_master_secret negotiated) the RFC 7627 form."""
        pre_master = self.secrets.get("pre_master_secret") or self._require("pre_master_secret", "master")
        if session_hash is None:
            value = master_secret(pre_master, client_random, server_random, self.hash)
            formula = ('PRF(pre_master_secret, "master secret", '
                       'ClientHello.random + ServerHello.random)[0..47]')
            return self._record("master_secret", value,
                                ("pre_master_secret", "ClientHello.random", "ServerHello.random"),
                                formula, MASTER_SECTION, context=client_random + server_random)
        value = extended_master_secret(pre_master, session_hash, self.hash)
        formula = 'PRF(pre_master_secret, "extended master secret", session_hash)[0..47]'
        return self._record("master_secret", value, ("pre_master_secret", "session_hash"),
                            formula, EMS_SECTION, context=session_hash)

    def key_block(self, server_random: bytes, client_random: bytes) -> KeyBlock:
        """key_block = PRF(master_secret, "key expansion", server_random + client_random),
        recorded whole and then each of its four parts."""
        master = self.secrets.get("master_secret") or self._require("master_secret", "key_block")
        suite, randoms = self.suite, server_random + client_random
        parts = _key_block_parts(suite.key_length, suite.iv_length)
        block = _expand(self.macs[master], b"key expansion" + randoms, parts[-1][2])
        self._record("key_block", block, ("master_secret", "ServerHello.random", "ClientHello.random"),
                     'PRF(master_secret, "key expansion", server_random + client_random)', context=randoms)
        events, secrets, section, values = self.events, self.secrets, self.section, []
        for name, start, end, formula in parts:  # each part recorded as `_record` would
            part = secrets[name] = block[start:end]
            events.append(_new_tuple(SecretDerived, (name, part, ("key_block",), formula, section, b"")))
            values.append(part)
        client_key, server_key, client_iv, server_iv = values
        return KeyBlock(client_key, server_key, client_iv, server_iv, suite)

    def verify_data(self, label: bytes, handshake_hash: bytes) -> bytes:
        """Finished.verify_data for the client or server Finished."""
        master = self.secrets.get("master_secret") or self._require("master_secret", "verify_data")
        words = _FINISHED_WORDS.get(label) or _not_a_finished_label(label)
        value = _expand(self.macs[master], label + handshake_hash, VERIFY_DATA_LENGTH)
        return self._record(words[0], value, ("master_secret", "Hash(handshake_messages)"),
                            words[1], FINISHED_SECTION, context=handshake_hash)


# The name and formula each Finished label's verify_data is recorded under.
_FINISHED_WORDS = {
    label: (f"{label.split()[0].decode()}_verify_data",
            f'PRF(master_secret, "{label.decode()}", Hash(handshake_messages))[0..11]')
    for label in (b"client finished", b"server finished")
}
