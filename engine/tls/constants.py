"""TLS code points (RFC 8446 §4, §B.3; RFC 5246 §7.4; RFC 8422; RFC 7919) as IntEnums.

Peers send code points we have no name for (new suites, GREASE values from RFC 8701),
and a decoder must keep them: fields typed `CipherSuite | int` hold the enum member when
there is one and the plain int otherwise. `known(CipherSuite, 0x0A0A)` does that lookup,
`describe(...)` turns either form into the words a player reads.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "DOWNGRADE_TLS11",
    "DOWNGRADE_TLS12",
    "HELLO_RETRY_REQUEST_RANDOM",
    "CertificateStatusType",
    "CipherSuite",
    "ClientCertificateType",
    "ContentType",
    "ECCurveType",
    "ECPointFormat",
    "ExtensionType",
    "HandshakeType",
    "KeyUpdateRequest",
    "NameType",
    "NamedGroup",
    "ProtocolVersion",
    "PskKeyExchangeMode",
    "SignatureScheme",
    "describe",
    "is_grease",
    "known",
    "member_of",
    "name",
    "shown",
    "value_map",
]



class IdentityEnum(enum.Enum):
    """An Enum hashed by identity, as it compares (its members are singletons): Enum's own
    `__hash__` is a Python-level call, and the endpoints' states and the extension contexts
    are looked up in dictionaries for every message."""

    __hash__ = object.__hash__

class ContentType(enum.IntEnum):
    """The record layer's content type (RFC 8446 §5.1)."""

    change_cipher_spec = 20
    alert = 21
    handshake = 22
    application_data = 23


class HandshakeType(enum.IntEnum):
    """The first byte of every handshake message (RFC 8446 §4, RFC 5246 §7.4)."""

    client_hello = 1
    server_hello = 2
    new_session_ticket = 4
    end_of_early_data = 5
    encrypted_extensions = 8
    certificate = 11
    server_key_exchange = 12
    certificate_request = 13
    server_hello_done = 14
    certificate_verify = 15
    client_key_exchange = 16
    finished = 20
    key_update = 24
    message_hash = 254


class ExtensionType(enum.IntEnum):
    """Extension code points (RFC 8446 §4.2 and the RFCs that define each)."""

    server_name = 0
    max_fragment_length = 1
    status_request = 5
    supported_groups = 10
    ec_point_formats = 11
    signature_algorithms = 13
    use_srtp = 14
    heartbeat = 15
    application_layer_protocol_negotiation = 16
    signed_certificate_timestamp = 18
    client_certificate_type = 19
    server_certificate_type = 20
    padding = 21
    encrypt_then_mac = 22
    extended_master_secret = 23
    compress_certificate = 27
    record_size_limit = 28
    session_ticket = 35
    pre_shared_key = 41
    early_data = 42
    supported_versions = 43
    cookie = 44
    psk_key_exchange_modes = 45
    certificate_authorities = 47
    oid_filters = 48
    post_handshake_auth = 49
    signature_algorithms_cert = 50
    key_share = 51
    renegotiation_info = 0xFF01


class CipherSuite(enum.IntEnum):
    """The suites synack speaks: TLS 1.3 (RFC 8446 §B.4) and TLS 1.2 AEAD suites
    (RFC 5288, RFC 5289, RFC 7905), plus the renegotiation SCSV (RFC 5746 §3.3)."""

    TLS_AES_128_GCM_SHA256 = 0x1301
    TLS_AES_256_GCM_SHA384 = 0x1302
    TLS_CHACHA20_POLY1305_SHA256 = 0x1303
    TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009C
    TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009D
    TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 = 0x009E
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 = 0x009F
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9
    TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF


class NamedGroup(enum.IntEnum):
    """Key exchange groups (RFC 8446 §4.2.7, RFC 8422 §5.1.1, RFC 7919 §2).

    synack implements x25519, secp256r1, secp384r1, ffdhe2048 and ffdhe3072; the others
    are named so that real peers' offers read as words, not numbers."""

    secp256r1 = 0x0017
    secp384r1 = 0x0018
    secp521r1 = 0x0019
    x25519 = 0x001D
    x448 = 0x001E
    ffdhe2048 = 0x0100
    ffdhe3072 = 0x0101
    ffdhe4096 = 0x0102
    ffdhe6144 = 0x0103
    ffdhe8192 = 0x0104


class SignatureScheme(enum.IntEnum):
    """Signature algorithms (RFC 8446 §4.2.3); in TLS 1.2 the same two bytes are read as
    SignatureAndHashAlgorithm (hash, signature) (RFC 5246 §7.4.1.4.1)."""

    rsa_pkcs1_sha256 = 0x0401
    rsa_pkcs1_sha384 = 0x0501
    rsa_pkcs1_sha512 = 0x0601
    ecdsa_secp256r1_sha256 = 0x0403
    ecdsa_secp384r1_sha384 = 0x0503
    ecdsa_secp521r1_sha512 = 0x0603
    rsa_pss_rsae_sha256 = 0x0804
    rsa_pss_rsae_sha384 = 0x0805
    rsa_pss_rsae_sha512 = 0x0806
    ed25519 = 0x0807
    ed448 = 0x0808
    rsa_pss_pss_sha256 = 0x0809
    rsa_pss_pss_sha384 = 0x080A
    rsa_pss_pss_sha512 = 0x080B
    rsa_pkcs1_sha1 = 0x0201
    ecdsa_sha1 = 0x0203


