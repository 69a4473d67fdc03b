"""The certificates `synack serve` presents and `synack connect` trusts, from the seed or files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from engine.net.errors import UsageFailure
from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority, Credential, KeyKind, load_pem_credential

SERVER_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ServeIdentity:
    """A demo CA made from the seed, the server's leaf for the loopback names, and a
    client certificate ("student") for trying client authentication."""

    ca: CertificateAuthority
    server: Credential
    client: Credential


def make_identity(seed: int, kind: KeyKind) -> ServeIdentity:
    rng = SeededRandom(seed).child("serve.identity")
    ca = CertificateAuthority.generate(rng.child("ca"))
    server = ca.issue(list(SERVER_NAMES), kind, rng.child(f"server.{kind}"))
    client = ca.issue([], "ecdsa", rng.child("client"), client=True)
    return ServeIdentity(ca, server, client)


def write_file(path: Path, data: bytes, what: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UsageFailure(f"cannot write {what} to {path}: {error.strerror}") from None


def read_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageFailure(f"cannot read {what} {path}: {error.strerror}") from None


def load_trust_anchors(path: Path) -> tuple[bytes, ...]:
    """Every certificate in a PEM file, as DER: the CAs `connect` trusts."""
    data = read_file(path, "the CA file")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise UsageFailure(f"{path} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)") from None
    return tuple(certificate.public_bytes(Encoding.DER) for certificate in certificates)


def load_client_credential(cert: Path, key: Path | None) -> Credential:
    """A client certificate chain and its key (in the same file when `key` is None)."""
    chain = read_file(cert, "the client certificate")
    key_pem = read_file(key, "the client key") if key else chain
    try:
        return load_pem_credential(chain, key_pem)
    except (ValueError, TypeError) as error:
        raise UsageFailure(f"cannot use the client certificate {cert}: {error}") from None


def credential_pem(credential: Credential) -> bytes:
    """The chain and the key in one PEM file (openssl -cert/-key and curl --cert read it)."""
    chain, key = credential.to_pem()
    return chain + key

__all__ = [
    "SERVER_NAMES",
    "ServeIdentity",
    "credential_pem",
    "load_client_credential",
    "load_trust_anchors",
    "make_identity",
    "read_file",
    "write_file",
]
