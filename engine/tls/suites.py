"""Cipher suite facts: which hash, which AEAD, how long the keys and IVs are.

One table, keyed by the suite's code point (`constants.CipherSuite`), serves both versions:

* TLS 1.3 suites (RFC 8446 §B.4) name only the AEAD and the HKDF hash; the write IV is
  12 bytes and the nonce is that IV XOR the record sequence number (§5.3).
* TLS 1.2 AES-GCM suites (RFC 5288, RFC 5289) take a 4-byte fixed IV ("salt") from the
  key block and carry an 8-byte explicit nonce in every record.
* TLS 1.2 ChaCha20-Poly1305 suites (RFC 7905 §2) take a 12-byte IV from the key block and
  build the nonce the TLS 1.3 way; nothing explicit travels.

`TrafficKeys` pairs a suite with one direction's key and IV; the record layer builds the
AEAD object once from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cache
from typing import Literal, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

from engine.tls.alerts import IllegalParameter
from engine.tls.constants import CipherSuite

__all__ = [
    "Aead",
    "AeadCipher",
    "KeyExchange",
    "SUITES",
    "SuiteInfo",
    "TrafficKeys",
    "digest_size",
    "suite_info",
]

Version = Literal["1.2", "1.3"]
Aead = AESGCM | ChaCha20Poly1305
TAG_LENGTH = 16  # both AEADs here (RFC 5116 §5.1, RFC 8439 §2.8)


class AeadCipher(enum.Enum):
    AES_GCM = "AES-GCM"
    CHACHA20_POLY1305 = "ChaCha20-Poly1305"


class KeyExchange(enum.Enum):
    """How a TLS 1.2 suite agrees on the pre-master secret (TLS 1.3 suites leave it open)."""

    RSA = "RSA"
    DHE_RSA = "DHE_RSA"
    ECDHE_RSA = "ECDHE_RSA"
    ECDHE_ECDSA = "ECDHE_ECDSA"


@cache
def digest_size(hash: type[hashes.HashAlgorithm]) -> int:
    """Hash.length of a hash class (RFC 8446 §7.1)."""
    return hash().digest_size


@dataclass(frozen=True, slots=True)
class SuiteInfo:
    """What a cipher suite fixes. `iv_length` is the IV taken from the key schedule or key
    block (12 for TLS 1.3 and ChaCha20, the 4-byte salt for TLS 1.2 GCM);
    `explicit_nonce_length` is what each TLS 1.2 GCM record carries on top (8)."""

    code: int
    name: str
    hash: type[hashes.HashAlgorithm]
    cipher: AeadCipher
    key_length: int
    iv_length: int
    version: Version
    key_exchange: KeyExchange | None = None
    explicit_nonce_length: int = 0
    tag_length: int = TAG_LENGTH
    rfc: str = ""
    # The AEAD class itself: `suite.aead(key)` makes the keyed AEAD (once per key, used for
    # every record) in one C call, with no method of ours in between.
    aead: type[Aead] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "aead", AESGCM if self.cipher is AeadCipher.AES_GCM else ChaCha20Poly1305)

    @property
    def hash_name(self) -> str:
        return self.new_hash().name

    @property
    def hash_length(self) -> int:
        return self.new_hash().digest_size

    def new_hash(self) -> hashes.HashAlgorithm:
        return self.hash()


class TrafficKeys(NamedTuple):
    """One direction's write key and IV under `suite` (RFC 8446 §7.3, RFC 5246 §6.3).

    A named tuple, not a dataclass: a handshake makes eight, and the key schedule makes
    each in one C call (tuple.__new__), with no Python-level __init__."""

    key: bytes
    iv: bytes
    suite: SuiteInfo

    def __repr__(self) -> str:
        return f"TrafficKeys(key={self.key!r}, iv={self.iv!r})"


def _tls13(code: CipherSuite, hash: type[hashes.HashAlgorithm], cipher: AeadCipher,
           key_length: int) -> SuiteInfo:
    return SuiteInfo(code, code.name, hash, cipher, key_length, iv_length=12, version="1.3",
                     rfc="RFC 8446 §B.4")


def _tls12_gcm(code: CipherSuite, kex: KeyExchange, hash: type[hashes.HashAlgorithm],
               key_length: int) -> SuiteInfo:
    rfc = "RFC 5288 §3" if kex in (KeyExchange.RSA, KeyExchange.DHE_RSA) else "RFC 5289 §3.2"
    return SuiteInfo(code, code.name, hash, AeadCipher.AES_GCM, key_length, iv_length=4,
                     version="1.2", key_exchange=kex, explicit_nonce_length=8, rfc=rfc)


def _tls12_chacha(code: CipherSuite, kex: KeyExchange) -> SuiteInfo:
    return SuiteInfo(code, code.name, hashes.SHA256, AeadCipher.CHACHA20_POLY1305, 32,
                     iv_length=12, version="1.2", key_exchange=kex, rfc="RFC 7905 §2")


_CS = CipherSuite
_GCM, _CHACHA = AeadCipher.AES_GCM, AeadCipher.CHACHA20_POLY1305
_SHA256, _SHA384 = hashes.SHA256, hashes.SHA384
_RSA, _DHE, _ECDHE_RSA, _ECDHE_ECDSA = (KeyExchange.RSA, KeyExchange.DHE_RSA,
                                        KeyExchange.ECDHE_RSA, KeyExchange.ECDHE_ECDSA)

SUITES: dict[int, SuiteInfo] = {
    suite.code: suite
    for suite in (
        _tls13(_CS.TLS_AES_128_GCM_SHA256, _SHA256, _GCM, 16),
        _tls13(_CS.TLS_AES_256_GCM_SHA384, _SHA384, _GCM, 32),
        _tls13(_CS.TLS_CHACHA20_POLY1305_SHA256, _SHA256, _CHACHA, 32),
        _tls12_gcm(_CS.TLS_RSA_WITH_AES_128_GCM_SHA256, _RSA, _SHA256, 16),
        _tls12_gcm(_CS.TLS_RSA_WITH_AES_256_GCM_SHA384, _RSA, _SHA384, 32),
        _tls12_gcm(_CS.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, _DHE, _SHA256, 16),
        _tls12_gcm(_CS.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, _DHE, _SHA384, 32),
        _tls12_gcm(_CS.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, _ECDHE_ECDSA, _SHA256, 16),
        _tls12_gcm(_CS.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, _ECDHE_ECDSA, _SHA384, 32),
        _tls12_gcm(_CS.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, _ECDHE_RSA, _SHA256, 16),
        _tls12_gcm(_CS.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, _ECDHE_RSA, _SHA384, 32),
        _tls12_chacha(_CS.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, _ECDHE_RSA),
        _tls12_chacha(_CS.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, _ECDHE_ECDSA),
    )
}


def suite_info(code: int) -> SuiteInfo:
    """The facts of the suite with code point `code`; an unknown suite is the peer's fault
    (a ServerHello may only pick what the client offered): illegal_parameter."""
    try:
        return SUITES[int(code)]
    except KeyError:
        raise IllegalParameter(f"cipher suite 0x{int(code):04x} is not one this engine knows",
                               "RFC 8446 §4.1.3") from None
