"""Extensions: one table of (extension, context, extension_data bytes written by hand
from the defining RFC) drives encoding and decoding; then the rules that pick a form by
message, keep unknown extensions verbatim, and police a block (duplicates, pre_shared_key
last, TLS 1.3 placement)."""

from __future__ import annotations

import hashlib

import pytest

from engine.tls import alerts
from engine.tls.codec import FastReader, Reader, SpanRecorder, Writer
from engine.tls.constants import (
    HELLO_RETRY_REQUEST_RANDOM,
    CipherSuite,
    ECPointFormat,
    ExtensionType,
    NamedGroup,
    ProtocolVersion,
    PskKeyExchangeMode,
    SignatureScheme,
    describe,
    is_grease,
    known,
    member_of,
    name,
)
from engine.tls.extensions import (
    Alpn,
    CertificateStatus,
    Cookie,
    EarlyData,
    EarlyDataNewSessionTicket,
    EcPointFormats,
    EncryptThenMac,
    ExtendedMasterSecret,
    Extension,
    ExtensionContext,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    Padding,
    PostHandshakeAuth,
    PreSharedKeyClientHello,
    PreSharedKeyServerHello,
    PskIdentity,
    PskKeyExchangeModes,
    RecordSizeLimit,
    RenegotiationInfo,
    ServerName,
    ServerNameAck,
    SessionTicket,
    SignatureAlgorithms,
    SignatureAlgorithmsCert,
    StatusRequest,
    StatusRequestAck,
    SupportedGroups,
    SupportedVersionsClientHello,
    SupportedVersionsServerHello,
    UnknownExtension,
    check_tls13_placement,
    decode_extensions,
    encode_extensions,
    find,
    form_of,
)

CH = ExtensionContext.CLIENT_HELLO
SH = ExtensionContext.SERVER_HELLO
HRR = ExtensionContext.HELLO_RETRY_REQUEST
EE = ExtensionContext.ENCRYPTED_EXTENSIONS
CT = ExtensionContext.CERTIFICATE
CR = ExtensionContext.CERTIFICATE_REQUEST
NST = ExtensionContext.NEW_SESSION_TICKET

