"""The TLS 1.2 client's RSA encryption of the pre-master secret (RFC 8017 §7.2.1), padding
drawn from the seed: the private key recovers the message, the encoded block is exactly
00 02 || PS || 00 || M with PS the seeded stream's nonzero bytes, and the ciphertext is
RSAEP of that block."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from engine.rng import SeededRandom
from engine.tls.tls12 import rsaes_pkcs1_v15_encrypt

MESSAGE = b"\x03\x03" + bytes(range(46))  # a pre-master secret's shape: version, 46 bytes


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def expected_padding(seed: int, length: int) -> bytes:
    """PS as RFC 8017 asks (nonzero octets), each a uniform draw from 1..255: stream byte b
    gives b + 1, and 255 is drawn again."""
    stream = SeededRandom(seed, "pad").bytes(4 * length)
    return bytes(b + 1 for b in stream if b != 255)[:length]


@pytest.mark.parametrize("seed", [0, 1, 7, 2026])
def test_ciphertext_decrypts_and_pads_from_the_seed(key: rsa.RSAPrivateKey, seed: int) -> None:
    public = key.public_key()
    numbers = key.private_numbers()
    n, d, e = numbers.public_numbers.n, numbers.d, numbers.public_numbers.e
    ciphertext = rsaes_pkcs1_v15_encrypt(public, MESSAGE, SeededRandom(seed, "pad"))

    assert len(ciphertext) == 256
    assert key.decrypt(ciphertext, padding.PKCS1v15()) == MESSAGE
    encoded = pow(int.from_bytes(ciphertext, "big"), d, n).to_bytes(256, "big")
    pad_length = 256 - 3 - len(MESSAGE)
    assert encoded == b"\x00\x02" + expected_padding(seed, pad_length) + b"\x00" + MESSAGE
    assert ciphertext == pow(int.from_bytes(encoded, "big"), e, n).to_bytes(256, "big")


def test_same_seed_same_ciphertext_other_seed_other(key: rsa.RSAPrivateKey) -> None:
    public = key.public_key()
    first = rsaes_pkcs1_v15_encrypt(public, MESSAGE, SeededRandom(5, "pad"))
    assert rsaes_pkcs1_v15_encrypt(public, MESSAGE, SeededRandom(5, "pad")) == first
    assert rsaes_pkcs1_v15_encrypt(public, MESSAGE, SeededRandom(6, "pad")) != first
