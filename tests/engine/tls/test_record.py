"""The record layer on its own: framing, fragmentation, padding, sequence numbers, and the
alert each fault raises (RFC 8446 §5, RFC 5246 §6.2). The RFC 8448 and capture tests
prove the cryptography against outside bytes; these pin the edges."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.rng import SeededRandom
from engine.tls.alerts import (
    Alert,
    AlertDescription,
    BadRecordMac,
    DecodeError,
    InternalError,
    RecordOverflow,
    UnexpectedMessage,
)
from engine.tls.constants import ContentType
from engine.tls.record import (
    MAX_PLAINTEXT,
    NONCE_LENGTH,
    FixedPadding,
    RandomPadding,
    Record,
    RecordReader,
    RecordWriter,
)
from engine.tls.suites import SUITES, TrafficKeys, suite_info

HANDSHAKE, APPDATA, ALERT, CCS = (ContentType.handshake, ContentType.application_data,
                                  ContentType.alert, ContentType.change_cipher_spec)
NAME = "client_application_traffic_secret_0"


def keys_for(code: int, fill: int = 1) -> TrafficKeys:
    suite = suite_info(code)
    return TrafficKeys(bytes([fill]) * suite.key_length, bytes([fill + 1]) * suite.iv_length, suite)


TLS13_SUITES = [0x1301, 0x1302, 0x1303]
TLS12_SUITES = [0x009C, 0xC030, 0xCCA8]
ALL_SUITES = TLS13_SUITES + TLS12_SUITES


def pair(code: int) -> tuple[RecordWriter, RecordReader]:
    writer, reader = RecordWriter(), RecordReader()
    writer.set_key(keys_for(code), NAME)
    reader.set_key(keys_for(code), NAME)
    return writer, reader


def read_back(reader: RecordReader, records: list[Record]) -> list[Record]:
    reader.feed(b"".join(r.raw for r in records))
    return reader.records()


def raises(alert: type[Alert], description: AlertDescription) -> pytest.RaisesExc[Alert]:
    """pytest.raises, after checking the alert class carries the description the RFC names."""
    assert alert.description is description
    return pytest.raises(alert)


# --- round trips, fragmentation, sequence numbers -------------------------------------------


@pytest.mark.parametrize("code", ALL_SUITES)
def test_round_trip_under_every_suite(code: int) -> None:
    writer, reader = pair(code)
    sent = writer.write(HANDSHAKE, b"hello") + writer.write(APPDATA, b"data") + writer.write(ALERT, b"\x01\x00")
    read = read_back(reader, sent)
    assert [(r.content_type, r.payload) for r in read] == [(HANDSHAKE, b"hello"), (APPDATA, b"data"),
                                                            (ALERT, b"\x01\x00")]
    assert [r.sequence_number for r in read] == [0, 1, 2] == [r.sequence_number for r in sent]
    assert {r.protected_by for r in read} == {NAME}


@pytest.mark.parametrize("code", TLS13_SUITES)
def test_tls13_hides_the_content_type(code: int) -> None:
    writer, _ = pair(code)
    [record] = writer.write(HANDSHAKE, b"x")
    assert record.raw[:3] == bytes([APPDATA]) + b"\x03\x03"
    assert len(record.raw) == 5 + 1 + 1 + 16  # content, inner type, tag


@pytest.mark.parametrize(("code", "overhead"), [(0x009C, 8 + 16), (0xCCA8, 16)])
def test_tls12_keeps_the_content_type_and_carries_the_explicit_nonce(code: int, overhead: int) -> None:
    writer, _ = pair(code)
    writer.write(HANDSHAKE, b"finished")
    [record] = writer.write(HANDSHAKE, b"x")
    assert record.raw[0] == HANDSHAKE
    assert len(record.raw) == 5 + 1 + overhead
    if overhead == 24:
        assert record.raw[5:13] == (1).to_bytes(8, "big")  # the sequence number, RFC 5288 §3


def test_tls12_gcm_record_is_the_rfc_5288_construction() -> None:
    """Decrypt with AESGCM directly: nonce = salt + explicit, AAD = seq + type + version + length."""
    keys = keys_for(0x009C)
    writer = RecordWriter()
    writer.set_key(keys, NAME)
    writer.write(APPDATA, b"first")
    [record] = writer.write(APPDATA, b"second")
    explicit, ciphertext = record.raw[5:13], record.raw[13:]
    aad = (1).to_bytes(8, "big") + record.raw[:3] + len(b"second").to_bytes(2, "big")
    assert AESGCM(keys.key).decrypt(keys.iv + explicit, ciphertext, aad) == b"second"


@pytest.mark.parametrize("code", [None, 0x1301, 0x009C])
def test_fragmentation_at_two_to_the_fourteenth(code: int | None) -> None:
    writer, reader = (RecordWriter(), RecordReader()) if code is None else pair(code)
    data = bytes(range(256)) * 150  # 38400 bytes: 16384 + 16384 + 5632
    records = writer.write(APPDATA, data)
    assert [len(r.payload) for r in records] == [MAX_PLAINTEXT, MAX_PLAINTEXT, 5632]
    assert b"".join(r.payload for r in read_back(reader, records)) == data


def test_a_plaintext_record_is_header_and_fragment() -> None:
    [record] = RecordWriter().write(HANDSHAKE, b"\x01\x00\x00\x00", legacy_record_version=0x0301)
    assert record.raw == b"\x16\x03\x01\x00\x04\x01\x00\x00\x00"
    assert record.protected_by is None and record.sequence_number is None


def test_zero_length_fragments() -> None:
    writer, reader = pair(0x1301)
    [empty] = writer.write(APPDATA, b"")  # allowed for application data (RFC 8446 §5.1)
    assert read_back(reader, [empty])[0].payload == b""
    with raises(InternalError, AlertDescription.internal_error):
        writer.write(HANDSHAKE, b"")


def test_sequence_numbers_restart_at_zero_on_a_key_change() -> None:
    writer, reader = pair(0x1301)
    first = writer.write(APPDATA, b"a") + writer.write(APPDATA, b"b")
    assert writer.sequence_number == 2
    writer.set_key(keys_for(0x1301, fill=7), "client_application_traffic_secret_1")
    second = writer.write(APPDATA, b"c")
    assert [r.sequence_number for r in first + second] == [0, 1, 0]
    assert [r.payload for r in read_back(reader, first)] == [b"a", b"b"]
    reader.set_key(keys_for(0x1301, fill=7), "client_application_traffic_secret_1")
    [again] = read_back(reader, second)
    assert (again.payload, again.protected_by) == (b"c", "client_application_traffic_secret_1")


def test_the_reader_waits_for_a_whole_record() -> None:
    writer, reader = pair(0x1301)
    [record] = writer.write(APPDATA, b"split me")
    for byte in record.raw[:-1]:
        reader.feed(bytes([byte]))
        assert reader.next_record() is None
    reader.feed(record.raw[-1:])
    assert [r.payload for r in reader.records()] == [b"split me"]
    assert reader.buffered == 0


def test_feeds_cut_across_records_read_the_same_records() -> None:
    """Three records fed as a record and a half, then the rest (a bytearray): each comes
    whole, as bytes, with what is left unread counted as buffered."""
    writer, reader = pair(0x1301)
    records = [r for data in (b"one", b"two", b"three") for r in writer.write(APPDATA, data)]
    wire = b"".join(r.raw for r in records)
    cut = len(records[0].raw) + len(records[1].raw) // 2
    reader.feed(wire[:cut])
    first = reader.next_record()
    assert first is not None and first.raw == records[0].raw and type(first.raw) is bytes
    assert reader.next_record() is None and reader.buffered == cut - len(records[0].raw)
    reader.feed(bytearray(wire[cut:]))
    rest = reader.records()
    assert [(r.payload, r.raw, type(r.raw)) for r in rest] == [(b"two", records[1].raw, bytes),
                                                            (b"three", records[2].raw, bytes)]
    assert reader.buffered == 0


# --- TLS 1.3 padding ---------------------------------------------------------------------------


def test_fixed_padding_is_inside_the_protection() -> None:
    writer, reader = RecordWriter(padding=FixedPadding(100)), RecordReader()
    writer.set_key(keys_for(0x1301), NAME)
    reader.set_key(keys_for(0x1301), NAME)
    [record] = writer.write(APPDATA, b"short")
    assert len(record.raw) == 5 + 5 + 1 + 100 + 16
    assert record.inner_padding_length == 100
    [read] = read_back(reader, [record])
    assert (read.payload, read.inner_padding_length) == (b"short", 100)


def test_padding_never_pushes_the_inner_plaintext_past_the_limit() -> None:
    writer = RecordWriter(padding=FixedPadding(1000))
    writer.set_key(keys_for(0x1301), NAME)
    records = writer.write(APPDATA, bytes(MAX_PLAINTEXT - 10))
    assert [r.inner_padding_length for r in records] == [10]


def test_seeded_padding_reproduces() -> None:
    def lengths(seed: int) -> list[int]:
        writer = RecordWriter(padding=RandomPadding(SeededRandom(seed, "padding"), 32))
        writer.set_key(keys_for(0x1301), NAME)
        return [writer.write(APPDATA, b"x")[0].inner_padding_length for _ in range(8)]

    assert lengths(5) == lengths(5)
    assert lengths(5) != lengths(6)
    assert all(0 <= n <= 32 for n in lengths(5))


def test_tls12_ignores_padding() -> None:
    writer = RecordWriter(padding=FixedPadding(50))
    writer.set_key(keys_for(0xC030), NAME)
    assert writer.write(APPDATA, b"x")[0].inner_padding_length == 0


@pytest.mark.parametrize("code", sorted(SUITES))
def test_every_nonce_built_from_the_iv_is_nonce_length_long(code: int) -> None:
    """The XOR-built nonce is NONCE_LENGTH bytes (RFC 8446 §5.3, RFC 7905 §2): every suite
    that builds one has an IV that long (TLS 1.2 AES-GCM sends its nonce explicitly)."""
    suite = suite_info(code)
    assert suite.iv_length == NONCE_LENGTH or suite.explicit_nonce_length


def test_the_middlebox_change_cipher_spec_stays_in_the_clear_under_tls13() -> None:
    writer, reader = pair(0x1301)
    [ccs] = writer.write(CCS, b"\x01")
    assert ccs.raw == b"\x14\x03\x03\x00\x01\x01" and ccs.protected_by is None
    [read] = read_back(reader, [ccs])
    assert (read.content_type, read.protected_by) == (CCS, None)
    assert reader.sequence_number == 0  # a plaintext record uses no sequence number


PLAIN_ALERT = bytes([ALERT, 3, 3, 0, 2, 2, 40])  # a fatal handshake_failure in the clear


def test_plaintext_alerts_pass_under_a_key_until_a_first_record_authenticates() -> None:
    writer, reader = pair(0x1301)
    reader.allow_plaintext_alerts()
    reader.feed(PLAIN_ALERT)
    [alert] = reader.records()
    assert (alert.content_type, alert.payload, alert.protected_by) == (ALERT, b"\x02\x28", None)
    [read] = read_back(reader, writer.write(HANDSHAKE, b"\x14\x00\x00\x00"))
    assert read.protected_by == NAME
    reader.feed(PLAIN_ALERT)
    with raises(UnexpectedMessage, AlertDescription.unexpected_message):
        reader.next_record()


def test_a_new_key_reads_alerts_protected_again() -> None:
    _, reader = pair(0x1301)
    reader.allow_plaintext_alerts()
    reader.set_key(keys_for(0x1301, fill=5), "server_application_traffic_secret_0")
    reader.feed(PLAIN_ALERT)
    with raises(UnexpectedMessage, AlertDescription.unexpected_message):
        reader.next_record()


def test_plaintext_alerts_are_allowed_only_under_a_key() -> None:
    with raises(InternalError, AlertDescription.internal_error):
        RecordReader().allow_plaintext_alerts()


# --- faults: each is the alert the RFC names, and nothing is consumed --------------------------


def sealed(code: int, content: bytes, inner_type: int | None = None) -> bytes:
    """A TLS 1.3 record built by hand, to put what our writer never would inside it."""
    keys = keys_for(code)
    inner = content if inner_type is None else content + bytes([inner_type])
    header = bytes([APPDATA, 3, 3]) + (len(inner) + 16).to_bytes(2, "big")
    return header + AESGCM(keys.key).encrypt(keys.iv, inner, header)  # sequence 0: nonce = iv


@pytest.mark.parametrize("code", ALL_SUITES)
@pytest.mark.parametrize("where", [5, 12, -17, -1], ids=["body start", "ciphertext", "tag start", "tag end"])
def test_a_flipped_bit_is_bad_record_mac(code: int, where: int) -> None:
    writer, reader = pair(code)
    [record] = writer.write(APPDATA, b"attack at dawn")
    tampered = bytearray(record.raw)
    tampered[where] ^= 0x01
    reader.feed(bytes(tampered))
    with raises(BadRecordMac, AlertDescription.bad_record_mac):
        reader.next_record()
    assert reader.buffered == len(tampered) and reader.sequence_number == 0  # nothing consumed


@pytest.mark.parametrize("code", ALL_SUITES)
def test_the_header_is_authenticated(code: int) -> None:
    """TLS 1.3 authenticates the whole header, TLS 1.2 the type and version (RFC 5246
    §6.2.3.3): a rewritten version fails either way."""
    writer, reader = pair(code)
    [record] = writer.write(APPDATA, b"x")
    reader.feed(record.raw[:2] + b"\x01" + record.raw[3:])
    with pytest.raises(BadRecordMac):
        reader.next_record()


@pytest.mark.parametrize("code", TLS12_SUITES)
def test_tls12_binds_the_content_type(code: int) -> None:
    writer, reader = pair(code)
    [record] = writer.write(APPDATA, b"x")
    reader.feed(bytes([HANDSHAKE]) + record.raw[1:])
    with pytest.raises(BadRecordMac):
        reader.next_record()


def test_bad_record_mac_names_the_key_and_record() -> None:
    writer, reader = pair(0x1301)
    [record] = writer.write(APPDATA, b"x")
    reader.feed(record.raw[:-1] + bytes([record.raw[-1] ^ 0x80]))
    with raises(BadRecordMac, AlertDescription.bad_record_mac) as failure:
        reader.next_record()
    assert NAME in failure.value.reason and failure.value.section == "RFC 8446 §5.2"


def test_a_record_too_short_for_its_tag_is_bad_record_mac() -> None:
    for code in (0x1301, 0x009C):
        _, reader = pair(code)
        reader.feed(b"\x17\x03\x03\x00\x05hello")
        with pytest.raises(BadRecordMac):
            reader.next_record()


@pytest.mark.parametrize(("code", "length"), [(None, MAX_PLAINTEXT + 1), (0x1301, MAX_PLAINTEXT + 257),
                                              (0x009C, MAX_PLAINTEXT + 2049)])
def test_an_oversize_record_is_record_overflow_before_any_body_arrives(code: int | None, length: int) -> None:
    reader = RecordReader() if code is None else pair(code)[1]
    reader.feed(bytes([APPDATA, 3, 3]) + length.to_bytes(2, "big"))
    with raises(RecordOverflow, AlertDescription.record_overflow):
        reader.next_record()


def test_the_largest_legal_records_pass_the_header_check() -> None:
    for code, length in ((None, MAX_PLAINTEXT), (0x1301, MAX_PLAINTEXT + 256)):
        reader = RecordReader() if code is None else pair(code)[1]
        reader.feed(bytes([APPDATA, 3, 3]) + length.to_bytes(2, "big"))
        assert reader.next_record() is None  # waiting for the body, no alert


def test_an_inner_plaintext_over_the_limit_is_record_overflow() -> None:
    _, reader = pair(0x1301)
    reader.feed(sealed(0x1301, bytes(MAX_PLAINTEXT + 1), inner_type=APPDATA))
    with raises(RecordOverflow, AlertDescription.record_overflow):
        reader.next_record()


def test_a_tls12_plaintext_over_the_limit_is_record_overflow() -> None:
    keys = keys_for(0xCCA8)
    content = bytes(MAX_PLAINTEXT + 1)
    header = bytes([APPDATA, 3, 3]) + (len(content) + 16).to_bytes(2, "big")
    aad = bytes(8) + header[:3] + len(content).to_bytes(2, "big")
    body = keys.suite.aead(keys.key).encrypt(keys.iv, content, aad)
    _, reader = pair(0xCCA8)
    reader.feed(header + body)
    with pytest.raises(RecordOverflow):
        reader.next_record()


def test_an_all_zero_inner_plaintext_is_unexpected_message() -> None:
    _, reader = pair(0x1301)
    reader.feed(sealed(0x1301, bytes(12)))
    with raises(UnexpectedMessage, AlertDescription.unexpected_message):
        reader.next_record()


def test_an_unknown_inner_type_is_unexpected_message() -> None:
    _, reader = pair(0x1301)
    reader.feed(sealed(0x1301, b"x", inner_type=99))
    with pytest.raises(UnexpectedMessage):
        reader.next_record()


def test_an_unknown_record_type_is_unexpected_message() -> None:
    reader = RecordReader()
    reader.feed(b"\x18\x03\x03\x00\x01\x00")  # heartbeat (RFC 6520), which we do not speak
    with pytest.raises(UnexpectedMessage):
        reader.next_record()


def test_a_header_that_is_not_tls_is_decode_error() -> None:
    reader = RecordReader()
    reader.feed(b"\x16\x00\x02\x00\x01\x00")
    with raises(DecodeError, AlertDescription.decode_error):
        reader.next_record()


def test_plaintext_handshake_after_tls13_keys_is_unexpected_message() -> None:
    _, reader = pair(0x1301)
    reader.feed(b"\x16\x03\x03\x00\x04\x14\x00\x00\x00")
    with pytest.raises(UnexpectedMessage):
        reader.next_record()


def test_a_tls13_change_cipher_spec_must_be_the_single_byte_one() -> None:
    _, reader = pair(0x1301)
    reader.feed(b"\x14\x03\x03\x00\x01\x02")
    with pytest.raises(UnexpectedMessage):
        reader.next_record()


def test_a_key_needs_a_name() -> None:
    with pytest.raises(InternalError):
        RecordWriter().set_key(keys_for(0x1301), None)


def test_the_reader_recovers_nothing_but_reports_the_fault_again() -> None:
    """After a fault the bytes stay: the endpoint sends the alert and stops; asking again
    gives the same answer rather than a shifted stream."""
    writer, reader = pair(0x1301)
    [good] = writer.write(APPDATA, b"ok")
    reader.feed(good.raw[:-1] + bytes([good.raw[-1] ^ 1]))
    for _ in range(2):
        with pytest.raises(BadRecordMac):
            reader.next_record()
