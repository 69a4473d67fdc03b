"""Certificates: a seeded demo CA, the credentials it issues, and the peer's chain check.

Every game makes its own CA from the seed, so the same seed yields the same DER bytes:

- The CA key is ECDSA P-256, its scalar drawn from the rng; certificates are signed with
  deterministic ECDSA (RFC 6979) and have fixed validity (2025-01-01 to 2035-01-01 unless
  a level says otherwise). Serial numbers come from the rng. No clock is read.
- Ed25519 leaf keys are 32 rng bytes; ECDSA leaf keys are P-256 scalars from the rng.
- RSA-2048 keys cannot be generated from a seed with cryptography (it draws its primes from
  the OS), so three RSA-2048 keys made once with cryptography ship as PEM files in
  engine/tls/data/, and the rng picks one. They are public data: anyone holding the package
  holds them, which is fine for a teaching game and wrong for anything else.

Each draw takes from the rng it is given, in a fixed order (key, then serial), so two
certificates issued from one rng differ, and the same calls on the same seed repeat.

`verify_chain` checks a peer's chain the way RFC 8446 §4.4.2.2 and RFC 5280 §6 ask, with
cryptography's X.509 path validation as the final word, after checks of our own that turn
each common fault into the alert the RFC names and a sentence a player can read:
unparsable certificate → bad_certificate, unsupported key → unsupported_certificate,
no trusted issuer → unknown_ca, outside its dates → certificate_expired, wrong purpose
(extended key usage) → unsupported_certificate, wrong name → bad_certificate. A chain
that validation accepts needs only the one check validation does not make (the key); the
others run to name the fault when it refuses one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any, Literal, NamedTuple, TypeAlias

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509 import AuthorityKeyIdentifier
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    Subject,
    VerificationError,
)

from engine.rng import SeededRandom
from engine.tls.alerts import (
    BadCertificate,
    CertificateExpired,
    CertificateRequired,
    DecodeError,
    UnknownCa,
    UnsupportedCertificate,
)
from engine.tls.constants import SignatureScheme
from engine.tls.signatures import PrivateKey, key_isinstance, schemes_for

__all__ = [
    "CLIENT_COMMON_NAME",
    "DEFAULT_NOT_AFTER",
    "DEFAULT_NOT_BEFORE",
    "KEY_KINDS",
    "RSA_KEY_FILES",
    "CertificateAuthority",
    "Credential",
    "KeyKind",
    "load_pem_credential",
    "shipped_rsa_key",
    "verify_chain",
]

KeyKind: TypeAlias = Literal["ed25519", "ecdsa", "rsa"]
KEY_KINDS: tuple[KeyKind, ...] = ("ed25519", "ecdsa", "rsa")

DEFAULT_NOT_BEFORE = datetime(2025, 1, 1, tzinfo=timezone.utc)
DEFAULT_NOT_AFTER = datetime(2035, 1, 1, tzinfo=timezone.utc)
CLIENT_COMMON_NAME = "student"
Extension: TypeAlias = tuple[x509.ExtensionType, bool]  # (extension, critical)
RSA_KEY_FILES = ("rsa2048-0.pem", "rsa2048-1.pem", "rsa2048-2.pem")


# --- keys ------------------------------------------------------------------------------


@cache
def shipped_rsa_key(index: int) -> rsa.RSAPrivateKey:
    """One of the RSA-2048 keys in engine/tls/data/ (loaded once)."""
    pem = resources.files("engine.tls").joinpath("data", RSA_KEY_FILES[index]).read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _p256_key(rng: SeededRandom) -> ec.EllipticCurvePrivateKey:
    curve = ec.SECP256R1()
    return ec.derive_private_key(rng.randint(1, curve.group_order - 1), curve)


_KEY_MAKERS: dict[KeyKind, Callable[[SeededRandom], PrivateKey]] = {
    "ed25519": lambda rng: ed25519.Ed25519PrivateKey.from_private_bytes(rng.bytes(32)),
    "ecdsa": _p256_key,
    "rsa": lambda rng: shipped_rsa_key(rng.randint(0, len(RSA_KEY_FILES) - 1)),
}


_PRIVATE_KEY_TYPES = (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)


def _key_kind(key: PrivateKey) -> KeyKind:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    return "ecdsa" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa"


def _serial(rng: SeededRandom) -> int:
    """A positive serial with at least 64 random bits, within RFC 5280's 20 octets."""
    return rng.randint(1 << 64, (1 << 127) - 1)


