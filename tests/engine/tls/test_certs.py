"""Certificates: a seeded CA and credentials, byte-identical per seed, accepted by OpenSSL;
chain checks that turn each fault into the alert the RFC names."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from engine.rng import SeededRandom
from engine.tls.alerts import (
    Alert,
    BadCertificate,
    CertificateExpired,
    CertificateRequired,
    DecodeError,
    UnknownCa,
    UnsupportedCertificate,
)
from engine.tls.certs import (
    DEFAULT_NOT_AFTER,
    DEFAULT_NOT_BEFORE,
    KEY_KINDS,
    RSA_KEY_FILES,
    CertificateAuthority,
    Credential,
    KeyKind,
    load_pem_credential,
    shipped_rsa_key,
    verify_chain,
)
from tests.pcap_reader import read_tcp_packets

E = TypeVar("E", bound=x509.ExtensionType)
CAPTURES = Path(__file__).resolve().parents[2] / "fixtures" / "captures"
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
HOST = "www.example.com"
CA = CertificateAuthority.generate(SeededRandom(1, "ca"))
OTHER_CA = CertificateAuthority.generate(SeededRandom(2, "ca"))
IMPOSTOR_CA = CertificateAuthority.generate(SeededRandom(3, "ca"))  # same default name as CA, other key
SHORT_LIVED_CA = CertificateAuthority.generate(
    SeededRandom(4, "ca"), "short-lived CA", not_after=datetime(2030, 1, 1, tzinfo=timezone.utc)
)


def server(kind: KeyKind = "ecdsa", *, not_after: datetime = DEFAULT_NOT_AFTER) -> Credential:
    return CA.issue([HOST], kind, SeededRandom(10, f"server.{kind}"), not_after=not_after)


def client(kind: KeyKind = "ecdsa") -> Credential:
    return CA.issue([], kind, SeededRandom(10, f"client.{kind}"), client=True)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_ca_different_seed_different_ca() -> None:
    again = CertificateAuthority.generate(SeededRandom(1, "ca"))
    assert again.certificate == CA.certificate
    assert again.private_key.private_numbers() == CA.private_key.private_numbers()
    assert OTHER_CA.certificate != CA.certificate


def _key_bytes(credential: Credential) -> bytes:
    return credential.to_pem()[1]


@pytest.mark.parametrize("kind", KEY_KINDS)
@pytest.mark.parametrize("is_client", [False, True], ids=["server", "client"])
def test_same_seed_same_credential_bytes(kind: KeyKind, is_client: bool) -> None:
    issue = client if is_client else server
    first, again = issue(kind), issue(kind)
    assert first.chain == again.chain and _key_bytes(first) == _key_bytes(again)
    other = CA.issue([HOST], kind, SeededRandom(11, "server"), client=is_client)
    assert other.chain[0] != first.chain[0]


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa"])
def test_a_different_seed_gives_a_different_key(kind: KeyKind) -> None:
    first, other = server(kind), CA.issue([HOST], kind, SeededRandom(11, "server"))
    assert _key_bytes(first) != _key_bytes(other)


def test_two_certificates_from_one_rng_differ() -> None:
    rng = SeededRandom(4)
    assert CA.issue([HOST], "ed25519", rng).chain[0] != CA.issue([HOST], "ed25519", rng).chain[0]


def test_rsa_keys_come_from_the_shipped_set() -> None:
    shipped = [shipped_rsa_key(index) for index in range(len(RSA_KEY_FILES))]
    assert len({key.public_key().public_numbers().n for key in shipped}) == 3
    assert all(key.key_size == 2048 and key.public_key().public_numbers().e == 65537 for key in shipped)
    picked = {_key_bytes(CA.issue([HOST], "rsa", SeededRandom(seed))) for seed in range(20)}
    assert picked == {_key_bytes(Credential((), key, "rsa")) for key in shipped}


# --- the profile ----------------------------------------------------------------------------


def _extension(certificate: x509.Certificate, kind: type[E]) -> E:
    return certificate.extensions.get_extension_for_class(kind).value


def test_the_ca_certificate() -> None:
    certificate = CA.parsed
    assert certificate.subject == certificate.issuer
    assert certificate.subject.rfc4514_string() == "CN=synack demo CA"
    assert certificate.not_valid_before_utc == DEFAULT_NOT_BEFORE
    assert certificate.not_valid_after_utc == DEFAULT_NOT_AFTER
    assert _extension(certificate, x509.BasicConstraints) == x509.BasicConstraints(ca=True, path_length=0)
    usage = _extension(certificate, x509.KeyUsage)
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert certificate.extensions.get_extension_for_class(x509.KeyUsage).critical
    assert certificate.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert 0 < certificate.serial_number < 1 << 159


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_a_server_certificate(kind: KeyKind) -> None:
    credential = server(kind)
    leaf = credential.leaf
    assert credential.chain[1] == CA.certificate and credential.key_kind == kind
    assert leaf.subject.rfc4514_string() == f"CN={HOST}"
    assert _extension(leaf, x509.SubjectAlternativeName).get_values_for_type(x509.DNSName) == [HOST]
    assert list(_extension(leaf, x509.ExtendedKeyUsage)) == [ExtendedKeyUsageOID.SERVER_AUTH]
    usage = _extension(leaf, x509.KeyUsage)
    assert usage.digital_signature and usage.key_encipherment == (kind == "rsa")
    assert _extension(leaf, x509.BasicConstraints) == x509.BasicConstraints(ca=False, path_length=None)
    assert leaf.public_key() == credential.private_key.public_key()


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_a_client_certificate(kind: KeyKind) -> None:
    leaf = client(kind).leaf
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "student"
    assert list(_extension(leaf, x509.ExtendedKeyUsage)) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not _extension(leaf, x509.KeyUsage).key_encipherment


def test_a_server_certificate_needs_a_name() -> None:
    with pytest.raises(ValueError, match="at least one hostname"):
        CA.issue([], "ecdsa", SeededRandom(1))


# --- PEM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_pem_round_trip(kind: KeyKind) -> None:
    credential = server(kind)
    loaded = load_pem_credential(*credential.to_pem())
    assert loaded.chain == credential.chain and loaded.key_kind == kind
    assert _key_bytes(loaded) == _key_bytes(credential)
    assert x509.load_pem_x509_certificate(CA.to_pem()) == CA.parsed


def test_a_key_that_is_not_the_leafs_is_refused() -> None:
    chain_pem, _ = server("ecdsa").to_pem()
    with pytest.raises(ValueError, match="does not belong"):
        load_pem_credential(chain_pem, server("ed25519").to_pem()[1])


# --- verify_chain: the good cases -----------------------------------------------------------


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_our_chains_verify(kind: KeyKind) -> None:
    verify_chain(server(kind).chain, [CA.certificate], HOST, NOW)
    verify_chain(server(kind).chain[:1], [CA.certificate], HOST.upper(), NOW)
    verify_chain(server(kind).chain, [CA.certificate], None, NOW)
    verify_chain(client(kind).chain, [CA.certificate], None, NOW, client=True)


def test_ip_address_and_wildcard_names() -> None:
    credential = CA.issue(["*.example.org", "192.0.2.7"], "ed25519", SeededRandom(5))
    for name in ("a.example.org", "192.0.2.7"):
        verify_chain(credential.chain, [CA.certificate], name, NOW)
    for name in ("example.org", "a.b.example.org", "192.0.2.8"):
        with pytest.raises(BadCertificate, match=f"certificate is for \\*.example.org, 192.0.2.7, not {name}"):
            verify_chain(credential.chain, [CA.certificate], name, NOW)


# --- verify_chain: each fault, its alert ----------------------------------------------------


def _leaf_with(
    public_key: CertificatePublicKeyTypes,
    *,
    is_ca: bool = False,
    purpose: x509.ObjectIdentifier = ExtendedKeyUsageOID.SERVER_AUTH,
    issuer: CertificateAuthority = CA,
    names: tuple[str, ...] = (HOST,),
) -> bytes:
    """A leaf with a key or extensions `issue` would never produce."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)]))
        .issuer_name(issuer.parsed.subject)
        .public_key(public_key)
        .serial_number(12345)
        .not_valid_before(DEFAULT_NOT_BEFORE)
        .not_valid_after(DEFAULT_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    issuer_key = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key())
    builder = builder.add_extension(issuer_key, critical=False)
    if names:
        san = x509.SubjectAlternativeName([x509.DNSName(name) for name in names])
        builder = builder.add_extension(san, critical=False)
    return _der(builder.sign(issuer.private_key, hashes.SHA256(), ecdsa_deterministic=True))


