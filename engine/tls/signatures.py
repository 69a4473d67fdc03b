"""Handshake signatures: sign and verify by SignatureScheme, reproducibly from the seed.

TLS 1.3 CertificateVerify (RFC 8446 §4.4.3) and TLS 1.2 ServerKeyExchange /
CertificateVerify (RFC 5246 §7.4.3, §7.4.8) both sign with one of these schemes:

- ed25519: deterministic by construction (RFC 8032).
- ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384: deterministic nonces (RFC 6979), so the
  same seed gives the same signature bytes. Any valid ECDSA signature verifies either way.
- rsa_pss_rsae_sha256, rsa_pss_rsae_sha384: cryptography's PSS padding takes its salt from
  the operating system, which would make every game differ. So EMSA-PSS-ENCODE (RFC 8017
  §9.1.1, MGF1, salt length = hash length as RFC 8446 §4.2.3 requires) is done here with a
  salt drawn from the game's rng, followed by RSASP1 with the private key's CRT numbers
  (RFC 8017 §5.2.1). Each signature is checked with cryptography's own PSS verify before it
  leaves, so a wrong encoding (or a faulty CRT step) can never be sent.
- rsa_pkcs1_sha256, rsa_pkcs1_sha384: deterministic by construction; TLS 1.2 only.

`verify` raises `DecryptError` for a signature that does not verify (RFC 8446 §6.2,
RFC 5246 §7.2.2) and `IllegalParameter` for a scheme the key cannot have used.
The modular exponentiation here is Python's, not constant-time: fine for a teaching game
whose RSA keys ship in the package (see certs.py), not for secrets worth stealing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias, TypeGuard, TypeVar, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from engine.rng import SeededRandom
from engine.tls.alerts import DecryptError, IllegalParameter, InternalError
from engine.tls.constants import SignatureScheme, describe, known
from engine.tls.modexp import mod_exp

__all__ = [
    "SUPPORTED_SCHEMES",
    "PrivateKey",
    "PublicKey",
    "certificate_verify_content",
    "emsa_pss_encode",
    "key_isinstance",
    "schemes_for",
    "sign",
    "signed_params_content",
    "verify",
]

PrivateKey: TypeAlias = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
Family = Literal["ed25519", "ecdsa", "rsa_pss", "rsa_pkcs1"]
KeyKind = Literal["ed25519", "ecdsa", "rsa"]
_PUBLIC_KEY_TYPES = (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)


@dataclass(frozen=True)
class _Scheme:
    family: Family
    hash: hashes.HashAlgorithm | None = None
    curve: str | None = None  # TLS 1.3 binds ECDSA schemes to one curve (RFC 8446 §4.2.3)
    tls13: bool = True  # usable in a TLS 1.3 CertificateVerify
    key_kind: KeyKind = field(init=False)  # the kind of key that makes it (both RSA families: "rsa")

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_kind", "rsa" if self.family.startswith("rsa") else self.family)


# In order of preference: what `schemes_for` offers first.
_SCHEMES: dict[int, _Scheme] = {
    SignatureScheme.ed25519: _Scheme("ed25519"),
    SignatureScheme.ecdsa_secp256r1_sha256: _Scheme("ecdsa", hashes.SHA256(), "secp256r1"),
    SignatureScheme.ecdsa_secp384r1_sha384: _Scheme("ecdsa", hashes.SHA384(), "secp384r1"),
    SignatureScheme.rsa_pss_rsae_sha256: _Scheme("rsa_pss", hashes.SHA256()),
    SignatureScheme.rsa_pss_rsae_sha384: _Scheme("rsa_pss", hashes.SHA384()),
    SignatureScheme.rsa_pkcs1_sha256: _Scheme("rsa_pkcs1", hashes.SHA256(), tls13=False),
    SignatureScheme.rsa_pkcs1_sha384: _Scheme("rsa_pkcs1", hashes.SHA384(), tls13=False),
}
SUPPORTED_SCHEMES: tuple[SignatureScheme, ...] = tuple(SignatureScheme(code) for code in _SCHEMES)

_KEY_CLASSES: dict[KeyKind, tuple[type, ...]] = {
    "ed25519": (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey),
    "ecdsa": (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey),
    "rsa": (rsa.RSAPrivateKey, rsa.RSAPublicKey),
}


_K = TypeVar("_K")
_KEY_ISINSTANCE: dict[tuple[type, object], bool] = {}


def key_isinstance(key: object, classes: type[_K] | tuple[type[_K], ...]) -> TypeGuard[_K]:
    """isinstance(key, classes), remembered per type of key: cryptography's key classes are
    ABCs, whose isinstance runs Python-level code on every call."""
    cache_key = (type(key), classes)
    answer = _KEY_ISINSTANCE.get(cache_key)
    if answer is None:
        answer = _KEY_ISINSTANCE[cache_key] = isinstance(key, classes)
    return answer


_ECDSA: dict[tuple[str, bool], ec.ECDSA] = {}


def _ecdsa(hash: hashes.HashAlgorithm, *, deterministic: bool) -> ec.ECDSA:
    """The ECDSA algorithm object for a hash, made once (it is immutable, and making it
    runs cryptography's checks of the backend)."""
    key = (hash.name, deterministic)
    algorithm = _ECDSA.get(key)
    if algorithm is None:
        algorithm = _ECDSA[key] = ec.ECDSA(hash, deterministic_signing=deterministic)
    return algorithm


def _name(scheme: int) -> str:
    member = known(SignatureScheme, scheme)
    return member.name if isinstance(member, SignatureScheme) else describe(member)


def _key_name(key: object) -> str:
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return f"an ECDSA {key.curve.name} key"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return f"an RSA-{key.key_size} key"
    kind = type(key).__name__.removesuffix("PrivateKey").removesuffix("PublicKey")
    return f"an {kind} key" if kind[0] in "AEIOU" else f"a {kind} key"


# Each key class's kind and whether it is a public key, found once per class (`_kind`):
# sign and verify then go by a string, with no isinstance of cryptography's ABCs.
_KINDS: dict[type, tuple[KeyKind | None, bool]] = {}


def _kind(key: object) -> tuple[KeyKind | None, bool]:
    """(the kind of `key`, None for a key no scheme here takes; whether it is public)."""
    kind = _KINDS.get(type(key))
    if kind is None:
        found = next((kind for kind, classes in _KEY_CLASSES.items() if isinstance(key, classes)), None)
        kind = _KINDS[type(key)] = (found, isinstance(key, _PUBLIC_KEY_TYPES))
    return kind


def _fits(spec: _Scheme, key: object, kind: KeyKind | None, *, tls13: bool) -> bool:
    """Whether `key`, of `kind` (`_kind`), can make `spec`'s signatures."""
    if kind != spec.key_kind:
        return False
    if tls13 and not spec.tls13:
        return False
    if tls13 and kind == "ecdsa":
        return cast(ec.EllipticCurvePublicKey, key).curve.name == spec.curve
    return True


def schemes_for(key: PrivateKey | PublicKey, *, tls13: bool = True) -> list[SignatureScheme]:
    """The schemes this key can sign with, most preferred first. TLS 1.3 ties each ECDSA
    scheme to its curve and drops PKCS #1 v1.5 (RFC 8446 §4.2.3); TLS 1.2 does neither."""
    kind = _kind(key)[0]
    return [SignatureScheme(code) for code, spec in _SCHEMES.items() if _fits(spec, key, kind, tls13=tls13)]


def _hash(algorithm: hashes.HashAlgorithm, *parts: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    for part in parts:
        digest.update(part)
    return digest.finalize()


def _mgf1(seed: bytes, length: int, algorithm: hashes.HashAlgorithm) -> bytes:
    """MGF1 (RFC 8017 §B.2.1)."""
    blocks = -(-length // algorithm.digest_size)
    return b"".join(_hash(algorithm, seed, counter.to_bytes(4, "big")) for counter in range(blocks))[:length]


def emsa_pss_encode(message_hash: bytes, em_bits: int, salt: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    """EMSA-PSS-ENCODE (RFC 8017 §9.1.1, steps 3-12) with MGF1 over the same hash."""
    em_len = -(-em_bits // 8)
    h_len = algorithm.digest_size
    if em_len < h_len + len(salt) + 2:
        raise ValueError("encoding error: the key is too small for this hash and salt")
    h = _hash(algorithm, bytes(8), message_hash, salt)
    db = bytes(em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(db, _mgf1(h, len(db), algorithm)))
    top_byte_mask = 0xFF >> (8 * em_len - em_bits)
    return bytes([masked[0] & top_byte_mask]) + masked[1:] + h + b"\xbc"


def _rsasp1(numbers: rsa.RSAPrivateNumbers, message: int) -> int:
    """RSASP1 (RFC 8017 §5.2.1) by the Chinese remainder theorem."""
    s1 = mod_exp(message, numbers.dmp1, numbers.p)
    s2 = mod_exp(message, numbers.dmq1, numbers.q)
    return s2 + numbers.q * (numbers.iqmp * (s1 - s2) % numbers.p)


def _pss(algorithm: hashes.HashAlgorithm) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.DIGEST_LENGTH)


def _sign_pss(
    key: rsa.RSAPrivateKey, data: bytes, algorithm: hashes.HashAlgorithm, rng: SeededRandom
) -> bytes:
    numbers = key.private_numbers()
    mod_bits = numbers.public_numbers.n.bit_length()
    salt = rng.bytes(algorithm.digest_size)
    encoded = emsa_pss_encode(_hash(algorithm, data), mod_bits - 1, salt, algorithm)
    signature = _rsasp1(numbers, int.from_bytes(encoded, "big")).to_bytes((mod_bits + 7) // 8, "big")
    try:  # never send a wrong signature (nor leak a key through a faulty CRT step)
        key.public_key().verify(signature, data, _pss(algorithm), algorithm)
    except InvalidSignature:
        raise InternalError("our RSA-PSS signature failed its own check", "RFC 8017 §8.1.1") from None
    return signature


def _lookup(scheme: int) -> _Scheme:
    spec = _SCHEMES.get(scheme)
    if spec is None:
        raise IllegalParameter(
            f"{_name(scheme)} is not a signature scheme this engine offers", "RFC 8446 §4.2.3, §4.4.3"
        )
    return spec


def _sign_with(spec: _Scheme, key: PrivateKey, data: bytes, rng: SeededRandom) -> bytes:
    """Sign with a private key that fits `spec` (`_fits`)."""
    if spec.family == "ed25519":
        return cast(ed25519.Ed25519PrivateKey, key).sign(data)
    assert spec.hash is not None  # every scheme but ed25519 names its hash
    if spec.family == "ecdsa":
        return cast(ec.EllipticCurvePrivateKey, key).sign(data, _ecdsa(spec.hash, deterministic=True))
    assert isinstance(key, rsa.RSAPrivateKey)
    if spec.family == "rsa_pss":
        return _sign_pss(key, data, spec.hash, rng)
    return key.sign(data, padding.PKCS1v15(), spec.hash)


def _verify_with(spec: _Scheme, key: PublicKey, data: bytes, signature: bytes) -> None:
    """Check with a public key that fits `spec` (`_fits`). Raises InvalidSignature when
    the signature does not verify."""
    if spec.family == "ed25519":
        return cast(ed25519.Ed25519PublicKey, key).verify(signature, data)
    assert spec.hash is not None
    if spec.family == "ecdsa":
        return cast(ec.EllipticCurvePublicKey, key).verify(signature, data, _ecdsa(spec.hash, deterministic=False))
    assert isinstance(key, rsa.RSAPublicKey)
    scheme_padding = _pss(spec.hash) if spec.family == "rsa_pss" else padding.PKCS1v15()
    return key.verify(signature, data, scheme_padding, spec.hash)


def sign(scheme: int, private_key: PrivateKey, data: bytes, rng: SeededRandom) -> bytes:
    """Sign `data` with `scheme`. Only RSA-PSS draws from `rng` (its salt); the other schemes
    are deterministic. A key that cannot make this scheme's signatures is our own fault:
    `InternalError`."""
    spec = _lookup(scheme)
    kind, public = _KINDS.get(type(private_key)) or _kind(private_key)
    if public or not _fits(spec, private_key, kind, tls13=False):
        raise InternalError(
            f"{_key_name(private_key)} cannot make {_name(scheme)} signatures", "RFC 8446 §4.2.3"
        )
    return _sign_with(spec, private_key, data, rng)


def verify(
    scheme: int, public_key: CertificatePublicKeyTypes, data: bytes, signature: bytes, *, tls13: bool = True
) -> None:
    """Check a peer's signature with its certificate's key. `IllegalParameter` if that key
    cannot have made this scheme's signatures; `DecryptError` if the signature does not verify."""
    spec = _lookup(scheme)
    section = "RFC 8446 §4.4.3" if tls13 else "RFC 5246 §7.4.3"
    kind, public = _KINDS.get(type(public_key)) or _kind(public_key)
    if not public or not _fits(spec, public_key, kind, tls13=tls13):
        raise IllegalParameter(
            f"the peer signed with {_name(scheme)}, which {_key_name(public_key)} cannot use", section
        )
    try:
        _verify_with(spec, cast(PublicKey, public_key), data, signature)
    except (InvalidSignature, ValueError):
        raise DecryptError(
            f"the {_name(scheme)} signature does not verify with the certificate's key", section
        ) from None


_CONTEXTS = {True: b"TLS 1.3, server CertificateVerify", False: b"TLS 1.3, client CertificateVerify"}


def certificate_verify_content(transcript_hash: bytes, is_server: bool) -> bytes:
    """What a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3): 64 spaces, the context
    string for the signer's side, a zero byte, then Transcript-Hash(Handshake Context,
    Certificate)."""
    return b"\x20" * 64 + _CONTEXTS[is_server] + b"\x00" + transcript_hash


def signed_params_content(client_random: bytes, server_random: bytes, params: bytes) -> bytes:
    """What a TLS 1.2 ServerKeyExchange signs (RFC 5246 §7.4.3, RFC 8422 §5.4): both
    randoms, then the encoded key exchange parameters."""
    return client_random + server_random + params