# --- credentials and the CA -----------------------------------------------------------


def _pem_certificates(chain: Sequence[bytes]) -> bytes:
    certificates = (x509.load_der_x509_certificate(der) for der in chain)
    return b"".join(certificate.public_bytes(serialization.Encoding.PEM) for certificate in certificates)


# What cryptography raises, now or when a field is first read, for a corrupt certificate
# (it parses DER lazily): TLS 1.2 and 1.3 both turn it into bad_certificate.
CORRUPT_CERTIFICATE = (ValueError, x509.InvalidVersion, x509.DuplicateExtension, x509.UnsupportedGeneralNameType,
                       UnsupportedAlgorithm)

@dataclass(frozen=True)
class Credential:
    """A certificate chain (DER, leaf first) and the leaf's private key."""

    chain: tuple[bytes, ...]
    private_key: PrivateKey
    key_kind: KeyKind

    @cached_property
    def leaf(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.chain[0])

    @cached_property
    def tls12_schemes(self) -> tuple[SignatureScheme, ...]:
        """The TLS 1.2 signature schemes the key can make, most preferred first (worked
        out once per credential)."""
        return tuple(schemes_for(self.private_key, tls13=False))

    @cached_property
    def tls13_schemes(self) -> tuple[SignatureScheme, ...]:
        """The TLS 1.3 signature schemes the key can make, most preferred first (worked
        out once per credential, not once per handshake)."""
        return tuple(schemes_for(self.private_key, tls13=True))

    def to_pem(self) -> tuple[bytes, bytes]:
        """(certificate chain PEM, unencrypted PKCS #8 key PEM), as OpenSSL and `ssl` load them."""
        key = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return _pem_certificates(self.chain), key


def load_pem_credential(chain_pem: bytes, key_pem: bytes) -> Credential:
    """A credential from PEM files (chain leaf first; an unencrypted key). ValueError if the
    key is not the leaf's or is of a kind the engine cannot sign with."""
    certificates = x509.load_pem_x509_certificates(chain_pem)
    chain = tuple(certificate.public_bytes(serialization.Encoding.DER) for certificate in certificates)
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, _PRIVATE_KEY_TYPES):
        raise ValueError(f"a {type(key).__name__} is not an Ed25519, ECDSA or RSA private key")
    credential = Credential(chain, key, _key_kind(key))
    if credential.leaf.public_key() != key.public_key():
        raise ValueError("the private key does not belong to the first certificate of the chain")
    return credential


def _leaf_extensions(hostnames: Sequence[str], key_kind: KeyKind, client: bool) -> list[Extension]:
    """A TLS leaf's extensions, as the CA/Browser Forum profile has them."""
    purpose = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
    extensions: list[Extension] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True, key_encipherment=key_kind == "rsa" and not client), True),
        (x509.ExtendedKeyUsage([purpose]), False),
    ]
    if hostnames:
        extensions.append((x509.SubjectAlternativeName([_general_name(name) for name in hostnames]), False))
    return extensions


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    )
    return x509.KeyUsage(**(flags | allowed))


def _general_name(hostname: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return x509.DNSName(hostname)


@dataclass(frozen=True)
class CertificateAuthority:
    """A self-signed ECDSA P-256 CA that issues TLS server and client certificates."""

    certificate: bytes  # DER
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(
        cls,
        rng: SeededRandom,
        name: str = "synack demo CA",
        *,
        not_before: datetime = DEFAULT_NOT_BEFORE,
        not_after: datetime = DEFAULT_NOT_AFTER,
    ) -> CertificateAuthority:
        key = _p256_key(rng)
        subject = _common_name(name)
        extensions: list[Extension] = [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (_key_usage(key_cert_sign=True, crl_sign=True), True),
        ]
        self_signed = (subject, key)
        validity = (not_before, not_after)
        certificate = _certificate(subject, key.public_key(), self_signed, _serial(rng), validity, extensions)
        return cls(certificate, key)

    @cached_property
    def parsed(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.certificate)

    def to_pem(self) -> bytes:
        return _pem_certificates([self.certificate])

    def issue(
        self,
        hostnames: Sequence[str],
        key_kind: KeyKind,
        rng: SeededRandom,
        *,
        client: bool = False,
        not_before: datetime = DEFAULT_NOT_BEFORE,
        not_after: datetime = DEFAULT_NOT_AFTER,
    ) -> Credential:
        """A leaf for TLS servers (names in subjectAltName, EKU serverAuth) or, with `client`,
        for TLS clients (CN=student, EKU clientAuth). RSA server keys may also encipher, for
        TLS 1.2's RSA key exchange. The chain is (leaf, this CA)."""
        if not hostnames and not client:
            raise ValueError("a server certificate needs at least one hostname")
        key = _KEY_MAKERS[key_kind](rng)
        subject = _common_name(CLIENT_COMMON_NAME if client else hostnames[0])
        issuer = (self.parsed.subject, self.private_key)
        extensions = _leaf_extensions(hostnames, key_kind, client)
        validity = (not_before, not_after)
        leaf = _certificate(subject, key.public_key(), issuer, _serial(rng), validity, extensions)
        return Credential((leaf, self.certificate), key, key_kind)


def _common_name(name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])


