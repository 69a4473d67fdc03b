"""Key exchange groups: ephemeral private shares, public values, shared secrets.

One `PrivateShare` per handshake side and group, made by `generate(group, rng)` from the
game's seeded randomness, so a seed reproduces every key share byte for byte:

- x25519 (RFC 7748): the private key is 32 bytes from the rng; public value 32 raw bytes.
- secp256r1, secp384r1: the private scalar is an integer in [1, n-1] from the rng; public
  values are uncompressed points 0x04 || x || y (RFC 8446 §4.2.8.2, RFC 8422 §5.4), and
  the shared secret is the x-coordinate, never truncated (RFC 8446 §7.4.2, RFC 8422 §5.10).
- ffdhe2048, ffdhe3072 (RFC 7919): g = 2 over the RFC's safe primes, for TLS 1.2 DHE (and
  TLS 1.3 if a level wants it); public values are left-padded to the size of p. The
  private exponent is as short as RFC 7919 §5.2 allows (225 / 275 bits), as OpenSSL does.

A peer's public value that is malformed or unsafe raises `IllegalParameter` naming the rule.
The same code serves TLS 1.3 key_share entries and TLS 1.2 ECDHE/DHE key exchange messages.

cryptography 50 deprecates finite-field DH (it warns on every use of its `dh` names and
plans to remove them); the FFDHE groups import those names once, below, with that one
warning silenced, so the day they disappear fails here and nowhere else.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.utils import CryptographyDeprecationWarning

from engine.rng import SeededRandom
from engine.tls.alerts import HandshakeFailure, IllegalParameter
from engine.tls.constants import NamedGroup, describe, known
from engine.tls.modexp import mod_exp

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from cryptography.hazmat.primitives.asymmetric.dh import (
        DHParameterNumbers,
        DHPrivateKey,
        DHPrivateNumbers,
        DHPublicKey,
        DHPublicNumbers,
    )

__all__ = [
    "FFDHE2048",
    "FFDHE3072",
    "MIN_DH_BITS",
    "SUPPORTED_GROUPS",
    "EcdhShare",
    "FfdheGroup",
    "FfdheShare",
    "PrivateShare",
    "X25519Share",
    "ffdhe_group_for",
    "generate",
    "generate_ffdhe",
]

SUPPORTED_GROUPS: tuple[NamedGroup, ...] = (
    NamedGroup.x25519,
    NamedGroup.secp256r1,
    NamedGroup.secp384r1,
    NamedGroup.ffdhe2048,
    NamedGroup.ffdhe3072,
)

_X25519 = NamedGroup.x25519  # (an enum member's lookup through its class is slow)
_NIST_CURVES: dict[int, ec.EllipticCurve] = {
    NamedGroup.secp256r1: ec.SECP256R1(),
    NamedGroup.secp384r1: ec.SECP384R1(),
}


def _name(group: int) -> str:
    member = known(NamedGroup, group)
    return member.name if isinstance(member, NamedGroup) else describe(member)


class PrivateShare(ABC):
    """Our half of a key exchange: the public value to send and the secret it agrees on."""

    group: int

    @property
    def name(self) -> str:
        return _name(self.group)

    @abstractmethod
    def public_bytes(self) -> bytes:
        """The public value as it travels in key_share or a (Server|Client)KeyExchange."""

    @abstractmethod
    def exchange(self, peer_public: bytes) -> bytes:
        """The shared secret with the peer's public value, as TLS feeds it to its key schedule."""


class X25519Share(PrivateShare):
    SECTION = "RFC 8446 §4.2.8.2, RFC 7748 §6.1"

    def __init__(self, private_bytes: bytes) -> None:
        self.group = _X25519
        self._key = x25519.X25519PrivateKey.from_private_bytes(private_bytes)
        self._public = self._key.public_key().public_bytes_raw()

    def public_bytes(self) -> bytes:
        return self._public

    def exchange(self, peer_public: bytes) -> bytes:
        if len(peer_public) != 32:
            raise IllegalParameter(
                f"an x25519 public value is 32 bytes, this one is {len(peer_public)}", self.SECTION
            )
        try:
            return self._key.exchange(x25519.X25519PublicKey.from_public_bytes(peer_public))
        except ValueError:
            raise IllegalParameter(
                "the x25519 shared secret came out all zeros: the peer sent a low-order point",
                "RFC 8446 §7.4.2, RFC 7748 §6.1",
            ) from None


