"""`mod_exp` reaches OpenSSL's BN_mod_exp here and always gives what Python's `pow` gives:
for RSA-sized and odd sizes, odd and even moduli, the edge values, the arguments OpenSSL is
not given, and with no libcrypto at all."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from engine.tls import modexp
from engine.tls.groups import FFDHE2048
from engine.tls.modexp import mod_exp


def test_openssl_is_reached() -> None:
    # Python's ssl module is linked to libcrypto on every machine CI runs; without it the
    # engine still works, by pow, but its RSA key exchange is several times slower.
    assert modexp.native()


@pytest.mark.parametrize("bits", [2, 7, 8, 31, 64, 255, 521, 1024, 2048, 3072, 4096])
def test_same_as_pow(bits: int) -> None:
    draw = random.Random(bits)
    for _ in range(40):
        modulus = draw.getrandbits(bits) | 1 << (bits - 1)  # odd and even both come up
        base = draw.getrandbits(bits + 8)  # often larger than the modulus
        exponent = draw.choice([0, 1, 2, 3, 65537, draw.getrandbits(bits), draw.getrandbits(3 * bits)])
        assert mod_exp(base, exponent, modulus) == pow(base, exponent, modulus)


def test_edge_values() -> None:
    n = FFDHE2048.p
    for base, exponent, modulus in [
        (0, 0, n), (0, 5, n), (1, 0, n), (n, 3, n), (2 * n + 5, 1, n), (n - 1, 2, n),
        (FFDHE2048.g, (1 << 255) + 1, n), (3, 4, 2), (5, 7, 1 << 2048),
    ]:  # fmt: skip
        assert mod_exp(base, exponent, modulus) == pow(base, exponent, modulus)


def test_what_openssl_is_not_given_is_pow() -> None:
    assert mod_exp(-5, 3, 7) == pow(-5, 3, 7)
    assert mod_exp(3, -1, 7) == pow(3, -1, 7) == 5  # a modular inverse
    assert mod_exp(10, 3, 1) == 0
    with pytest.raises(ValueError):
        mod_exp(2, 3, 0)


@pytest.fixture
def forget_library() -> Iterator[None]:
    modexp._libcrypto.cache_clear()
    yield
    modexp._libcrypto.cache_clear()


def test_without_libcrypto_it_is_pow(monkeypatch: pytest.MonkeyPatch, forget_library: None) -> None:
    monkeypatch.setattr(modexp, "_candidates", lambda: iter(["/nonexistent/libcrypto.so", "libc.so.6"]))
    assert not modexp.native()  # one library not there, one without BN_mod_exp
    n = FFDHE2048.p
    assert mod_exp(7, 65537, n) == pow(7, 65537, n)