# (extension, context, extension_data as the RFC lays it out)
CASES: list[tuple[Extension, ExtensionContext, str]] = [
    (ServerName("localhost"), CH, "000c 00 0009 6c6f63616c686f7374"),  # RFC 6066 §3
    (ServerNameAck(), EE, ""),
    (SupportedGroups((NamedGroup.x25519, NamedGroup.secp256r1)), CH, "0004 001d 0017"),
    (EcPointFormats((ECPointFormat.uncompressed,)), CH, "01 00"),  # RFC 8422 §5.1.2
    (SignatureAlgorithms((SignatureScheme.ed25519, SignatureScheme.rsa_pss_rsae_sha256)), CH,
     "0004 0807 0804"),
    (SignatureAlgorithmsCert((SignatureScheme.rsa_pkcs1_sha256,)), CR, "0002 0401"),
    (Alpn((b"h2", b"http/1.1")), CH, "000c 02 6832 08 687474702f312e31"),  # RFC 7301 §3.1
    (Alpn((b"h2",)), EE, "0003 02 6832"),
    (SupportedVersionsClientHello((ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)), CH,
     "04 0304 0303"),
    (SupportedVersionsServerHello(ProtocolVersion.TLS1_3), SH, "0304"),
    (SupportedVersionsServerHello(ProtocolVersion.TLS1_3), HRR, "0304"),
    (KeyShareClientHello((KeyShareEntry(NamedGroup.x25519, b"\xaa" * 32),)), CH,
     "0024 001d 0020" + "aa" * 32),
    (KeyShareClientHello(()), CH, "0000"),  # no shares: the client waits for a HelloRetryRequest
    (KeyShareServerHello(KeyShareEntry(NamedGroup.secp256r1, b"\x04\x01\x02")), SH,
     "0017 0003 040102"),
    (KeyShareHelloRetryRequest(NamedGroup.secp384r1), HRR, "0018"),
    (PskKeyExchangeModes((PskKeyExchangeMode.psk_ke, PskKeyExchangeMode.psk_dhe_ke)), CH,
     "02 00 01"),
    (PreSharedKeyClientHello((PskIdentity(b"tick", 7),), (b"\x01" * 32,)), CH,
     "000a 0004 7469636b 00000007" "0021 20" + "01" * 32),
    (PreSharedKeyServerHello(0), SH, "0000"),
    (Cookie(b"\x01\x02"), HRR, "0002 0102"),
    (EarlyData(), CH, ""),
    (EarlyData(), EE, ""),
    (EarlyDataNewSessionTicket(16384), NST, "00004000"),
    (ExtendedMasterSecret(), CH, ""),
    (EncryptThenMac(), CH, ""),
    (PostHandshakeAuth(), CH, ""),
    (RenegotiationInfo(), SH, "00"),  # RFC 5746 §3.2
    (RenegotiationInfo(b"\x01" * 12), CH, "0c" + "01" * 12),
    (SessionTicket(), CH, ""),
    (SessionTicket(b"\xab\xcd"), CH, "abcd"),  # RFC 5077 §3.2: the ticket, no length
    (StatusRequest(), CH, "01 0000 0000"),  # ocsp, no responder IDs, no extensions
    (StatusRequest((b"\x30\x00",), b"\x30\x00"), CR, "01 0004 0002 3000 0002 3000"),
    (StatusRequestAck(), SH, ""),
    (CertificateStatus(b"\x30\x03\x0a\x01\x00"), CT, "01 000005 30030a0100"),  # RFC 8446 §4.4.2.1
    (Padding(3), CH, "000000"),
    (RecordSizeLimit(16385), EE, "4001"),  # RFC 8449 §4
    (UnknownExtension(0x1A1A, b"\x00"), CH, "00"),
    (UnknownExtension(ExtensionType.certificate_authorities, b"\x00\x00"), CR, "0000"),
]
IDS = [f"{type(e).__name__}-{c.value}" for e, c, _ in CASES]


def _block(extension_type: int, data: bytes) -> bytes:
    entry = extension_type.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data
    return len(entry).to_bytes(2, "big") + entry


@pytest.mark.parametrize(("extension", "context", "data"), CASES, ids=IDS)
def test_encode(extension: Extension, context: ExtensionContext, data: str) -> None:
    w = Writer()
    encode_extensions(w, [extension])
    assert w.getvalue().hex() == _block(extension.extension_type, bytes.fromhex(data)).hex()


@pytest.mark.parametrize(("extension", "context", "data"), CASES, ids=IDS)
def test_decode(extension: Extension, context: ExtensionContext, data: str) -> None:
    r = Reader(_block(extension.extension_type, bytes.fromhex(data)))
    assert decode_extensions(r, context) == (extension,)
    assert r.at_end()


@pytest.mark.parametrize(("extension", "context", "data"), CASES, ids=IDS)
def test_the_fast_reader_reads_each_form_as_the_reader_does(extension: Extension, context: ExtensionContext,
                                                           data: str) -> None:
    """Straight from the bytes (an empty value, as an initial renegotiation_info carries, read
    as the one instance of its form): the same value, of the same form, twice over."""
    block = _block(extension.extension_type, bytes.fromhex(data))
    for _ in range(2):
        r = FastReader(block)
        (read,) = decode_extensions(r, context)
        assert read == extension and type(read) is type(extension)
        assert r.pos == len(block)


