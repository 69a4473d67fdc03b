"""Modular exponentiation, b^e mod m, by OpenSSL's bignum code where it can be reached.

The engine does three operations on big numbers itself, because their random inputs must
come from the game's seed and `cryptography` draws its own: RSA encryption with seeded
PKCS #1 v1.5 padding (RSAEP), RSA-PSS signing with a seeded salt (RSASP1) and a finite-field
Diffie-Hellman share from a seeded exponent. Python's `pow` gives the right answer for each,
but slowly: about 140 µs for one RSA-2048 encryption, against about 30 µs for OpenSSL's
`BN_mod_exp`, which is most of the gap between the engine's TLS 1.2 RSA handshake and
OpenSSL's own.

So `mod_exp` calls `BN_mod_exp` in the libcrypto that Python's `ssl` module is linked to,
through `ctypes`: no new dependency, and the same library the benchmarks measure against.
Where that library cannot be found (a Python built without `ssl`, or linked to it
statically), and for the arguments `BN_mod_exp` does not take (negative numbers, a modulus
below 2), it is `pow`. The two give the same number; tests hold them to it.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

_pointer = ctypes.c_void_p
_CFunction = Callable[..., Any]


class _Bignum(NamedTuple):
    """The few libcrypto functions `mod_exp` calls, with their C signatures set."""

    from_bytes: _CFunction  # BN_bin2bn(const unsigned char *s, int len, BIGNUM *ret)
    to_bytes: _CFunction  # BN_bn2binpad(const BIGNUM *a, unsigned char *to, int tolen)
    new: _CFunction  # BN_new(void)
    free: _CFunction  # BN_free(BIGNUM *a)
    context_new: _CFunction  # BN_CTX_new(void)
    context_free: _CFunction  # BN_CTX_free(BN_CTX *c)
    mod_exp: _CFunction  # BN_mod_exp(BIGNUM *r, a, p, m, BN_CTX *ctx)


def mod_exp(base: int, exponent: int, modulus: int) -> int:
    """base^exponent mod modulus, exactly as `pow(base, exponent, modulus)`."""
    bignum = _libcrypto()
    if bignum is None or base < 0 or exponent < 0 or modulus < 2:
        return pow(base, exponent, modulus)
    size = _byte_length(modulus)
    result = ctypes.create_string_buffer(size)
    numbers = [bignum.from_bytes(*_big_endian(value), None) for value in (base, exponent, modulus)]
    numbers.append(bignum.new())
    context = bignum.context_new()
    try:
        b, e, m, r = numbers
        # For these arguments, OpenSSL fails only when it cannot allocate.
        if not (all(numbers) and context and bignum.mod_exp(r, b, e, m, context)):
            raise MemoryError("OpenSSL's BN_mod_exp could not allocate its bignums")
        bignum.to_bytes(r, result, size)
    finally:
        for number in numbers:
            bignum.free(number)
        bignum.context_free(context)
    return int.from_bytes(result.raw, "big")


def native() -> bool:
    """Whether `mod_exp` reached OpenSSL's `BN_mod_exp` (else it is `pow` alone)."""
    return _libcrypto() is not None


def _byte_length(value: int) -> int:
    return (value.bit_length() + 7) // 8


def _big_endian(value: int) -> tuple[bytes, int]:
    length = _byte_length(value)
    return value.to_bytes(length, "big"), length


@functools.cache
def _libcrypto() -> _Bignum | None:
    for library in _candidates():
        try:
            return _bind(ctypes.CDLL(library))
        except (OSError, AttributeError):  # not loadable, or an OpenSSL older than 1.1.0
            continue
    return None


def _candidates() -> Iterator[str]:
    """The `_ssl` extension first: looking a symbol up through it finds the libcrypto it was
    linked to (the dynamic linker searches a library's dependencies), so the process keeps
    one OpenSSL. Then whatever libcrypto the system names."""
    try:
        import _ssl

        yield _ssl.__file__
    except (ImportError, AttributeError):  # no ssl, or built into the interpreter
        pass
    import ctypes.util  # only here: it takes longer to import than all the rest

    system = ctypes.util.find_library("crypto")
    if system:
        yield system


def _bind(library: ctypes.CDLL) -> _Bignum:
    def function(name: str, result: type | None, *arguments: type) -> _CFunction:
        bound = getattr(library, name)
        bound.restype = result
        bound.argtypes = arguments
        return bound

    return _Bignum(
        from_bytes=function("BN_bin2bn", _pointer, ctypes.c_char_p, ctypes.c_int, _pointer),
        to_bytes=function("BN_bn2binpad", ctypes.c_int, _pointer, ctypes.c_char_p, ctypes.c_int),
        new=function("BN_new", _pointer),
        free=function("BN_free", None, _pointer),
        context_new=function("BN_CTX_new", _pointer),
        context_free=function("BN_CTX_free", None, _pointer),
        mod_exp=function("BN_mod_exp", ctypes.c_int, _pointer, _pointer, _pointer, _pointer, _pointer),
    )