class EcdhShare(PrivateShare):
    SECTION = "RFC 8446 §4.2.8.2, RFC 8422 §5.4"

    def __init__(self, group: int, scalar: int) -> None:
        self.group = NamedGroup(group)
        self._curve = _NIST_CURVES[group]
        self._key = ec.derive_private_key(scalar, self._curve)
        self._public = self._key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    @property
    def coordinate_size(self) -> int:
        return (self._curve.key_size + 7) // 8

    def public_bytes(self) -> bytes:
        return self._public

    def exchange(self, peer_public: bytes) -> bytes:
        return self._key.exchange(ec.ECDH(), self._peer_key(peer_public))

    def _peer_key(self, data: bytes) -> ec.EllipticCurvePublicKey:
        size = 1 + 2 * self.coordinate_size
        if len(data) != size or data[0] != 0x04:
            found = f"{len(data)} bytes" + (f" starting 0x{data[0]:02x}" if data else "")
            raise IllegalParameter(
                f"a {self.name} key share is an uncompressed point, {size} bytes starting 0x04;"
                f" this one is {found}",
                self.SECTION,
            )
        try:
            return ec.EllipticCurvePublicKey.from_encoded_point(self._curve, data)
        except ValueError:
            raise IllegalParameter(
                f"the peer's point is not on the curve {self.name}", self.SECTION
            ) from None


@dataclass(frozen=True)
class FfdheGroup:
    """A finite-field DH group: the RFC 7919 named ones, or p and g a TLS 1.2 server chose."""

    name: str
    code: int | None  # the NamedGroup code point; None for a server's own parameters
    p: int
    g: int
    exponent_bits: int  # length of our private exponents

    @property
    def size(self) -> int:
        """Bytes in p: the padded length of public values and of the TLS 1.3 shared secret."""
        return (self.p.bit_length() + 7) // 8


def _rfc7919_prime(hex_text: str) -> int:
    return int("".join(hex_text.split()), 16)


# RFC 7919 Appendix A.1: p = 2^2048 - 2^1984 + {[2^1918 * e] + 560316 } * 2^64 - 1
FFDHE2048 = FfdheGroup(
    "ffdhe2048",
    NamedGroup.ffdhe2048,
    _rfc7919_prime(
        """
        FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
        D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
        7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
        2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
        984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
        30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
        B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
        0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
        9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
        3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
        886B4238 61285C97 FFFFFFFF FFFFFFFF
        """
    ),
    2,
    225,
)

# RFC 7919 Appendix A.2: p = 2^3072 - 2^3008 + {[2^2942 * e] + 2625351 } * 2^64 - 1
FFDHE3072 = FfdheGroup(
    "ffdhe3072",
    NamedGroup.ffdhe3072,
    _rfc7919_prime(
        """
        FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
        D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
        7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
        2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
        984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
        30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
        B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
        0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
        9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
        3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
        886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238
        61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
        AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
        64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
        ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
        3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF
        """
    ),
    2,
    275,
)

_FFDHE_GROUPS: dict[int, FfdheGroup] = {NamedGroup.ffdhe2048: FFDHE2048, NamedGroup.ffdhe3072: FFDHE3072}


MIN_DH_BITS = 2048


