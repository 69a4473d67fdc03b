"""The inside of an X.509 certificate as a byte map (RFC 5280 §4.1).

A Certificate message's byte map stops at each `cert_data`: one opaque DER blob. This
module walks that DER (tag, length, value) and names the fields a player needs to check a
certificate: serial, issuer, validity, subject, the subject's public key, the extensions
(subjectAltName above all: the names the certificate is good for) and the issuer's
signature. Offsets come from the walk itself; the values shown come from `cryptography`'s
reading of the same bytes.

It is built only when the UI asks for a Certificate's fields, never on the handshake path.
A certificate that does not parse (a level may corrupt one on purpose) gets the spans that
could be walked, and never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.bytemap import FieldSpan

RFC = "RFC 5280"
SEQUENCE, SET, INTEGER, BIT_STRING, OCTET_STRING, OID, BOOLEAN = 0x30, 0x31, 0x02, 0x03, 0x04, 0x06, 0x01
EXPLICIT_0, EXPLICIT_3 = 0xA0, 0xA3


class DerError(ValueError):
    """The bytes are not the DER the walk expects here."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One DER element: its tag, and where its header, value and end lie in the buffer."""

    tag: int
    start: int
    value_start: int
    end: int


def read_tlv(der: bytes, pos: int, limit: int) -> Tlv:
    """The element at `pos`, which must end by `limit` (DER: definite lengths only)."""
    if pos + 2 > limit:
        raise DerError(f"truncated element at byte {pos}")
    tag, first = der[pos], der[pos + 1]
    if tag & 0x1F == 0x1F:
        raise DerError(f"multi-byte tag at byte {pos}")
    header = pos + 2
    length = first
    if first & 0x80:
        count = first & 0x7F
        if count == 0 or count > 4 or header + count > limit:
            raise DerError(f"bad length at byte {pos + 1}")
        length = int.from_bytes(der[header : header + count], "big")
        header += count
    if header + length > limit:
        raise DerError(f"element at byte {pos} runs past its parent")
    return Tlv(tag, pos, header, header + length)


def children(der: bytes, parent: Tlv) -> list[Tlv]:
    """The elements inside a constructed element, in order."""
    found, pos = [], parent.value_start
    while pos < parent.end:
        element = read_tlv(der, pos, parent.end)
        found.append(element)
        pos = element.end
    return found


def oid_text(der: bytes, element: Tlv) -> str:
    """An OBJECT IDENTIFIER's dotted form (X.690 §8.19)."""
    body = der[element.value_start : element.end]
    if element.tag != OID or not body:
        raise DerError(f"expected an OID at byte {element.start}")
    arcs, value = [], 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in (first, arcs[0] - 40 * first, *arcs[1:]))


# (label, meaning, section) of each tbsCertificate field, in order (RFC 5280 §4.1).
TBS_FIELDS = (
    ("serialNumber", "Serial number", "The issuer's unique number for this certificate", "§4.1.2.2"),
    ("signature", "Signature algorithm (inside)", "The algorithm the issuer signed with; must equal signatureAlgorithm", "§4.1.2.3"),
    ("issuer", "Issuer", "Who vouches for this certificate: the CA that signed it (the subject of the next one up the chain)", "§4.1.2.4"),
    ("validity", "Validity", "When the certificate may be trusted: a client refuses it outside these dates", "§4.1.2.5"),
    ("subject", "Subject", "Whom the certificate names (for a server, the name is checked in subjectAltName)", "§4.1.2.6"),
    ("subjectPublicKeyInfo", "Public key", "The subject's public key: the CertificateVerify or ServerKeyExchange signature is checked with it", "§4.1.2.7"),
)
EXTENSIONS: dict[str, tuple[str, str, str]] = {
    "2.5.29.17": ("subjectAltName", "The names this certificate is valid for: the client checks the name it asked for (SNI) against these", "§4.2.1.6"),
    "2.5.29.19": ("basicConstraints", "Whether the subject is a CA that may sign other certificates", "§4.2.1.9"),
    "2.5.29.15": ("keyUsage", "What the key may be used for (signatures, key encipherment, signing certificates)", "§4.2.1.3"),
    "2.5.29.37": ("extKeyUsage", "Purposes, e.g. serverAuth for a TLS server", "§4.2.1.12"),
    "2.5.29.14": ("subjectKeyIdentifier", "A short id of this certificate's public key", "§4.2.1.2"),
    "2.5.29.35": ("authorityKeyIdentifier", "The id of the issuer's key, to find the next certificate up", "§4.2.1.1"),
}


class _Values:
    """What `cryptography` reads from the same DER, for display; empty where it cannot."""

    def __init__(self, der: bytes) -> None:
        try:
            from cryptography import x509

            self.cert: Any = x509.load_der_x509_certificate(der)
        except Exception:  # noqa: BLE001 - a corrupt certificate is shown, not refused
            self.cert = None

    def get(self, read: Callable[[Any], str]) -> str:
        if self.cert is None:
            return ""
        try:
            return read(self.cert)
        except Exception:  # noqa: BLE001 - one unreadable field does not hide the others
            return ""


def certificate_spans(der: bytes, offset: int, path: str, depth: int) -> list[FieldSpan]:
    """The certificate's fields, offsets shifted by `offset` (where the DER starts in the
    message), paths under `path`, the top ones at `depth`."""
    spans: list[FieldSpan] = []
    try:
        _walk(der, _Values(der), spans, offset, path, depth)
    except DerError as error:
        spans.append(FieldSpan(offset, offset + len(der), f"{path}.unreadable", "Unreadable DER",
                               str(error), "The rest of the certificate does not parse as DER", RFC, depth))
    return spans