def _certificate(
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey],
    serial: int,
    validity: tuple[datetime, datetime],
    extensions: list[Extension],
) -> bytes:
    """DER of a certificate signed by `issuer` (name, key) with deterministic ECDSA-SHA256,
    carrying key identifiers for its own key and its issuer's (RFC 5280 §4.2.1.1-2)."""
    issuer_name, issuer_key = issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    certificate = builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)
    return certificate.public_bytes(serialization.Encoding.DER)


# --- checking a peer's chain ----------------------------------------------------------

_SUPPORTED_CURVES = ("secp256r1", "secp384r1")


def _describe(certificate: x509.Certificate) -> str:
    names = [attribute.value for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    name = names[0] if names and isinstance(names[0], str) else certificate.subject.rfc4514_string()
    return f"'{name}'"


def _parse(chain: Sequence[bytes], client: bool) -> list[x509.Certificate]:
    section = "RFC 8446 §4.4.2.4"
    if not chain:
        if client:
            raise CertificateRequired("the client sent no certificate, and this server requires one", section)
        raise DecodeError("the server's Certificate message holds no certificate", section)
    certificates = []
    for index, der in enumerate(chain):
        try:
            certificates.append(x509.load_der_x509_certificate(der))
        except ValueError:
            raise BadCertificate(
                f"certificate {index} of the chain is not a well-formed DER X.509 certificate",
                "RFC 5280 §4.1",
            ) from None
    return certificates


def _key_description(key: CertificatePublicKeyTypes) -> tuple[bool, str]:
    """(whether TLS here can use the leaf's key, what kind of key it is)."""
    if key_isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _SUPPORTED_CURVES, f"ECDSA {key.curve.name}"
    if key_isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= 2048, f"RSA-{key.key_size}"
    return key_isinstance(key, ed25519.Ed25519PublicKey), type(key).__name__.removesuffix("PublicKey")


def _check_key(leaf: x509.Certificate) -> CertificatePublicKeyTypes:
    """TLS signs with the leaf's key: it must be one the signature schemes cover. Returns
    the key, parsed."""
    try:
        key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm):
        usable, what = False, f"unknown ({leaf.public_key_algorithm_oid.dotted_string})"
    else:
        usable, what = _key_description(key)
    if not usable:
        raise UnsupportedCertificate(
            f"the certificate for {_describe(leaf)} has an {what} key; this engine signs with"
            " Ed25519, ECDSA P-256/P-384 and RSA of 2048 bits or more",
            "RFC 8446 §4.4.2.2",
        )
    return key