def ffdhe_group_for(p: int, g: int) -> FfdheGroup:
    """The group a TLS 1.2 ServerKeyExchange names by its p and g: a known RFC 7919 group,
    or the server's own, used with full-length exponents (short ones are safe only in
    groups known to be safe-prime). A prime under 2048 bits is refused as OpenSSL refuses
    it (handshake_failure, "dh key too small"); nonsense values are illegal_parameter."""
    for group in _FFDHE_GROUPS.values():
        if (group.p, group.g) == (p, g):
            return group
    if p % 2 == 0 or not 1 < g < p - 1:
        raise IllegalParameter(
            "the server's DH parameters are malformed (p even or g outside 2..p-2)", "RFC 5246 §7.4.3"
        )
    if p.bit_length() < MIN_DH_BITS:
        raise HandshakeFailure(
            f"the server's {p.bit_length()}-bit DH prime is too small; at least {MIN_DH_BITS} bits"
            " are needed (Logjam)",
            "RFC 7919 §1",
        )
    return FfdheGroup(f"{p.bit_length()}-bit server group", None, p, g, p.bit_length() - 1)


class FfdheShare(PrivateShare):
    SECTION = "RFC 7919 §5.1, RFC 8446 §4.2.8.1"

    def __init__(self, group: FfdheGroup, exponent: int) -> None:
        self.group = group.code if group.code is not None else 0
        self.parameters = group
        self._key = self._private_key(group, exponent)
        self._public = self._key.public_key().public_numbers().y.to_bytes(group.size, "big")

    @property
    def name(self) -> str:
        return self.parameters.name

    @staticmethod
    def _private_key(group: FfdheGroup, exponent: int) -> DHPrivateKey:
        parameters = DHParameterNumbers(group.p, group.g)
        public = DHPublicNumbers(mod_exp(group.g, exponent, group.p), parameters)
        return DHPrivateNumbers(exponent, public).private_key()

    def public_bytes(self) -> bytes:
        """Y = g^x mod p, left-padded to the size of p (RFC 8446 §4.2.8.1, RFC 7919 §3)."""
        return self._public

    def exchange(self, peer_public: bytes, *, tls12: bool = False) -> bytes:
        """Z = Y_peer^x mod p. TLS 1.3 (default): the peer's value must be exactly the size of p
        and Z is left-padded to it (RFC 8446 §7.4.1). `tls12=True`: the peer's value may come
        unpadded and Z loses its leading zero bytes (RFC 5246 §8.1.2)."""
        peer = self._peer_key(peer_public, exact_length=not tls12)
        secret = self._key.exchange(peer).rjust(self.parameters.size, b"\x00")
        return secret.lstrip(b"\x00") if tls12 else secret

    def _peer_key(self, data: bytes, *, exact_length: bool) -> DHPublicKey:
        size = self.parameters.size
        if not data or len(data) > size or (exact_length and len(data) != size):
            raise IllegalParameter(
                f"a {self.name} public value is {size} bytes, this one is {len(data)}", self.SECTION
            )
        value = int.from_bytes(data, "big")
        if not 1 < value < self.parameters.p - 1:
            raise IllegalParameter(f"a {self.name} public value must lie between 2 and p-2", self.SECTION)
        try:
            return DHPublicNumbers(value, self._key.parameters().parameter_numbers()).public_key()
        except (ValueError, UnsupportedAlgorithm):
            raise IllegalParameter(f"{self.name} rejected the peer's public value", self.SECTION) from None


def generate(group: int, rng: SeededRandom) -> PrivateShare:
    """A fresh private share for a named group, drawn from `rng`."""
    if group == _X25519:
        return X25519Share(rng.bytes(32))
    if group in _NIST_CURVES:
        return EcdhShare(group, rng.randint(1, _NIST_CURVES[group].group_order - 1))
    if group in _FFDHE_GROUPS:
        return generate_ffdhe(_FFDHE_GROUPS[group], rng)
    raise IllegalParameter(f"{_name(group)} is not a group this engine supports", "RFC 8446 §4.2.7")


def generate_ffdhe(group: FfdheGroup, rng: SeededRandom) -> FfdheShare:
    """A private share in a finite-field group: an `exponent_bits`-long exponent from `rng`."""
    exponent = rng.randint(1 << (group.exponent_bits - 1), (1 << group.exponent_bits) - 1)
    return FfdheShare(group, exponent)
