"""The certificate byte map: the DER walk's offsets checked against cryptography's own
reading of the same certificate, and a corrupt certificate shown, never raised."""

from __future__ import annotations

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from engine.levels import load_level
from engine.referee.referee import play_to_end
from engine.referee.fields import detailed_fields
from engine.tls.cert_map import certificate_spans, oid_text, read_tlv

NAMES = ("www.example.org", "example.org")


def make_certificate() -> bytes:
    issuer_key = ec.generate_private_key(ec.SECP256R1())
    subject_key = ed25519.Ed25519PrivateKey.generate()
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAMES[0])]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")]))
        .public_key(subject_key.public_key())
        .serial_number(0x1234)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([*(x509.DNSName(n) for n in NAMES),
                                         x509.IPAddress(ipaddress.ip_address("192.0.2.2"))]),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def by_name(spans: list) -> dict:  # type: ignore[type-arg]
    return {span.path.removeprefix("cert."): span for span in spans}


def test_offsets_match_cryptographys_reading() -> None:
    der = make_certificate()
    offset = 11
    spans = by_name(certificate_spans(der, offset, "cert", 2))
    cert = x509.load_der_x509_certificate(der)

    def raw(name: str) -> bytes:
        span = spans[name]
        return der[span.start - offset : span.end - offset]

    assert raw("tbsCertificate") == cert.tbs_certificate_bytes
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert raw("tbsCertificate.subjectPublicKeyInfo") == spki
    assert raw("signatureValue").endswith(cert.signature)
    assert raw("tbsCertificate.subject") == cert.subject.public_bytes()
    assert raw("tbsCertificate.issuer") == cert.issuer.public_bytes()
    assert spans["tbsCertificate.subject"].value == f"CN={NAMES[0]}"
    assert spans["tbsCertificate.issuer"].value == "CN=Test CA"
    assert spans["tbsCertificate.subjectPublicKeyInfo"].value == "Ed25519"
    assert spans["tbsCertificate.validity.notAfter"].value == "2025-01-31 00:00:00 UTC"
    assert spans["tbsCertificate.serialNumber"].value == "1234"
    san = next(span for span in spans.values() if span.label == "subjectAltName")
    assert san.value == "DNS:www.example.org, DNS:example.org, IP:192.0.2.2"
    assert san.rfc == "RFC 5280 §4.2.1.6"
    for name in NAMES:
        assert name.encode() in der[san.start - offset : san.end - offset]
    assert next(s for s in spans.values() if s.label.startswith("basicConstraints")).label.endswith("(critical)")
    # A parent before its children, children inside their parent.
    assert [s.start for s in spans.values()] == sorted(s.start for s in spans.values())
    assert spans["tbsCertificate"].depth == 2 and spans["tbsCertificate.subject"].depth == 3


def test_object_identifiers_known_answers() -> None:
    # X.690 §8.19: 2.5.29.17 (subjectAltName), 1.2.840.10045.4.3.2 (ecdsa-with-SHA256).
    for encoded, dotted in ((bytes.fromhex("0603551d11"), "2.5.29.17"),
                            (bytes.fromhex("06082a8648ce3d040302"), "1.2.840.10045.4.3.2")):
        assert oid_text(encoded, read_tlv(encoded, 0, len(encoded))) == dotted


def test_a_corrupt_certificate_is_shown_not_raised() -> None:
    der = make_certificate()
    for broken in (der[: len(der) // 2], b"\x30\x82\xff\xff" + der[4:], b"\x04\x00", b""):
        spans = certificate_spans(broken, 0, "cert", 0)
        assert spans and spans[-1].label == "Unreadable DER"
    # Valid DER that cryptography refuses (version 8, no such X.509 version): the walk
    # still names every field, with the values it cannot read left empty.
    mangled = der.replace(bytes.fromhex("a003020102"), bytes.fromhex("a003020107"), 1)
    spans = by_name(certificate_spans(mangled, 0, "cert", 0))
    assert "tbsCertificate.subject" in spans and spans["tbsCertificate.subject"].value == ""


def test_the_wrong_name_level_shows_the_name_to_check() -> None:
    level = load_level("tls13-06-wrong-name")
    played = play_to_end(level, level.seed)
    entry = next(e for e in played.ladder if e.kind == "Certificate")
    assert not any("subjectAltName" in span.label for span in entry.fields)  # the handshake's map
    fields = detailed_fields(entry)
    san = next(span for span in fields if span.label == "subjectAltName")
    assert san.value == "DNS:www.example.org" and level.scenario.server_name not in san.value
    assert entry.raw[san.start : san.end].find(b"www.example.org") > 0
    assert detailed_fields(entry) is fields  # built once