@pytest.mark.parametrize(("extension", "context", "data"), CASES, ids=IDS)
def test_byte_map_and_description(extension: Extension, context: ExtensionContext,
                                  data: str) -> None:
    block = _block(extension.extension_type, bytes.fromhex(data))
    spans = SpanRecorder()
    decode_extensions(Reader(block, spans=spans), context)
    assert spans.spans[0].path == "extensions" and (spans.spans[0].start, spans.spans[0].end) == (0, len(block))
    assert spans.spans[2].path == "extensions[0]" and spans.spans[2].value.startswith(
        name(known(ExtensionType, extension.extension_type)))
    assert all(0 <= s.start <= s.end <= len(block) and s.meaning for s in spans.spans)
    assert extension.describe()


@pytest.mark.parametrize(("extension", "context", "data"), CASES, ids=IDS)
def test_truncated_extension_data_is_decode_error(extension: Extension,
                                                  context: ExtensionContext, data: str) -> None:
    full = bytes.fromhex(data)
    for length in range(len(full)):
        cut = _block(extension.extension_type, full[:length])
        try:
            decoded = decode_extensions(Reader(cut), context)
        except alerts.Alert as alert:
            assert type(alert) is alerts.DecodeError, (length, alert.reason)
        else:  # a shorter body that is still valid (a list with one item fewer...)
            w = Writer()
            encode_extensions(w, decoded)
            assert w.getvalue() == cut


def test_one_type_reads_as_the_form_its_message_defines() -> None:
    """key_share, supported_versions, pre_shared_key, early_data, server_name and
    status_request change form with the message (RFC 8446 §4.2.8, §4.2.1, §4.2.11,
    §4.2.10; RFC 6066)."""
    forms: dict[int, dict[ExtensionContext, type[Extension] | None]] = {
        ExtensionType.key_share: {CH: KeyShareClientHello, SH: KeyShareServerHello,
                                  HRR: KeyShareHelloRetryRequest, EE: None},
        ExtensionType.supported_versions: {CH: SupportedVersionsClientHello,
                                           SH: SupportedVersionsServerHello,
                                           HRR: SupportedVersionsServerHello, EE: None},
        ExtensionType.pre_shared_key: {CH: PreSharedKeyClientHello,
                                       SH: PreSharedKeyServerHello, EE: None},
        ExtensionType.early_data: {CH: EarlyData, EE: EarlyData, NST: EarlyDataNewSessionTicket},
        ExtensionType.server_name: {CH: ServerName, SH: ServerNameAck, EE: ServerNameAck},
        ExtensionType.status_request: {CH: StatusRequest, CR: StatusRequest,
                                       CT: CertificateStatus, SH: StatusRequestAck},
        0x1A1A: {CH: None, SH: None},
    }
    for extension_type, by_context in forms.items():
        for context, form in by_context.items():
            assert form_of(extension_type, context) is form, (extension_type, context)


def test_an_extension_with_no_form_in_its_message_is_kept_verbatim() -> None:
    block = _block(ExtensionType.key_share, bytes.fromhex("001d 0002 aabb"))
    (kept,) = decode_extensions(Reader(block), EE)
    assert kept == UnknownExtension(ExtensionType.key_share, bytes.fromhex("001d0002aabb"))
    w = Writer()
    encode_extensions(w, [kept])
    assert w.getvalue() == block


def test_duplicates_are_illegal_in_any_block() -> None:
    entry = bytes.fromhex("0017 0000")
    for context in (CH, SH, EE, CT, CR, NST):
        with pytest.raises(alerts.IllegalParameter, match=r"extensions\[1\] at byte 6: a second "
                                                          "extended_master_secret"):
            decode_extensions(Reader(len(entry * 2).to_bytes(2, "big") + entry * 2), context)


def test_pre_shared_key_must_be_last_only_in_a_client_hello() -> None:
    psk_sh = bytes.fromhex("0029 0002 0000")
    ems = bytes.fromhex("0017 0000")
    block = len(psk_sh + ems).to_bytes(2, "big") + psk_sh + ems
    assert len(decode_extensions(Reader(block), SH)) == 2
    psk_ch = bytes.fromhex("0029 002e 0009 0003 aabbcc 00000000 0021 20") + bytes(32)
    block = len(psk_ch + ems).to_bytes(2, "big") + psk_ch + ems
    with pytest.raises(alerts.IllegalParameter, match="not the last extension"):
        decode_extensions(Reader(block), CH)


