"""TLS alerts (RFC 8446 §6, RFC 5246 §7.2) as exceptions that carry their description.

An endpoint that meets a fault raises one of these internally; its public methods catch
it, send the alert, and stop. Nothing else ever reaches the endpoint's caller.
"""

from __future__ import annotations

import enum
import re


class AlertLevel(enum.IntEnum):
    WARNING = 1
    FATAL = 2


class AlertDescription(enum.IntEnum):
    close_notify = 0
    unexpected_message = 10
    bad_record_mac = 20
    record_overflow = 22
    handshake_failure = 40
    bad_certificate = 42
    unsupported_certificate = 43
    certificate_revoked = 44
    certificate_expired = 45
    certificate_unknown = 46
    illegal_parameter = 47
    unknown_ca = 48
    access_denied = 49
    decode_error = 50
    decrypt_error = 51
    protocol_version = 70
    insufficient_security = 71
    internal_error = 80
    inappropriate_fallback = 86
    user_canceled = 90
    missing_extension = 109
    unsupported_extension = 110
    unrecognized_name = 112
    bad_certificate_status_response = 113
    unknown_psk_identity = 115
    certificate_required = 116
    no_application_protocol = 120

    @classmethod
    def _missing_(cls, value: object) -> AlertDescription | None:
        """A code with no name here, e.g. `AlertDescription(200)`, named "unknown_200":
        an alert nobody defined is still an error alert when received (RFC 8446 §6)."""
        if not isinstance(value, int) or not 0 <= value <= 255:
            return None
        member = int.__new__(cls, value)
        member._name_ = f"unknown_{value}"
        member._value_ = value
        return member


class Alert(Exception):
    """A fatal condition: `description` is the alert the RFC names, `reason` plain words,
    `section` where the rule lives."""

    description: AlertDescription = AlertDescription.internal_error

    def __init__(self, reason: str, section: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.section = section



# Rules both versions share, written once with their RFC 8446 section: where RFC 5246 (or, for
# ECDHE, RFC 8422) states the same rule, a TLS 1.2 fault cites it there. Sections with no TLS 1.2 twin (the
# downgrade sentinel, supported_versions) stay as they are: they bind TLS 1.2 peers too.
TLS12_TWIN_SECTIONS = {
    "3": "RFC 5246 §4",  # presentation language
    "4": "RFC 5246 §7.4",  # handshake protocol
    "4.1.2": "RFC 5246 §7.4.1.2",  # ClientHello
    "4.2": "RFC 5246 §7.4.1.4",  # hello extensions
    "4.2.3": "RFC 5246 §7.4.1.4.1",  # signature algorithms
    "4.4.2": "RFC 5246 §7.4.2",  # the Certificate message
    "4.4.2.2": "RFC 5246 §7.4.2",  # the server's certificate
    "4.4.2.4": "RFC 5246 §7.4.2",  # receiving a Certificate
    "4.4.3": "RFC 5246 §7.4.8",  # CertificateVerify
    "4.4.4": "RFC 5246 §7.4.9",  # Finished
    "5": "RFC 5246 §6.2",  # record layer
    "5.1": "RFC 5246 §6.2.1",  # record framing and fragmentation
    "5.2": "RFC 5246 §6.2.3",  # record payload protection
    "6": "RFC 5246 §7.2",  # alerts
    "6.1": "RFC 5246 §7.2.1",  # closure alerts
    "6.2": "RFC 5246 §7.2.2",  # error alerts
    "4.2.8.1": "RFC 7919 §5.1",  # finite-field DHE public value checks
    "4.2.8.2": "RFC 8422 §5.11",  # ECDHE public key validation
    "7.4.2": "RFC 8422 §5.11",  # the all-zero X25519 shared secret
}
_RFC8446_SECTION = re.compile(r"RFC 8446 §([0-9.]+)")


def as_tls12_section(section: str) -> str:
    """"RFC 5280 §6.1, RFC 8446 §6.2" -> "RFC 5280 §6.1, RFC 5246 §7.2.2" (a twin already
    cited beside its RFC 8446 section is not repeated)."""
    def twin(match: re.Match[str]) -> str:
        return TLS12_TWIN_SECTIONS.get(match[1], match[0])

    cited = _RFC8446_SECTION.sub(twin, section).split(", ")
    return ", ".join(dict.fromkeys(cited))


class UnexpectedMessage(Alert):
    description = AlertDescription.unexpected_message


class BadRecordMac(Alert):
    description = AlertDescription.bad_record_mac


class RecordOverflow(Alert):
    description = AlertDescription.record_overflow


class HandshakeFailure(Alert):
    description = AlertDescription.handshake_failure


class BadCertificate(Alert):
    description = AlertDescription.bad_certificate


class UnsupportedCertificate(Alert):
    description = AlertDescription.unsupported_certificate


class CertificateExpired(Alert):
    description = AlertDescription.certificate_expired


class CertificateUnknown(Alert):
    description = AlertDescription.certificate_unknown


class IllegalParameter(Alert):
    description = AlertDescription.illegal_parameter


class UnknownCa(Alert):
    description = AlertDescription.unknown_ca


class DecodeError(Alert):
    description = AlertDescription.decode_error


class DecryptError(Alert):
    description = AlertDescription.decrypt_error


class ProtocolVersion(Alert):
    description = AlertDescription.protocol_version


class InsufficientSecurity(Alert):
    description = AlertDescription.insufficient_security


class InternalError(Alert):
    description = AlertDescription.internal_error


class MissingExtension(Alert):
    description = AlertDescription.missing_extension


class UnsupportedExtension(Alert):
    description = AlertDescription.unsupported_extension


class UnrecognizedName(Alert):
    description = AlertDescription.unrecognized_name


class CertificateRequired(Alert):
    description = AlertDescription.certificate_required


class NoApplicationProtocol(Alert):
    description = AlertDescription.no_application_protocol