def _tampered(der: bytes) -> bytes:
    return der[:-3] + bytes([der[-3] ^ 0x01]) + der[-2:]  # a bit inside the signature value


@dataclass(frozen=True)
class Fault:
    chain: Callable[[], list[bytes]]
    alert: type[Alert]
    reason: str
    hostname: str | None = HOST
    now: datetime = NOW
    client: bool = False
    anchors: tuple[CertificateAuthority, ...] = (CA,)


FAULTS = {
    "issued by a CA we do not trust": Fault(
        lambda: list(OTHER_CA.issue([HOST], "ecdsa", SeededRandom(1)).chain),
        UnknownCa, "'synack demo CA' is self-signed and not a trust anchor"),
    "leaf alone, issuer unknown": Fault(
        lambda: [OTHER_CA.issue([HOST], "ecdsa", SeededRandom(1)).chain[0]],
        UnknownCa, f"no trusted CA issued the certificate for '{HOST}'"),
    "impostor CA with the trusted CA's name": Fault(
        lambda: [IMPOSTOR_CA.issue([HOST], "ecdsa", SeededRandom(1)).chain[0]],
        UnknownCa, "not among the trust anchors"),
    "a self-signed CA as the leaf": Fault(lambda: [OTHER_CA.certificate], UnknownCa, "self-signed"),
    "expired": Fault(
        lambda: list(server(not_after=datetime(2026, 1, 1, tzinfo=timezone.utc)).chain),
        CertificateExpired, f"the certificate for '{HOST}' expired on 2026-01-01 00:00 UTC; it is now 2026-12-01"),
    "not yet valid": Fault(
        lambda: list(server().chain), CertificateExpired, "is not valid until 2025-01-01 00:00 UTC",
        now=datetime(2024, 6, 1, tzinfo=timezone.utc)),
    "expired CA": Fault(
        lambda: list(SHORT_LIVED_CA.issue([HOST], "ed25519", SeededRandom(1)).chain), CertificateExpired,
        "the certificate for 'short-lived CA' expired on 2030-01-01",
        now=datetime(2031, 1, 1, tzinfo=timezone.utc), anchors=(SHORT_LIVED_CA,)),
    "wrong host name": Fault(
        lambda: list(server().chain), BadCertificate, f"certificate is for {HOST}, not evil.example",
        hostname="evil.example"),
    "tampered leaf signature": Fault(
        lambda: [_tampered(server().chain[0])], BadCertificate, "does not verify with the key of its issuer"),
    "malformed DER": Fault(
        lambda: [server().chain[0][:-10]], BadCertificate, "certificate 0 of the chain is not a well-formed DER"),
    "garbage intermediate": Fault(
        lambda: [server().chain[0], b"\x30\x03abc"], BadCertificate, "certificate 1 of the chain"),
    "Ed448 key": Fault(
        lambda: [_leaf_with(ed448.Ed448PrivateKey.generate().public_key())],
        UnsupportedCertificate, "has an Ed448 key"),
    "P-521 key": Fault(
        lambda: [_leaf_with(ec.generate_private_key(ec.SECP521R1()).public_key())],
        UnsupportedCertificate, "has an ECDSA secp521r1 key"),
    "RSA-1024 key": Fault(
        lambda: [_leaf_with(rsa.generate_private_key(65537, 1024).public_key())],
        UnsupportedCertificate, "has an RSA-1024 key"),
    "client certificate offered by a server": Fault(
        lambda: list(client().chain),
        UnsupportedCertificate, "is not for TLS servers: its extended key usage lacks serverAuth"),
    "server certificate offered by a client": Fault(
        lambda: list(server().chain),
        UnsupportedCertificate, "is not for TLS clients", client=True, hostname=None),
    "a CA certificate as the leaf (path validation)": Fault(
        lambda: [_leaf_with(ed25519.Ed25519PrivateKey.generate().public_key(), is_ca=True)],
        BadCertificate, "fails RFC 5280 path validation"),
    "a leaf without subjectAltName": Fault(
        lambda: [_leaf_with(ed25519.Ed25519PrivateKey.generate().public_key(), names=())],
        BadCertificate, f"the certificate for '{HOST}' names no host", hostname=None),
    "empty server Certificate": Fault(lambda: [], DecodeError, "holds no certificate"),
    "empty client Certificate": Fault(lambda: [], CertificateRequired, "sent no certificate", client=True),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_each_fault_raises_its_alert(fault: Fault) -> None:
    anchors = [anchor.certificate for anchor in fault.anchors]
    with pytest.raises(Alert) as caught:
        verify_chain(fault.chain(), anchors, fault.hostname, fault.now, client=fault.client)
    assert type(caught.value) is fault.alert, caught.value.reason
    assert fault.reason in caught.value.reason
    assert caught.value.section.startswith("RFC")


def test_a_naive_now_is_read_as_utc() -> None:
    with pytest.raises(CertificateExpired):
        verify_chain(server().chain, [CA.certificate], HOST, datetime(2035, 1, 1, 0, 0, 1))


# --- certificates OpenSSL made: the capture CA ----------------------------------------------


def _handshake_messages(stream: bytes) -> list[tuple[int, bytes]]:
    """Cleartext handshake messages at the start of one direction of a TLS 1.2 connection."""
    body = b""
    while len(stream) >= 5 and stream[0] == 22:  # handshake records, until ChangeCipherSpec
        length = int.from_bytes(stream[3:5], "big")
        body, stream = body + stream[5 : 5 + length], stream[5 + length :]
    messages = []
    while len(body) >= 4:
        length = int.from_bytes(body[1:4], "big")
        messages.append((body[0], body[4 : 4 + length]))
        body = body[4 + length :]
    return messages


def _certificate_list(body: bytes) -> list[bytes]:
    certificates, at = [], 3
    while at < len(body):
        length = int.from_bytes(body[at : at + 3], "big")
        certificates.append(body[at + 3 : at + 3 + length])
        at += 3 + length
    return certificates


def captured_server_chain(name: str) -> list[bytes]:
    streams: dict[int, bytes] = {}
    for packet in read_tcp_packets(CAPTURES / name):
        source_port, offset = int.from_bytes(packet.tcp[:2], "big"), (packet.tcp[12] >> 4) * 4
        streams[source_port] = streams.get(source_port, b"") + packet.tcp[offset:]
    for stream in streams.values():
        for kind, body in _handshake_messages(stream):
            if kind == 11:
                return _certificate_list(body)
    raise AssertionError(f"no Certificate message in {name}")


CAPTURE_CA = _der(x509.load_pem_x509_certificate((CAPTURES / "ca.pem").read_bytes()))


def test_an_openssl_made_chain_from_a_capture_verifies_against_the_capture_ca() -> None:
    """OpenSSL's `req -x509` CA has no keyUsage, which the strict web PKI profile demands:
    verify_chain loosens exactly that, and real peers' chains verify."""
    chain = captured_server_chain("tls12-ecdhe-rsa.pcap")
    verify_chain(chain, [CAPTURE_CA], "localhost", NOW)
    with pytest.raises(BadCertificate, match="certificate is for localhost, not www.example.com"):
        verify_chain(chain, [CAPTURE_CA], HOST, NOW)
    with pytest.raises(UnknownCa):
        verify_chain(chain[:1], [CA.certificate], "localhost", NOW)


# --- OpenSSL accepts our certificates (Python's ssl, in memory) -----------------------------


def _write_pem(directory: Path, name: str, credential: Credential) -> tuple[Path, Path]:
    chain_pem, key_pem = credential.to_pem()
    (directory / f"{name}.crt").write_bytes(chain_pem)
    (directory / f"{name}.key").write_bytes(key_pem)
    return directory / f"{name}.crt", directory / f"{name}.key"


def _contexts(tmp_path: Path, kind: KeyKind, version: ssl.TLSVersion) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(client, server), both trusting only our CA, strict X.509 checks, client auth required."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(*_write_pem(tmp_path, "server", server(kind)))
    server_context.load_verify_locations(cadata=CA.to_pem().decode())
    server_context.verify_mode = ssl.CERT_REQUIRED
    client_context = ssl.create_default_context(cadata=CA.to_pem().decode())
    client_context.load_cert_chain(*_write_pem(tmp_path, "client", client(kind)))
    for context in (server_context, client_context):
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        context.minimum_version = context.maximum_version = version
    return client_context, server_context


def _handshake(
    client_context: ssl.SSLContext, server_context: ssl.SSLContext, hostname: str
) -> tuple[ssl.SSLObject, ssl.SSLObject]:
    """A full handshake between two in-memory OpenSSL endpoints: no sockets, no network."""
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client_end = client_context.wrap_bio(to_client, to_server, server_hostname=hostname)
    server_end = server_context.wrap_bio(to_server, to_client, server_side=True)
    pending = [client_end, server_end]
    for _ in range(10):
        for end in list(pending):
            try:
                end.do_handshake()
                pending.remove(end)
            except ssl.SSLWantReadError:
                pass
        if not pending:
            return client_end, server_end
    raise AssertionError("the handshake did not finish")


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3], ids=["tls12", "tls13"])
@pytest.mark.parametrize("kind", KEY_KINDS)
def test_openssl_accepts_our_ca_server_and_client_certificates(
    tmp_path: Path, kind: KeyKind, version: ssl.TLSVersion
) -> None:
    client_end, server_end = _handshake(*_contexts(tmp_path, kind, version), HOST)
    assert client_end.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    server_seen, client_seen = client_end.getpeercert(), server_end.getpeercert()
    assert server_seen is not None and server_seen["subjectAltName"] == (("DNS", HOST),)
    assert client_seen is not None and client_seen["subject"] == ((("commonName", "student"),),)


def test_openssl_accepts_our_rsa_certificate_for_tls12_rsa_key_exchange(tmp_path: Path) -> None:
    client_context, server_context = _contexts(tmp_path, "rsa", ssl.TLSVersion.TLSv1_2)
    for context in (client_context, server_context):
        context.set_ciphers("AES128-GCM-SHA256")
    client_end, _ = _handshake(client_context, server_context, HOST)
    assert client_end.cipher()[0] == "AES128-GCM-SHA256"  # type: ignore[index]


def test_openssl_refuses_our_certificate_for_another_name(tmp_path: Path) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        _handshake(*_contexts(tmp_path, "ecdsa", ssl.TLSVersion.TLSv1_3), "evil.example")