def test_tls13_placement() -> None:
    """RFC 8446 §4.2: a recognised extension in a message that does not allow it is
    illegal_parameter; TLS 1.2-only extensions belong in a ClientHello alone."""
    check_tls13_placement([Alpn((b"h2",)), ServerNameAck(), EarlyData()], EE)
    check_tls13_placement([ExtendedMasterSecret(), EcPointFormats((0,)), ServerName("a")], CH)
    check_tls13_placement([UnknownExtension(0x7777, b"")], SH)
    check_tls13_placement([KeyShareHelloRetryRequest(NamedGroup.x25519), Cookie(b"c")], HRR)
    bad: list[tuple[list[Extension], ExtensionContext]] = [
        ([KeyShareServerHello(KeyShareEntry(NamedGroup.x25519, b"k"))], EE),
        ([EcPointFormats((0,))], EE),
        ([ExtendedMasterSecret()], SH),
        ([Cookie(b"c")], SH),
        ([SupportedGroups((NamedGroup.x25519,))], SH),
        ([Padding(1)], EE),
        ([UnknownExtension(ExtensionType.oid_filters, b"")], CH),
    ]
    for extensions, context in bad:
        with pytest.raises(alerts.IllegalParameter, match=r"extensions\[0\]"):
            check_tls13_placement(extensions, context)


def test_find() -> None:
    extensions = (ServerName("x"), SupportedGroups((NamedGroup.x25519,)))
    assert find(extensions, SupportedGroups) == SupportedGroups((NamedGroup.x25519,))
    assert find(extensions, Cookie) is None


def test_decode_errors_name_the_field_and_offset() -> None:
    block = bytes.fromhex("0009 000a 0005 0003 001d17")  # named_group_list of 3 bytes
    with pytest.raises(alerts.DecodeError) as caught:
        decode_extensions(Reader(block), CH)
    assert caught.value.reason == ("extensions[0].extension_data.named_group_list[1] at byte "
                                   "10: needs 2 bytes, only 1 left")
    assert caught.value.section == "RFC 8446 §4.2.7"
    overrun = bytes.fromhex("0008 000a 0004 0009 001d")
    with pytest.raises(alerts.DecodeError, match=r"^extensions\[0\]\.extension_data\."
                       r"named_group_list at byte 6: length 9 overruns its container by 7 bytes"):
        decode_extensions(Reader(overrun), CH)


def test_code_points_keep_unknown_values() -> None:
    assert known(CipherSuite, 0x1301) is CipherSuite.TLS_AES_128_GCM_SHA256
    assert known(CipherSuite, 0x0A0A) == 0x0A0A and not isinstance(known(CipherSuite, 0x0A0A),
                                                                    CipherSuite)
    suite_of = member_of(CipherSuite)  # the same answers, as one lookup
    assert suite_of(0x1301) is CipherSuite.TLS_AES_128_GCM_SHA256
    assert suite_of(0x0A0A) == 0x0A0A and not isinstance(suite_of(0x0A0A), CipherSuite)
    assert [is_grease(v) for v in (0x0A0A, 0xFAFA, 0x1A2A, 0x0A0B, 0x1301)] == [
        True, True, False, False, False]
    assert describe(NamedGroup.x25519) == "x25519 (0x001d)"
    assert describe(0x3A3A) == "GREASE (0x3a3a)"
    assert describe(0x1234) == "unknown (0x1234)"
    assert describe(7, width=2) == "unknown (0x07)"
    assert name(0x4A4A) == "GREASE" and name(SignatureScheme.ed25519) == "ed25519"
    assert HELLO_RETRY_REQUEST_RANDOM == hashlib.sha256(b"HelloRetryRequest").digest()