def _key_ids_match(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """False only when both name a key identifier and they differ (RFC 5280 §4.2.1.1)."""
    try:
        wanted = certificate.extensions.get_extension_for_class(AuthorityKeyIdentifier).value.key_identifier
        held = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return True
    return wanted is None or wanted == held


def _issuer(certificate: x509.Certificate, candidates: Sequence[x509.Certificate]) -> x509.Certificate | None:
    for candidate in candidates:
        if candidate.subject == certificate.issuer and _key_ids_match(certificate, candidate):
            return candidate
    return None


def _check_signature(certificate: x509.Certificate, issuer: x509.Certificate) -> None:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        raise BadCertificate(
            f"the signature on the certificate for {_describe(certificate)} does not verify with the key of"
            f" its issuer {_describe(issuer)}",
            "RFC 5280 §6.1.3",
        ) from None


def _self_signed(certificate: x509.Certificate) -> bool:
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _untrusted(certificate: x509.Certificate) -> UnknownCa:
    if _self_signed(certificate):
        reason = f"the certificate for {_describe(certificate)} is self-signed and not a trust anchor"
    else:
        reason = (
            f"no trusted CA issued the certificate for {_describe(certificate)}: its issuer"
            f" '{certificate.issuer.rfc4514_string()}' is not among the trust anchors"
        )
    return UnknownCa(reason, "RFC 5280 §6.1, RFC 8446 §6.2")


def _trust_path(certificates: list[x509.Certificate], anchors: list[x509.Certificate]) -> list[x509.Certificate]:
    """Leaf, intermediates, anchor: each issuer found by name and key identifier, in the
    anchors first, then in the rest of the chain; each signature checked on the way (this
    runs only after path validation refused the chain, which tells no link as good)."""
    path = [certificates[0]]
    while path[-1] not in anchors:
        current = path[-1]
        if _self_signed(current):
            raise _untrusted(current)
        issuer = _issuer(current, anchors) or _issuer(current, [c for c in certificates[1:] if c not in path])
        if issuer is None:
            raise _untrusted(current)
        _check_signature(current, issuer)
        path.append(issuer)
    return path


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


_WHEN = "%Y-%m-%d %H:%M UTC"


def _check_dates(path: list[x509.Certificate], now: datetime) -> None:
    for certificate in path:
        start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
        if not start <= now <= end:
            state = f"expired on {end:{_WHEN}}" if now > end else f"is not valid until {start:{_WHEN}}"
            raise CertificateExpired(
                f"the certificate for {_describe(certificate)} {state}; it is now {now:{_WHEN}}",
                "RFC 5280 §6.1.3",
            )


_PURPOSES = {  # client? -> (extended key usage, its name, the role)
    False: (ExtendedKeyUsageOID.SERVER_AUTH, "serverAuth", "servers"),
    True: (ExtendedKeyUsageOID.CLIENT_AUTH, "clientAuth", "clients"),
}


def _check_purpose(leaf: x509.Certificate, client: bool) -> None:
    """An extended key usage, when present, must name the role (RFC 5280 §4.2.1.12)."""
    wanted, name, role = _PURPOSES[client]
    try:
        usages = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return
    if wanted not in usages and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages:
        raise UnsupportedCertificate(
            f"the certificate for {_describe(leaf)} is not for TLS {role}: its extended key usage"
            f" lacks {name}",
            "RFC 5280 §4.2.1.12",
        )


def _subject_names(leaf: x509.Certificate) -> list[str]:
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    addresses = [str(address) for address in names.get_values_for_type(x509.IPAddress)]
    return names.get_values_for_type(x509.DNSName) + addresses


def _name_matches(pattern: str, hostname: str) -> bool:
    """RFC 6125 §6.4: exact (case-insensitive), or a wildcard as the whole leftmost label."""
    pattern, hostname = pattern.lower().rstrip("."), hostname.lower().rstrip(".")
    if pattern.startswith("*."):
        first, _, rest = hostname.partition(".")
        return bool(first) and rest == pattern[2:]
    return pattern == hostname


def _check_name(leaf: x509.Certificate, hostname: str | None) -> str:
    """The name to validate the chain for: `hostname` if the leaf carries it, or with no
    hostname asked for, the leaf's first name. A leaf that names no host serves none."""
    names = _subject_names(leaf)
    section = "RFC 6125 §6.4, RFC 8446 §4.4.2.2"
    if not names:
        raise BadCertificate(
            f"the certificate for {_describe(leaf)} names no host (no subjectAltName)", section
        )
    if hostname is None:
        return names[0]
    if not any(_name_matches(name, hostname) for name in names):
        raise BadCertificate(f"certificate is for {', '.join(names)}, not {hostname}", section)
    return hostname


def _ca_key_usage(policy: Policy, certificate: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    if usage is not None and not usage.key_cert_sign:
        raise ValueError("a CA's key usage must allow keyCertSign")


@cache
def _extension_policies(client: bool) -> tuple[ExtensionPolicy, ExtensionPolicy]:
    """The web PKI profile, loosened where OpenSSL-made certificates differ from it: a CA
    may omit keyUsage (`openssl req -x509` does), a client certificate may omit
    subjectAltName."""
    ca = ExtensionPolicy.webpki_defaults_ca()
    ca = ca.may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, _ca_key_usage)
    leaf = ExtensionPolicy.webpki_defaults_ee()
    if client:
        leaf = leaf.may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    return ca, leaf


@lru_cache(maxsize=64)
def _subject(hostname: str) -> Subject:
    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return x509.DNSName(hostname)


@lru_cache(maxsize=64)
def _verifier(store: Store, now: datetime, subject: Subject | None) -> Any:
    """The path validator for a trust store, a time and a server name (None: a client's
    chain). It is configuration, not the peer's: made once, as OpenSSL makes its
    X509_STORE and verification parameters once; every chain is still validated in full."""
    ca_policy, ee_policy = _extension_policies(client=subject is None)
    builder = PolicyBuilder().store(store).time(now).extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
    return builder.build_client_verifier() if subject is None else builder.build_server_verifier(subject)


def _path_validation(
    leaf: x509.Certificate,
    intermediates: list[x509.Certificate],
    anchors: list[x509.Certificate] | Store,
    subject: Subject | None,
    now: datetime,
) -> list[x509.Certificate]:
    """cryptography's RFC 5280 path validation, for a server `subject` or (None) a client:
    the last word on everything the checks above did not cover. Returns the path it
    validated, leaf to anchor."""
    store = anchors if isinstance(anchors, Store) else Store(anchors)
    try:
        if subject is None:
            return _verifier(store, now, None).verify(leaf, intermediates).chain
        return _verifier(store, now, subject).verify(leaf, intermediates)
    except VerificationError as error:
        raise BadCertificate(f"the chain fails RFC 5280 path validation: {error}", "RFC 5280 §6.1") from None


@lru_cache(maxsize=32)
def _anchors(anchors: tuple[bytes, ...]) -> tuple[tuple[x509.Certificate, ...], Store | None]:
    """Trust anchors parsed, and their path-validation store, made once: they are the
    endpoint's configuration, not the peer's (as OpenSSL keeps its X509_STORE)."""
    roots = tuple(x509.load_der_x509_certificate(der) for der in anchors)
    try:
        store = Store(list(roots))
    except ValueError:  # no anchors: `_trust_path` refuses the chain before it is needed
        store = None
    return roots, store


def _wanted_subject(leaf: x509.Certificate, hostname: str | None, client: bool) -> Subject | None:
    """The subject `_check_name` will settle on, if it passes (None for a client chain)."""
    if client:
        return None
    return _subject(hostname if hostname is not None else _subject_names(leaf)[0])


class VerifiedChain(NamedTuple):
    """A peer's chain that passed `verify_chain`, parsed, leaf first, and the leaf's key
    (the key its signatures are checked with)."""

    certificates: list[x509.Certificate]
    leaf_key: CertificatePublicKeyTypes


def verify_chain(
    chain: Sequence[bytes],
    anchors: Sequence[bytes],
    hostname: str | None,
    now: datetime,
    *,
    client: bool = False,
) -> VerifiedChain:
    """Check a peer's certificate chain (DER, leaf first) against trust anchors (DER) at time
    `now`. `hostname` is the name the client asked for (None: any name the leaf carries);
    `client` says the chain is a client's (EKU clientAuth, no name). Raises the alert the
    fault calls for; returns the chain and the leaf's key, parsed, when it is good.

    cryptography's path validation runs first. When it accepts the chain, it has checked
    the trust path and its signatures, the dates, the purpose and the name, so only what
    it does not check is left: that TLS here can use the leaf's key. When it refuses the
    chain, its verdict is given last, after our own checks (which name the fault better)
    have had their say, in the order they always had."""
    now = _utc(now)
    certificates = _parse(chain, client)
    parsed_roots, store = _anchors(tuple(anchors))
    leaf = certificates[0]
    verdict: BaseException | None = None
    try:
        subject = _wanted_subject(leaf, hostname, client)
        _path_validation(leaf, certificates[1:], store or list(parsed_roots), subject, now)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - given after our checks, below
        verdict = error
    if verdict is not None:
        _name_the_fault(certificates, list(parsed_roots), hostname, now, client)
        raise verdict
    return VerifiedChain(certificates, _check_key(leaf))


def _name_the_fault(certificates: list[x509.Certificate], roots: list[x509.Certificate],
                    hostname: str | None, now: datetime, client: bool) -> None:
    """Path validation refused the chain: raise the alert of our own check that names
    the fault, if one finds it (else the caller gives validation's verdict)."""
    leaf = certificates[0]
    _check_key(leaf)
    path = _trust_path(certificates, roots)
    _check_dates(path, now)
    _check_purpose(leaf, client)
    if not client:
        _check_name(leaf, hostname)
