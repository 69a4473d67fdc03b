"""Handshake messages: one table of (name, message, expected bytes) drives the encoder,
the decoder and the byte-map checks; the expected bytes come from RFC 8448 or were
assembled by hand from the RFC structures (tests/engine/tls/vectors.py), never from our
encoder. The robustness table at the bottom pins the alert for each kind of bad input."""

from __future__ import annotations

import copy
import hashlib
import hmac

import pytest

from engine.bytemap import FieldSpan
from engine.tls import alerts
from engine.tls.constants import (
    HELLO_RETRY_REQUEST_RANDOM,
    CipherSuite,
    ClientCertificateType,
    ECPointFormat,
    KeyUpdateRequest,
    NamedGroup,
    ProtocolVersion,
    PskKeyExchangeMode,
    SignatureScheme,
)
from engine.tls.extension_base import CodesExtension, EmptyExtension, OpaqueExtension
from engine.tls.extensions import (
    Cookie,
    EarlyData,
    EarlyDataNewSessionTicket,
    EcPointFormats,
    ExtendedMasterSecret,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    Padding,
    PreSharedKeyClientHello,
    PskIdentity,
    PskKeyExchangeModes,
    RecordSizeLimit,
    RenegotiationInfo,
    ServerName,
    ServerNameAck,
    SessionTicket,
    SignatureAlgorithms,
    SupportedGroups,
    SupportedVersionsClientHello,
    SupportedVersionsServerHello,
    UnknownExtension,
)
from engine.tls.messages import (
    Certificate,
    Certificate12,
    CertificateEntry,
    CertificateRequest,
    CertificateRequest12,
    CertificateVerify,
    ClientHello,
    ClientKeyExchange,
    DecodeContext,
    DheParams,
    EcdheParams,
    EncryptedExtensions,
    EndOfEarlyData,
    Finished,
    HandshakeMessage,
    KeyUpdate,
    MessageHash,
    NewSessionTicket,
    NewSessionTicket12,
    ServerHello,
    ServerHelloDone,
    ServerKeyExchange,
    decode_handshake,
    split_handshake_messages,
)
from engine.tls.suites import KeyExchange
from tests.engine.tls import vectors as v

G = NamedGroup
S = SignatureScheme
RFC8448_GROUPS = SupportedGroups((G.x25519, G.secp256r1, G.secp384r1, G.secp521r1, G.ffdhe2048,
                                  G.ffdhe3072, G.ffdhe4096, G.ffdhe6144, G.ffdhe8192))
RFC8448_SCHEMES = SignatureAlgorithms((
    S.ecdsa_secp256r1_sha256, S.ecdsa_secp384r1_sha384, S.ecdsa_secp521r1_sha512, S.ecdsa_sha1,
    S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512, S.rsa_pkcs1_sha256,
    S.rsa_pkcs1_sha384, S.rsa_pkcs1_sha512, S.rsa_pkcs1_sha1,
    0x0402, 0x0502, 0x0602, 0x0202,  # DSA schemes: no names in TLS 1.3, kept as numbers
))
RFC8448_SUITES = (CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                  CipherSuite.TLS_AES_256_GCM_SHA384)
TLS13_ONLY = SupportedVersionsClientHello((ProtocolVersion.TLS1_3,))
TICKET = v.NEW_SESSION_TICKET[17:17 + 0xB2]  # RFC 8448's ticket: opaque data, 178 bytes

