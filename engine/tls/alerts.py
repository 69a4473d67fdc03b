"""TLS alerts (RFC 8446 §6, RFC 5246 §7.2) as exceptions that carry their description.

An endpoint that meets a fault raises one of these internally; its public methods catch
it, send the alert, and stop. Nothing else ever reaches the endpoint's caller.
"""

from __future__ import annotations

import enum


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
