"""The player's TLS 1.3 move vocabulary: the messages on offer and the choices they carry."""

from __future__ import annotations

from collections.abc import Sequence

from engine.referee.types import MoveField, MoveOption
from engine.side import Side

LABELS: dict[str, str] = {
    "ClientHello": "ClientHello: offer suites, groups, a key share",
    "HelloRetryRequest": "HelloRetryRequest: ask for another key share",
    "ServerHello": "ServerHello: choose the suite, send your key share",
    "ChangeCipherSpec": "ChangeCipherSpec: the middlebox-compatibility record",
    "EncryptedExtensions": "EncryptedExtensions: the rest of your answers, encrypted",
    "CertificateRequest": "CertificateRequest: ask the client for a certificate",
    "Certificate": "Certificate: your certificate chain",
    "CertificateVerify": "CertificateVerify: sign the transcript with your key",
    "Finished": "Finished: a MAC over the whole handshake",
    "NewSessionTicket": "NewSessionTicket: a ticket to resume with later",
    "KeyUpdate": "KeyUpdate: move to the next traffic key",
    "ServerKeyExchange": "ServerKeyExchange: your signed key share",
    "ServerHelloDone": "ServerHelloDone: your side of the hello is said",
    "ClientKeyExchange": "ClientKeyExchange: your key share, or the encrypted pre-master",
    "ApplicationData": "ApplicationData: the application's bytes, encrypted",
    "Alert": "Alert: refuse, or close (close_notify)",
}
ORDER = list(LABELS)
VOCABULARY: dict[tuple[str, Side], tuple[str, ...]] = {
    ("tls13", Side.CLIENT): ("ClientHello", "ChangeCipherSpec", "Certificate", "CertificateVerify", "Finished",
                             "KeyUpdate", "ApplicationData", "Alert"),
    ("tls13", Side.SERVER): ("HelloRetryRequest", "ServerHello", "ChangeCipherSpec", "EncryptedExtensions",
                             "CertificateRequest", "Certificate", "CertificateVerify", "Finished",
                             "NewSessionTicket", "KeyUpdate", "ApplicationData", "Alert"),
    ("tls12", Side.CLIENT): ("ClientHello", "Certificate", "ClientKeyExchange", "CertificateVerify",
                             "ChangeCipherSpec", "Finished", "ApplicationData", "Alert"),
    ("tls12", Side.SERVER): ("ServerHello", "Certificate", "ServerKeyExchange", "CertificateRequest",
                             "ServerHelloDone", "NewSessionTicket", "ChangeCipherSpec", "Finished",
                             "ApplicationData", "Alert"),
}
ALERTS = ("close_notify", "unexpected_message", "bad_record_mac", "handshake_failure", "bad_certificate",
          "certificate_expired", "unknown_ca", "illegal_parameter", "decode_error", "decrypt_error",
          "protocol_version", "missing_extension", "certificate_required")
SUITES = {
    "tls13": ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"),
    "tls12": ("TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
              "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
              "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
}
GROUPS = ("x25519", "secp256r1", "secp384r1")
# Which asked-for field goes with which message.
CARRIERS: dict[str, tuple[str, ...]] = {
    "cipher_suite": ("ServerHello", "HelloRetryRequest"),
    "group": ("ServerHello", "HelloRetryRequest", "ServerKeyExchange"),
    "certificate": ("Certificate",),
    "alert": ("Alert",),
}
MAX_OPTIONS = 9


def options_for(protocol: str, player: Side, pending: list[str], expected: str, asked: Sequence[str],
                certificates: tuple[str, ...]) -> tuple[MoveOption, ...]:
    """The right move, what else the endpoint still has to send (in the wrong order is a
    plausible mistake), an alert, and the role's other moves up to nine."""
    keys = dict.fromkeys([expected, *pending, "Alert"])
    for key in VOCABULARY[(protocol, player)]:
        if len(keys) >= MAX_OPTIONS:
            break
        keys.setdefault(key)
    choices = {"cipher_suite": SUITES[protocol], "group": GROUPS, "certificate": certificates, "alert": ALERTS}
    return tuple(
        MoveOption(
            key,
            LABELS[key],
            tuple(
                MoveField(name, name.replace("_", " "), False, f"the {name.replace('_', ' ')} to send", choices[name])
                for name in asked
                if key in CARRIERS[name]
            ),
        )
        for key in _in_flow_order(keys, VOCABULARY[(protocol, player)])
    )


def _in_flow_order(keys: dict[str, None], flow: tuple[str, ...]) -> list[str]:
    """The moves on offer in the order the version's handshake sends them."""
    return [key for key in flow if key in keys] + [key for key in ORDER if key in keys and key not in flow]