CASES: list[tuple[str, HandshakeMessage, bytes]] = [
    ("rfc8448 ClientHello", ClientHello(
        random=v.h("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"),
        legacy_session_id=b"", cipher_suites=RFC8448_SUITES,
        extensions=(
            ServerName("server"), RenegotiationInfo(), RFC8448_GROUPS, SessionTicket(),
            KeyShareClientHello((KeyShareEntry(G.x25519, v.h(
                "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c")),)),
            TLS13_ONLY, RFC8448_SCHEMES, PskKeyExchangeModes((PskKeyExchangeMode.psk_dhe_ke,)),
            RecordSizeLimit(0x4001),
        )), v.CLIENT_HELLO),
    ("rfc8448 ServerHello", ServerHello(
        random=v.h("a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"),
        legacy_session_id_echo=b"", cipher_suite=CipherSuite.TLS_AES_128_GCM_SHA256,
        extensions=(
            KeyShareServerHello(KeyShareEntry(G.x25519, v.h(
                "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"))),
            SupportedVersionsServerHello(ProtocolVersion.TLS1_3),
        )), v.SERVER_HELLO),
    ("rfc8448 EncryptedExtensions", EncryptedExtensions(
        (RFC8448_GROUPS, RecordSizeLimit(0x4001), ServerNameAck())), v.ENCRYPTED_EXTENSIONS),
    ("rfc8448 Certificate", Certificate(b"", (CertificateEntry(v.CERTIFICATE[11:-2]),)),
     v.CERTIFICATE),
    ("rfc8448 CertificateVerify", CertificateVerify(S.rsa_pss_rsae_sha256,
                                                    v.CERTIFICATE_VERIFY[8:]),
     v.CERTIFICATE_VERIFY),
    ("rfc8448 Finished", Finished(v.SERVER_FINISHED[4:]), v.SERVER_FINISHED),
    ("rfc8448 NewSessionTicket", NewSessionTicket(
        lifetime=30, age_add=0xFAD6AAC5, nonce=b"\x00\x00", ticket=TICKET,
        extensions=(EarlyDataNewSessionTicket(1024),)), v.NEW_SESSION_TICKET),
    ("rfc8448 resumed ClientHello", ClientHello(
        random=v.h("1bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95"),
        legacy_session_id=b"", cipher_suites=RFC8448_SUITES,
        extensions=(
            ServerName("server"), RenegotiationInfo(), RFC8448_GROUPS,
            KeyShareClientHello((KeyShareEntry(G.x25519, v.h(
                "e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b")),)),
            EarlyData(), TLS13_ONLY, RFC8448_SCHEMES,
            PskKeyExchangeModes((PskKeyExchangeMode.psk_dhe_ke,)), RecordSizeLimit(0x4001),
            Padding(87),
            PreSharedKeyClientHello((PskIdentity(TICKET, 0xFAD6AACB),), (v.h(
                "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"),)),
        )), v.RESUMED_CLIENT_HELLO),
    ("rfc8448 HelloRetryRequest", ServerHello(
        random=HELLO_RETRY_REQUEST_RANDOM, legacy_session_id_echo=b"",
        cipher_suite=CipherSuite.TLS_AES_128_GCM_SHA256,
        extensions=(KeyShareHelloRetryRequest(G.secp256r1), Cookie(v.HELLO_RETRY_REQUEST[56:170]),
                    SupportedVersionsServerHello(ProtocolVersion.TLS1_3))),
     v.HELLO_RETRY_REQUEST),
    ("TLS 1.2 ClientHello without extensions", ClientHello(
        v.RANDOM_11, b"", (CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                           CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
        extensions_block=False), v.HAND_CLIENT_HELLO_12_NO_EXTENSIONS),
    ("ClientHello with GREASE", ClientHello(
        bytes(32), b"", (0x0A0A, CipherSuite.TLS_AES_128_GCM_SHA256),
        extensions=(UnknownExtension(0x1A1A, b"\x00"), SupportedGroups((0x2A2A,)))),
     v.HAND_CLIENT_HELLO_GREASE),
    ("TLS 1.2 ServerHello", ServerHello(
        v.RANDOM_22, v.SESSION_33, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        (RenegotiationInfo(), ExtendedMasterSecret(),
         EcPointFormats((ECPointFormat.uncompressed,)))), v.HAND_SERVER_HELLO_12),
    ("TLS 1.2 Certificate", Certificate12((v.h("aabbcc"), v.h("dd"))), v.HAND_CERTIFICATE_12),
    ("TLS 1.2 empty Certificate", Certificate12(()), v.HAND_CERTIFICATE_12_EMPTY),
    ("TLS 1.3 empty Certificate", Certificate(b"", ()), v.HAND_CERTIFICATE_13_EMPTY),
    ("TLS 1.3 Certificate with entry extensions", Certificate(b"", (
        CertificateEntry(b"\x30\x00", (UnknownExtension(0x1234, b"\xab"),)),
        CertificateEntry(b"\x30\x01"))), v.HAND_CERTIFICATE_13_EXTENSIONS),
    ("ServerKeyExchange ECDHE", ServerKeyExchange(
        EcdheParams(G.x25519, v.h("aabbccdd")), S.rsa_pss_rsae_sha256, v.h("010203")),
     v.HAND_SKE_ECDHE),
    ("ServerKeyExchange DHE", ServerKeyExchange(
        DheParams(b"\x17", b"\x02", b"\x05"), S.rsa_pkcs1_sha256, b"\xff"), v.HAND_SKE_DHE),
    ("TLS 1.2 CertificateRequest", CertificateRequest12(
        (ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign),
        (S.rsa_pss_rsae_sha256, S.ecdsa_secp256r1_sha256), (b"\x30\x00",)),
     v.HAND_CERTIFICATE_REQUEST_12),
    ("TLS 1.3 CertificateRequest", CertificateRequest(
        b"", (SignatureAlgorithms((S.rsa_pss_rsae_sha256, S.ecdsa_secp256r1_sha256)),)),
     v.HAND_CERTIFICATE_REQUEST_13),
    ("ServerHelloDone", ServerHelloDone(), v.HAND_SERVER_HELLO_DONE),
    ("ClientKeyExchange RSA", ClientKeyExchange(KeyExchange.RSA, v.h("deadbeef")),
     v.HAND_CKE_RSA),
    ("ClientKeyExchange ECDHE", ClientKeyExchange(KeyExchange.ECDHE_RSA, b"\x42" * 32),
     v.HAND_CKE_ECDHE),
    ("ClientKeyExchange DHE", ClientKeyExchange(KeyExchange.DHE_RSA, b"\x07"), v.HAND_CKE_DHE),
    ("TLS 1.2 NewSessionTicket", NewSessionTicket12(7200, v.h("01020304")),
     v.HAND_NEW_SESSION_TICKET_12),
    ("KeyUpdate", KeyUpdate(KeyUpdateRequest.update_requested), v.HAND_KEY_UPDATE),
    ("EndOfEarlyData", EndOfEarlyData(), v.HAND_END_OF_EARLY_DATA),
    ("message_hash", MessageHash(b"\x5a" * 32), v.HAND_MESSAGE_HASH),
]
IDS = [name for name, _, _ in CASES]


def test_rfc8448_transcription() -> None:
    """The vectors are the RFC's bytes: hashes and a MAC the RFC prints agree with them."""
    assert hashlib.sha256(v.CLIENT_HELLO + v.SERVER_HELLO).digest() == v.HASH_CH_SH
    flight = (v.CLIENT_HELLO + v.SERVER_HELLO + v.ENCRYPTED_EXTENSIONS + v.CERTIFICATE
              + v.CERTIFICATE_VERIFY)
    verify_data = hmac.new(v.SERVER_FINISHED_KEY, hashlib.sha256(flight).digest(), "sha256")
    assert verify_data.digest() == v.SERVER_FINISHED[4:]
    assert hashlib.sha256(v.RESUMED_CLIENT_HELLO).digest() == v.HASH_RESUMED_CH
    assert v.HELLO_RETRY_REQUEST[6:38] == HELLO_RETRY_REQUEST_RANDOM
    assert HELLO_RETRY_REQUEST_RANDOM == v.h(
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")  # RFC 8446 §4.1.3


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_encode(name: str, message: HandshakeMessage, expected: bytes) -> None:
    assert message.encode().hex() == expected.hex()


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_decode(name: str, message: HandshakeMessage, expected: bytes) -> None:
    assert decode_handshake(expected, context=message.decode_context()) == message


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_byte_map(name: str, message: HandshakeMessage, expected: bytes) -> None:
    assert_byte_map_is_sound(message.byte_map(), expected)


def assert_byte_map_is_sound(spans: list[FieldSpan], data: bytes) -> None:
    """Spans in bounds, in order, each inside its parent, none overlapping another of the
    same depth; the depth-0 spans tile the message; every span says what it means."""
    assert [s.path for s in spans[:2]] == ["handshake.msg_type", "handshake.length"]
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    last_end: dict[int, int] = {}
    parents: list[FieldSpan] = []
    for span in spans:
        assert 0 <= span.start <= span.end <= len(data), span
        assert span.label and span.meaning and span.value and span.rfc.startswith("RFC"), span
        assert span.start >= last_end.get(span.depth, 0), f"overlaps its neighbour: {span}"
        last_end[span.depth] = span.end
        parents = [p for p in parents if p.depth < span.depth]
        if span.depth:
            parent = parents[-1]
            assert parent.depth == span.depth - 1 and parent.start <= span.start <= span.end <= parent.end
            assert span.path.startswith(parent.path), (parent.path, span.path)
        parents.append(span)
    top = [(s.start, s.end) for s in spans if s.depth == 0]
    assert top[0][0] == 0 and top[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(top, top[1:])), "depth-0 spans leave a gap"


def test_byte_map_reads_like_the_rfc() -> None:
    spans = {s.path: s for s in decode_handshake(v.CLIENT_HELLO).byte_map()}
    suite = spans["client_hello.cipher_suites[1]"]
    assert (suite.start, suite.end, suite.value) == (43, 45, "TLS_CHACHA20_POLY1305_SHA256 (0x1303)")
    share = spans["client_hello.extensions[4].extension_data.client_shares[0].group"]
    assert share.value == "x25519 (0x001d)" and share.rfc == "RFC 8446 §4.2.8"
    assert spans["client_hello.extensions[2]"].value.startswith("supported_groups: x25519")
    assert spans["handshake.length"].value == "192 bytes"


def test_the_header_cites_its_own_version_rfc() -> None:
    # (A TLS 1.2 connection's alerts are mapped the same way: test_robustness12.)
    tls13 = {s.path: s.rfc for s in decode_handshake(v.CLIENT_HELLO).byte_map()}
    tls12 = {s.path: s.rfc for s in ServerHelloDone().byte_map()}
    assert tls13["handshake.msg_type"] == tls13["handshake.length"] == "RFC 8446 §4"
    assert tls12["handshake.msg_type"] == tls12["handshake.length"] == "RFC 5246 §7.4"


SUMMARIES = {
    "rfc8448 ClientHello": "ClientHello 3 suites, x25519 share, SNI server",
    "rfc8448 ServerHello": "ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256, x25519 share",
    "rfc8448 HelloRetryRequest": "HelloRetryRequest TLS_AES_128_GCM_SHA256, secp256r1 wanted, cookie",
    "rfc8448 resumed ClientHello": "ClientHello 3 suites, x25519 share, SNI server, PSK",
    "rfc8448 EncryptedExtensions": "EncryptedExtensions supported_groups, record_size_limit, server_name",
    "rfc8448 Certificate": "Certificate 1 cert",
    "rfc8448 CertificateVerify": "CertificateVerify rsa_pss_rsae_sha256",
    "TLS 1.2 ServerHello": "ServerHello TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "ServerKeyExchange ECDHE": "ServerKeyExchange ECDHE x25519, signed rsa_pss_rsae_sha256",
    "ServerKeyExchange DHE": "ServerKeyExchange DHE 5-bit p, signed rsa_pkcs1_sha256",
    "ClientKeyExchange RSA": "ClientKeyExchange RSA, 4-byte encrypted pre-master secret",
    "TLS 1.3 empty Certificate": "Certificate (empty)",
    "KeyUpdate": "KeyUpdate update_requested",
}


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_summary(name: str, message: HandshakeMessage, expected: bytes) -> None:
    summary = message.summary()
    assert summary and "\n" not in summary
    assert summary == SUMMARIES.get(name, summary)


def test_hello_retry_request_and_downgrade_sentinels() -> None:
    hrr = decode_handshake(v.HELLO_RETRY_REQUEST)
    assert isinstance(hrr, ServerHello) and hrr.is_hello_retry_request
    assert hrr.get(KeyShareHelloRetryRequest) == KeyShareHelloRetryRequest(G.secp256r1)
    server_hello = decode_handshake(v.SERVER_HELLO)
    assert isinstance(server_hello, ServerHello) and not server_hello.is_hello_retry_request
    assert server_hello.selected_version == ProtocolVersion.TLS1_3
    assert server_hello.downgrade_sentinel is None
    downgraded = ServerHello(bytes(24) + b"DOWNGRD\x01", b"", 0xC02F)
    assert downgraded.downgrade_sentinel == ProtocolVersion.TLS1_2
    assert downgraded.selected_version == ProtocolVersion.TLS1_2


def test_truncated_client_hello_is_what_the_binders_cover() -> None:
    hello = decode_handshake(v.RESUMED_CLIENT_HELLO)
    assert isinstance(hello, ClientHello)
    truncated = hello.encode_truncated()
    assert hashlib.sha256(truncated).digest() == v.HASH_TRUNCATED_RESUMED_CH  # RFC 8448 §4
    assert v.RESUMED_CLIENT_HELLO.startswith(truncated)
    psk = hello.get(PreSharedKeyClientHello)
    assert psk is not None and psk.identities[0].identity == TICKET
    first = decode_handshake(v.CLIENT_HELLO)
    assert isinstance(first, ClientHello) and first.encode_truncated() == v.CLIENT_HELLO


def test_get_finds_the_first_extension_of_a_form() -> None:
    """By exact class, by a shape other forms derive from (the first instance in block
    order), absent; the same in a deep copy, as the referee forks endpoints."""
    hello = decode_handshake(v.CLIENT_HELLO)  # RFC 8448: server_name, renegotiation_info,
    assert isinstance(hello, ClientHello)     # supported_groups, session_ticket, ...
    for message in (hello, copy.deepcopy(hello), hello):
        assert message.get(ServerName) == ServerName("server")
        assert message.get(SupportedGroups) is message.extensions[2]
        assert message.get(OpaqueExtension) is message.extensions[1]  # renegotiation_info
        assert message.get(CodesExtension) is message.extensions[2]
        assert message.get(Cookie) is None
        assert message.get(EmptyExtension) is None


def test_split_handshake_messages_across_records() -> None:
    stream = v.CLIENT_HELLO + v.SERVER_HELLO + v.HAND_SERVER_HELLO_DONE + v.SERVER_FINISHED[:7]
    messages, rest = split_handshake_messages(stream)
    assert messages == [v.CLIENT_HELLO, v.SERVER_HELLO, v.HAND_SERVER_HELLO_DONE]
    assert rest == v.SERVER_FINISHED[:7]
    assert split_handshake_messages(rest + v.SERVER_FINISHED[7:]) == ([v.SERVER_FINISHED], b"")
    assert split_handshake_messages(b"\x14\x00") == ([], b"\x14\x00")


# --- robustness: every bad input gets the alert the RFC names ---------------------------------

TLS12 = DecodeContext(ProtocolVersion.TLS1_2)


def _with_body(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def _hello_with(extensions: bytes, compression: str = "0100") -> bytes:
    body = v.h("0303") + bytes(32) + v.h("00 0002 1301" + compression)
    return _with_body(1, body + len(extensions).to_bytes(2, "big") + extensions)


SUPPORTED_VERSIONS_13 = v.h("002b 0003 02 0304")
EMS = v.h("0017 0000")
PSK = v.h("0029 002e" "0009 0003 aabbcc 00000000" "0021 20" + "00" * 32)

ROBUSTNESS: list[tuple[str, bytes, DecodeContext, type[alerts.Alert]]] = [
    ("empty input", b"", DecodeContext(), alerts.DecodeError),
    ("header length past the end", v.h("14 000005 0102"), DecodeContext(), alerts.DecodeError),
    ("bytes after the message", v.SERVER_HELLO + b"\x00", DecodeContext(), alerts.DecodeError),
    ("trailing bytes inside the body", _with_body(24, b"\x01\x00"), DecodeContext(),
     alerts.DecodeError),
    ("unknown handshake type", v.h("63 000000"), DecodeContext(), alerts.UnexpectedMessage),
    ("ServerKeyExchange in TLS 1.3", v.HAND_SKE_ECDHE, DecodeContext(), alerts.UnexpectedMessage),
    ("EncryptedExtensions in TLS 1.2", v.ENCRYPTED_EXTENSIONS, TLS12, alerts.UnexpectedMessage),
    ("ServerKeyExchange with RSA key exchange", v.HAND_SKE_ECDHE,
     DecodeContext(ProtocolVersion.TLS1_2, KeyExchange.RSA), alerts.UnexpectedMessage),
    ("ClientKeyExchange before a key exchange", v.HAND_CKE_RSA, TLS12, alerts.UnexpectedMessage),
    ("empty cipher_suites", _with_body(1, v.h("0303") + bytes(32) + v.h("00 0000 0100")),
     DecodeContext(), alerts.DecodeError),
    ("odd-length cipher_suites", _with_body(1, v.h("0303") + bytes(32) + v.h("00 0003 130113 0100")),
     DecodeContext(), alerts.DecodeError),
    ("33-byte session id", _with_body(1, v.h("0303") + bytes(32) + b"\x21" + bytes(33)
                                      + v.h("0002 1301 0100")), DecodeContext(), alerts.DecodeError),
    ("no compression methods", _with_body(1, v.h("0303") + bytes(32) + v.h("00 0002 1301 00")),
     DecodeContext(), alerts.DecodeError),
    ("TLS 1.3 ClientHello offering compression",
     _hello_with(SUPPORTED_VERSIONS_13, "020100"), DecodeContext(), alerts.IllegalParameter),
    ("one stray byte where extensions start", _hello_with(b"")[:-2] + b"\x00", DecodeContext(),
     alerts.DecodeError),
    ("duplicate extension", _hello_with(EMS + EMS), DecodeContext(), alerts.IllegalParameter),
    ("duplicate unknown extension", _hello_with(v.h("fafa 0000 fafa 0000")), DecodeContext(),
     alerts.IllegalParameter),
    ("pre_shared_key not last", _hello_with(PSK + EMS), DecodeContext(), alerts.IllegalParameter),
    ("PSK binders fewer than identities", _hello_with(v.h(
        "0029 0037" "0012 0003 aabbcc 00000000 0003 ddeeff 00000000" "0021 20" + "00" * 32)),
     DecodeContext(), alerts.IllegalParameter),
    ("PSK without identities", _hello_with(v.h("0029 0025 0000 0021 20" + "00" * 32)),
     DecodeContext(), alerts.DecodeError),
    ("two key shares for one group", _hello_with(v.h("0033 000e 000c 001d 0002 aabb 001d 0002 ccdd")),
     DecodeContext(), alerts.IllegalParameter),
    ("empty key_exchange", _hello_with(v.h("0033 0006 0004 001d 0000")), DecodeContext(),
     alerts.DecodeError),
    ("supported_versions list of one byte", _hello_with(v.h("002b 0002 01 03")), DecodeContext(),
     alerts.DecodeError),
    ("data in extended_master_secret", _hello_with(v.h("0017 0001 00")), DecodeContext(),
     alerts.DecodeError),
    ("record_size_limit below 64", _hello_with(v.h("001c 0002 003f")), DecodeContext(),
     alerts.IllegalParameter),
    ("padding that is not zero", _hello_with(v.h("0015 0002 0001")), DecodeContext(),
     alerts.DecodeError),
    ("server_name of an unknown type", _hello_with(v.h("0000 0008 0006 01 0003 616263")),
     DecodeContext(), alerts.DecodeError),
    ("two server names", _hello_with(v.h("0000 000c 000a 00 0002 6162 00 0002 6364")),
     DecodeContext(), alerts.DecodeError),
    ("extension length past its block", _hello_with(v.h("0017 0004 00")), DecodeContext(),
     alerts.DecodeError),
    ("empty cookie", _hello_with(v.h("002c 0002 0000")), DecodeContext(), alerts.DecodeError),
    ("empty supported_groups", _hello_with(v.h("000a 0002 0000")), DecodeContext(),
     alerts.DecodeError),
    ("host name not ASCII", _hello_with(v.h("0000 0008 0006 00 0003 61ff63")), DecodeContext(),
     alerts.DecodeError),
    ("KeyUpdate request 2", v.h("18 000001 02"), DecodeContext(), alerts.IllegalParameter),
    ("ServerKeyExchange with explicit_prime curve", _with_body(12, v.h("01 001d 01 04 0403 0000")),
     DecodeContext(ProtocolVersion.TLS1_2, KeyExchange.ECDHE_RSA), alerts.IllegalParameter),
    ("ECDHE ClientKeyExchange with an empty point", v.h("10 000001 00"),
     DecodeContext(ProtocolVersion.TLS1_2, KeyExchange.ECDHE_ECDSA), alerts.DecodeError),
    ("Certificate entry with an empty cert_data", v.h("0b 000009 00 000005 000000 0000"),
     DecodeContext(), alerts.DecodeError),
]


@pytest.mark.parametrize(("name", "data", "context", "alert"), ROBUSTNESS,
                         ids=[row[0] for row in ROBUSTNESS])
def test_bad_input_gets_the_rfc_alert(name: str, data: bytes, context: DecodeContext,
                                      alert: type[alerts.Alert]) -> None:
    with pytest.raises(alerts.Alert) as caught:
        decode_handshake(data, context=context)
    assert type(caught.value) is alert, caught.value.reason
    assert " at byte " in caught.value.reason or ":" in caught.value.reason
    assert caught.value.section.startswith("RFC")


def test_compression_in_a_tls13_client_hello_names_its_length_byte() -> None:
    # header 4, version 2, random 32, empty session id 1, suites 2 + 2: the methods at 43
    with pytest.raises(alerts.IllegalParameter) as caught:
        decode_handshake(_hello_with(SUPPORTED_VERSIONS_13, "020100"))
    assert caught.value.reason.startswith(
        "client_hello.legacy_compression_methods at byte 43: 0100 in a ClientHello")


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_truncated_at_every_length_is_decode_error(name: str, message: HandshakeMessage,
                                                   expected: bytes) -> None:
    for length in range(len(expected)):
        with pytest.raises(alerts.Alert) as caught:
            decode_handshake(expected[:length], context=message.decode_context())
        assert type(caught.value) is alerts.DecodeError, (length, caught.value.reason)


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_body_cut_short_decodes_exactly_or_is_decode_error(
        name: str, message: HandshakeMessage, expected: bytes) -> None:
    """With the header's length fixed up, a shorter body is either still a message (a
    ClientHello without extensions, a shorter Finished) that re-encodes to the same bytes,
    or the decode_error alert; never another exception."""
    for length in range(len(expected) - 4):
        data = _with_body(expected[0], expected[4:4 + length])
        try:
            decoded = decode_handshake(data, context=message.decode_context())
        except alerts.Alert as alert:
            assert type(alert) is alerts.DecodeError, (length, alert.reason)
        else:
            assert decoded.encode() == data


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_every_length_field_that_overruns_is_decode_error(
        name: str, message: HandshakeMessage, expected: bytes) -> None:
    """Found by the byte map: add one to each length field in turn."""
    for span in message.byte_map():
        if not span.path.endswith("length") or span.path == "handshake.length":
            continue
        size = span.end - span.start
        value = int.from_bytes(expected[span.start:span.end], "big") + 1
        if value >= 1 << (8 * size):
            continue
        data = expected[:span.start] + value.to_bytes(size, "big") + expected[span.end:]
        with pytest.raises(alerts.Alert) as caught:
            decode_handshake(data, context=message.decode_context())
        assert type(caught.value) is alerts.DecodeError, (span.path, caught.value.reason)