class ProtocolVersion(enum.IntEnum):
    """Wire versions (RFC 8446 §4.2.1): the record and legacy_version fields say 1.2 even
    in TLS 1.3; the real version rides in supported_versions."""

    TLS1_0 = 0x0301
    TLS1_1 = 0x0302
    TLS1_2 = 0x0303
    TLS1_3 = 0x0304


class PskKeyExchangeMode(enum.IntEnum):
    """psk_key_exchange_modes values (RFC 8446 §4.2.9)."""

    psk_ke = 0
    psk_dhe_ke = 1


class KeyUpdateRequest(enum.IntEnum):
    """KeyUpdate.request_update (RFC 8446 §4.6.3)."""

    update_not_requested = 0
    update_requested = 1


class ECPointFormat(enum.IntEnum):
    """ec_point_formats values (RFC 8422 §5.1.2); only uncompressed is still allowed."""

    uncompressed = 0
    ansiX962_compressed_prime = 1
    ansiX962_compressed_char2 = 2


class ECCurveType(enum.IntEnum):
    """ServerECDHParams.curve_params.curve_type (RFC 8422 §5.4); only named_curve is
    still allowed."""

    explicit_prime = 1
    explicit_char2 = 2
    named_curve = 3


class ClientCertificateType(enum.IntEnum):
    """CertificateRequest.certificate_types in TLS 1.2 (RFC 5246 §7.4.4, RFC 8422 §5.5)."""

    rsa_sign = 1
    dss_sign = 2
    rsa_fixed_dh = 3
    dss_fixed_dh = 4
    ecdsa_sign = 64
    rsa_fixed_ecdh = 65
    ecdsa_fixed_ecdh = 66


class NameType(enum.IntEnum):
    """server_name entry types (RFC 6066 §3)."""

    host_name = 0


class CertificateStatusType(enum.IntEnum):
    """status_request types (RFC 6066 §8)."""

    ocsp = 1


# SHA-256("HelloRetryRequest"): a ServerHello with this random is a HelloRetryRequest
# (RFC 8446 §4.1.3).
HELLO_RETRY_REQUEST_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()

# The last 8 bytes of ServerHello.random from a TLS 1.3 server that negotiated an older
# version (RFC 8446 §4.1.3): "DOWNGRD" then 01 (TLS 1.2) or 00 (TLS 1.1 or below).
DOWNGRADE_TLS12 = b"DOWNGRD\x01"
DOWNGRADE_TLS11 = b"DOWNGRD\x00"


_E = TypeVar("_E", bound=enum.IntEnum)


class _ValueMaps(dict[type[enum.Enum], dict[Any, Any]]):
    """Each enum's value -> member map, kept in a plain dict: reading an attribute off an
    enum class takes the slow path (its metaclass defines `__getattr__`), and decoding
    looks code points up a dozen times a handshake. A missing enum is added when asked."""

    def __missing__(self, enum_type: type[enum.Enum]) -> dict[Any, Any]:
        members = self[enum_type] = enum_type._value2member_map_
        return members


_VALUE_MAPS = _ValueMaps()
value_map = _VALUE_MAPS.__getitem__  # `value_map(NamedGroup)`: one C call


class _Members(dict[int, Any]):
    """An enum's value -> member map that answers a value it lacks with the value itself."""

    def __missing__(self, value: int) -> int:
        return value


class _Lookups(dict[type[enum.Enum], Callable[[int], Any]]):
    """Each enum's `known` as one C call (its `_Members` lookup), made when first asked."""

    def __missing__(self, enum_type: type[enum.Enum]) -> Callable[[int], Any]:
        lookup = self[enum_type] = _Members(enum_type._value2member_map_).__getitem__
        return lookup


_LOOKUPS = _Lookups()


def known(enum_type: type[_E], value: int) -> _E | int:
    """The member of `enum_type` with this value, or the value itself if it has none."""
    member: _E | int = _LOOKUPS[enum_type](value)
    return member


def member_of(enum_type: type[_E]) -> Callable[[int], _E | int]:
    """`known` for one enum as a single C call, for the reads that look a code point up
    every handshake: `member_of(NamedGroup)(0x1d)` is `known(NamedGroup, 0x1d)`."""
    return _LOOKUPS[enum_type]


def is_grease(value: int) -> bool:
    """True for the 16-bit GREASE values 0x0A0A, 0x1A1A, ... 0xFAFA (RFC 8701 §2)."""
    return value & 0x0F0F == 0x0A0A and value >> 12 == (value >> 4) & 0x0F


def describe(value: int, width: int = 4) -> str:
    """A code point as words: "x25519 (0x001d)", "GREASE (0x2a2a)", "unknown (0x1234)"."""
    code = f"0x{int(value):0{width}x}"
    if isinstance(value, enum.IntEnum):
        return f"{value.name} ({code})"
    return f"GREASE ({code})" if width == 4 and is_grease(value) else f"unknown ({code})"


def name(value: int, width: int = 4) -> str:
    """A code point in one word: "x25519", "GREASE", or "0x1234" when it has no name."""
    if isinstance(value, enum.IntEnum):
        return value.name
    return "GREASE" if width == 4 and is_grease(value) else f"0x{int(value):0{width}x}"


def shown(enum_type: type[enum.IntEnum], width: int = 4) -> Callable[[int], str]:
    """A byte map's `show` for a code point of `enum_type`: 0x001d -> "x25519 (0x001d)"."""
    members = enum_type._value2member_map_
    return lambda value: describe(members.get(value, value), width)  # type: ignore[arg-type]