def _walk(der: bytes, values: _Values, spans: list[FieldSpan], offset: int, path: str, depth: int) -> None:
    def add(element: Tlv, name: str, label: str, value: str, meaning: str, section: str, level: int) -> None:
        spans.append(FieldSpan(offset + element.start, offset + element.end, f"{path}.{name}", label, value,
                               meaning, f"{RFC} {section}", level))

    outer = read_tlv(der, 0, len(der))
    tbs, algorithm, signature = _expect(children(der, outer), 3, "Certificate")
    add(tbs, "tbsCertificate", "To be signed", values.get(lambda c: f"{len(c.tbs_certificate_bytes)} bytes"),
        "Everything the issuer vouches for; its signature at the end covers exactly these bytes", "§4.1.1.1", depth)
    fields = children(der, tbs)
    if fields and fields[0].tag == EXPLICIT_0:
        add(fields.pop(0), "tbsCertificate.version", "Version", values.get(lambda c: c.version.name),
            "v3 is the version that may carry extensions", "§4.1.2.1", depth + 1)
    readers: dict[str, Callable[[Any], str]] = {
        "serialNumber": lambda c: f"{c.serial_number:x}",
        "signature": lambda c: _algorithm(c),
        "issuer": lambda c: c.issuer.rfc4514_string(),
        "validity": lambda c: f"{c.not_valid_before_utc:%Y-%m-%d} to {c.not_valid_after_utc:%Y-%m-%d}",
        "subject": lambda c: c.subject.rfc4514_string(),
        "subjectPublicKeyInfo": lambda c: _public_key(c.public_key()),
    }
    for element, (name, label, meaning, section) in zip(fields, TBS_FIELDS):
        add(element, f"tbsCertificate.{name}", label, values.get(readers[name]), meaning, section, depth + 1)
        if name == "validity":
            _validity(der, element, values, add, depth + 2)
    extensions = next((element for element in fields if element.tag == EXPLICIT_3), None)
    if extensions is not None:
        _extensions(der, extensions, values, add, depth + 1)
    add(algorithm, "signatureAlgorithm", "Signature algorithm", values.get(_algorithm),
        "How the issuer signed tbsCertificate", "§4.1.1.2", depth)
    add(signature, "signatureValue", "Issuer's signature", f"{signature.end - signature.value_start - 1} bytes",
        "The issuer's signature over tbsCertificate: checked with the issuer's public key", "§4.1.1.3", depth)


def _validity(der: bytes, validity: Tlv, values: _Values, add: Callable[..., None], depth: int) -> None:
    not_before, not_after = _expect(children(der, validity), 2, "Validity")
    add(not_before, "tbsCertificate.validity.notBefore", "Not before",
        values.get(lambda c: f"{c.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"), "Not valid before this time", "§4.1.2.5", depth)
    add(not_after, "tbsCertificate.validity.notAfter", "Not after",
        values.get(lambda c: f"{c.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"), "Expired after this time", "§4.1.2.5", depth)


def _extensions(der: bytes, wrapper: Tlv, values: _Values, add: Callable[..., None], depth: int) -> None:
    (sequence,) = _expect(children(der, wrapper), 1, "extensions")
    found = children(der, sequence)
    add(wrapper, "tbsCertificate.extensions", "Extensions", f"{len(found)} extensions",
        "What else the issuer says about the subject and its key", "§4.1.2.9", depth)
    for index, extension in enumerate(found):
        parts = children(der, extension)
        oid = oid_text(der, parts[0]) if parts else ""
        name, meaning, section = EXTENSIONS.get(oid, (oid, "An extension this game does not explain", "§4.2"))
        critical = len(parts) == 3 and parts[1].tag == BOOLEAN and der[parts[1].value_start] != 0
        value = values.get(lambda c: _extension_value(c, oid))
        add(extension, f"tbsCertificate.extensions[{index}]", name + (" (critical)" if critical else ""),
            value, meaning, section, depth + 1)


def _expect(elements: list[Tlv], count: int, what: str) -> list[Tlv]:
    if len(elements) < count:
        raise DerError(f"{what}: expected {count} elements, found {len(elements)}")
    return elements[:count]


def _algorithm(cert: Any) -> str:
    oid = cert.signature_algorithm_oid
    return getattr(oid, "_name", oid.dotted_string)


def _public_key(key: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} ({key.key_size} bits)"
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    return type(key).__name__


def _extension_value(cert: Any, oid: str) -> str:
    from cryptography import x509

    extension = next(e for e in cert.extensions if e.oid.dotted_string == oid)
    value = extension.value
    if isinstance(value, x509.SubjectAlternativeName):
        names = [f"DNS:{name}" for name in value.get_values_for_type(x509.DNSName)]
        names += [f"IP:{address}" for address in value.get_values_for_type(x509.IPAddress)]
        return ", ".join(names)
    if isinstance(value, x509.BasicConstraints):
        return f"CA: {'yes' if value.ca else 'no'}"
    if isinstance(value, x509.ExtendedKeyUsage):
        return ", ".join(getattr(usage, "_name", usage.dotted_string) for usage in value)
    if isinstance(value, x509.KeyUsage):
        return ", ".join(usage for usage in KEY_USAGES if getattr(value, usage))
    if isinstance(value, x509.SubjectKeyIdentifier | x509.AuthorityKeyIdentifier):
        digest = value.digest if isinstance(value, x509.SubjectKeyIdentifier) else value.key_identifier
        return f"{digest.hex()[:16]}…" if digest else ""
    return ""


# KeyUsage flags that are always readable (encipher_only and decipher_only raise unless
# key_agreement is set).
KEY_USAGES = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
              "key_agreement", "key_cert_sign", "crl_sign")
