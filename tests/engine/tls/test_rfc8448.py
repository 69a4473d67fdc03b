"""RFC 8448 §3 (simple 1-RTT handshake) and the PSK half of §4, end to end.

From the RFC's (EC)DHE shared secret and the RFC's message bytes (hashed here to get each
transcript hash), our key schedule must produce every secret, key, IV and Finished value
the RFC prints, and our record layer must decrypt the RFC's protected records to the
RFC's plaintext, and encrypt that plaintext back to the RFC's bytes. Every expected value
comes from tests/engine/tls/rfc8448_vectors.py, never from our own code.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from engine.tls.keylog import parse_keylog, tls13_keylog_lines
from engine.tls.keyschedule import KeySchedule, hkdf_label
from engine.tls.constants import ContentType
from engine.tls.record import RecordReader, RecordWriter
from engine.tls.suites import TrafficKeys
from tests.engine.tls import rfc8448_vectors as rfc

TLS_AES_128_GCM_SHA256 = 0x1301
SERVER_FLIGHT = rfc.ENCRYPTED_EXTENSIONS + rfc.CERTIFICATE + rfc.CERTIFICATE_VERIFY + rfc.SERVER_FINISHED
CLIENT_RANDOM = rfc.CLIENT_HELLO[6:38]


def sha256(*messages: bytes) -> bytes:
    return hashlib.sha256(b"".join(messages)).digest()


H_CH_SH = sha256(rfc.CLIENT_HELLO, rfc.SERVER_HELLO)
H_CH_CV = sha256(rfc.CLIENT_HELLO, rfc.SERVER_HELLO, rfc.ENCRYPTED_EXTENSIONS, rfc.CERTIFICATE,
                 rfc.CERTIFICATE_VERIFY)
H_CH_SF = sha256(rfc.CLIENT_HELLO, rfc.SERVER_HELLO, SERVER_FLIGHT)
H_CH_CF = sha256(rfc.CLIENT_HELLO, rfc.SERVER_HELLO, SERVER_FLIGHT, rfc.CLIENT_FINISHED)


def one_rtt_schedule() -> KeySchedule:
    """The whole §3 schedule, walked as an endpoint walks it."""
    schedule = KeySchedule(TLS_AES_128_GCM_SHA256)
    schedule.early(None)
    handshake = schedule.handshake(rfc.SHARED_SECRET, H_CH_SH)
    schedule.traffic_keys(handshake.server)
    schedule.traffic_keys(handshake.client)
    schedule.finished_verify_data(handshake.server, H_CH_CV, transcript="ClientHello...CertificateVerify")
    application = schedule.master(H_CH_SF)
    schedule.traffic_keys(application.server)
    schedule.traffic_keys(application.client)
    schedule.finished_verify_data(handshake.client, H_CH_SF, transcript="ClientHello...server Finished")
    schedule.resumption(H_CH_CF)
    return schedule


# --- the vectors are what the RFC says (checked with cryptography and hashlib only) --------


def test_the_transcribed_messages_hash_to_the_rfc_transcript_hashes() -> None:
    assert sha256() == rfc.EMPTY_HASH
    assert H_CH_SH == rfc.H_CH_SH
    assert H_CH_SF == rfc.H_CH_SF
    assert H_CH_CF == rfc.H_CH_CF
    assert sha256(rfc.RESUMED_CLIENT_HELLO[: rfc.BINDER_PREFIX_LENGTH]) == rfc.BINDER_HASH
    assert sha256(rfc.RESUMED_CLIENT_HELLO) == rfc.H_RESUMED_CH


def test_the_transcribed_key_shares_agree_on_the_shared_secret() -> None:
    client = X25519PrivateKey.from_private_bytes(rfc.CLIENT_X25519_PRIVATE)
    server = X25519PrivateKey.from_private_bytes(rfc.SERVER_X25519_PRIVATE)
    assert client.public_key().public_bytes_raw() == rfc.CLIENT_X25519_PUBLIC
    assert server.public_key().public_bytes_raw() == rfc.SERVER_X25519_PUBLIC
    assert client.exchange(X25519PublicKey.from_public_bytes(rfc.SERVER_X25519_PUBLIC)) == rfc.SHARED_SECRET


# --- the key schedule ---------------------------------------------------------------------------

EXPECTED_SECRETS = {
    "early_secret": rfc.EARLY_SECRET,
    "derived_secret_for_handshake": rfc.DERIVED_FOR_HANDSHAKE,
    "shared_secret": rfc.SHARED_SECRET,
    "handshake_secret": rfc.HANDSHAKE_SECRET,
    "client_handshake_traffic_secret": rfc.CLIENT_HANDSHAKE_TRAFFIC_SECRET,
    "server_handshake_traffic_secret": rfc.SERVER_HANDSHAKE_TRAFFIC_SECRET,
    "server_handshake_key": rfc.SERVER_HANDSHAKE_KEY,
    "server_handshake_iv": rfc.SERVER_HANDSHAKE_IV,
    "client_handshake_key": rfc.CLIENT_HANDSHAKE_KEY,
    "client_handshake_iv": rfc.CLIENT_HANDSHAKE_IV,
    "server_finished_key": rfc.SERVER_FINISHED_KEY,
    "server_verify_data": rfc.SERVER_VERIFY_DATA,
    "derived_secret_for_master": rfc.DERIVED_FOR_MASTER,
    "master_secret": rfc.MASTER_SECRET,
    "client_application_traffic_secret_0": rfc.CLIENT_APPLICATION_TRAFFIC_SECRET,
    "server_application_traffic_secret_0": rfc.SERVER_APPLICATION_TRAFFIC_SECRET,
    "exporter_master_secret": rfc.EXPORTER_MASTER_SECRET,
    "server_application_key_0": rfc.SERVER_APPLICATION_KEY,
    "server_application_iv_0": rfc.SERVER_APPLICATION_IV,
    "client_application_key_0": rfc.CLIENT_APPLICATION_KEY,
    "client_application_iv_0": rfc.CLIENT_APPLICATION_IV,
    "client_finished_key": rfc.CLIENT_FINISHED_KEY,
    "client_verify_data": rfc.CLIENT_VERIFY_DATA,
    "resumption_master_secret": rfc.RESUMPTION_MASTER_SECRET,
}


@pytest.mark.parametrize("name", EXPECTED_SECRETS)
def test_every_value_the_rfc_lists(name: str) -> None:
    assert one_rtt_schedule().secrets[name] == EXPECTED_SECRETS[name]


def test_the_schedule_derives_nothing_the_rfc_does_not_list() -> None:
    assert [event.name for event in one_rtt_schedule().events] == [
        "early_secret", "derived_secret_for_handshake", "shared_secret", "handshake_secret",
        "client_handshake_traffic_secret", "server_handshake_traffic_secret",
        "server_handshake_key", "server_handshake_iv", "client_handshake_key", "client_handshake_iv",
        "server_finished_key", "server_verify_data",
        "derived_secret_for_master", "master_secret",
        "client_application_traffic_secret_0", "server_application_traffic_secret_0",
        "exporter_master_secret",
        "server_application_key_0", "server_application_iv_0",
        "client_application_key_0", "client_application_iv_0",
        "client_finished_key", "client_verify_data", "resumption_master_secret"]


def test_hkdf_labels_are_the_rfc_info_octets() -> None:
    assert hkdf_label(b"c hs traffic", rfc.H_CH_SH, 32) == rfc.C_HS_TRAFFIC_INFO
    assert hkdf_label(b"key", b"", 16) == rfc.KEY_INFO
    assert hkdf_label(b"iv", b"", 12) == rfc.IV_INFO


def test_the_finished_messages_carry_our_verify_data() -> None:
    secrets = one_rtt_schedule().secrets
    assert rfc.SERVER_FINISHED == bytes([20, 0, 0, 32]) + secrets["server_verify_data"]
    assert rfc.CLIENT_FINISHED == bytes([20, 0, 0, 32]) + secrets["client_verify_data"]


def test_the_ticket_psk_from_the_new_session_ticket_nonce() -> None:
    nonce_length = rfc.NEW_SESSION_TICKET[12]  # after type, length, lifetime, age_add
    nonce = rfc.NEW_SESSION_TICKET[13 : 13 + nonce_length]
    assert nonce == rfc.TICKET_NONCE
    assert one_rtt_schedule().resumption_psk(nonce) == rfc.RESUMPTION_PSK


def test_the_keylog_lines_of_the_rfc_handshake() -> None:
    lines = tls13_keylog_lines(CLIENT_RANDOM, one_rtt_schedule().events)
    log = parse_keylog("\n".join(lines))
    assert [entry.label for entry in log.entries] == [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"]
    assert log.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", CLIENT_RANDOM) == rfc.SERVER_HANDSHAKE_TRAFFIC_SECRET
    assert log.secret("EXPORTER_SECRET", CLIENT_RANDOM) == rfc.EXPORTER_MASTER_SECRET


# --- §4: the PSK side ---------------------------------------------------------------------------


def test_resumed_early_secret_binder_and_early_traffic() -> None:
    schedule = KeySchedule(TLS_AES_128_GCM_SHA256)
    assert schedule.early(rfc.RESUMPTION_PSK) == rfc.PSK_EARLY_SECRET
    binder_key = schedule.binder_key("resumption")
    assert binder_key == rfc.BINDER_KEY
    assert schedule.finished_verify_data(binder_key, rfc.BINDER_HASH) == rfc.BINDER
    assert schedule.secrets["binder_finished_key"] == rfc.BINDER_FINISHED_KEY
    assert rfc.BINDER in rfc.RESUMED_CLIENT_HELLO[rfc.BINDER_PREFIX_LENGTH :]
    early = schedule.client_early_traffic(sha256(rfc.RESUMED_CLIENT_HELLO))
    assert early == rfc.CLIENT_EARLY_TRAFFIC_SECRET
    keys = schedule.traffic_keys(early)
    assert (keys.key, keys.iv) == (rfc.CLIENT_EARLY_KEY, rfc.CLIENT_EARLY_IV)
    assert schedule.secrets["client_early_key"] == rfc.CLIENT_EARLY_KEY


# --- the record layer on the RFC's records --------------------------------------------------------

SUITE = KeySchedule(TLS_AES_128_GCM_SHA256).suite
SERVER_HS = TrafficKeys(rfc.SERVER_HANDSHAKE_KEY, rfc.SERVER_HANDSHAKE_IV, SUITE)
CLIENT_HS = TrafficKeys(rfc.CLIENT_HANDSHAKE_KEY, rfc.CLIENT_HANDSHAKE_IV, SUITE)
SERVER_AP = TrafficKeys(rfc.SERVER_APPLICATION_KEY, rfc.SERVER_APPLICATION_IV, SUITE)
CLIENT_AP = TrafficKeys(rfc.CLIENT_APPLICATION_KEY, rfc.CLIENT_APPLICATION_IV, SUITE)

# (keys, name, records in the order they were sent under that key, each (type, plaintext, raw))
FLIGHTS = [
    (SERVER_HS, "server_handshake_traffic_secret",
     [(ContentType.handshake, SERVER_FLIGHT, rfc.SERVER_HANDSHAKE_RECORD)]),
    (CLIENT_HS, "client_handshake_traffic_secret",
     [(ContentType.handshake, rfc.CLIENT_FINISHED, rfc.CLIENT_FINISHED_RECORD)]),
    (SERVER_AP, "server_application_traffic_secret_0",
     [(ContentType.handshake, rfc.NEW_SESSION_TICKET, rfc.NEW_SESSION_TICKET_RECORD),
      (ContentType.application_data, rfc.APPLICATION_DATA, rfc.SERVER_APPLICATION_RECORD),
      (ContentType.alert, rfc.CLOSE_NOTIFY, rfc.SERVER_ALERT_RECORD)]),
    (CLIENT_AP, "client_application_traffic_secret_0",
     [(ContentType.application_data, rfc.APPLICATION_DATA, rfc.CLIENT_APPLICATION_RECORD),
      (ContentType.alert, rfc.CLOSE_NOTIFY, rfc.CLIENT_ALERT_RECORD)]),
]


def test_our_derived_keys_are_the_ones_the_records_use() -> None:
    schedule = one_rtt_schedule()
    for keys, name, _ in FLIGHTS:
        derived = schedule.traffic_keys(schedule.secrets[name])
        assert (derived.key, derived.iv) == (keys.key, keys.iv)


@pytest.mark.parametrize(("keys", "name", "records"), FLIGHTS, ids=[f[1] for f in FLIGHTS])
def test_the_rfc_records_decrypt_to_the_rfc_plaintext(
        keys: TrafficKeys, name: str, records: list[tuple[ContentType, bytes, bytes]]) -> None:
    reader = RecordReader()
    reader.set_key(keys, name)
    reader.feed(b"".join(raw for _, _, raw in records))
    read = reader.records()
    assert [(r.content_type, r.payload, r.raw) for r in read] == records
    assert [r.sequence_number for r in read] == list(range(len(records)))
    assert {r.protected_by for r in read} == {name}
    assert all(r.inner_padding_length == 0 for r in read)


@pytest.mark.parametrize(("keys", "name", "records"), FLIGHTS, ids=[f[1] for f in FLIGHTS])
def test_our_writer_produces_the_rfc_records_byte_for_byte(
        keys: TrafficKeys, name: str, records: list[tuple[ContentType, bytes, bytes]]) -> None:
    writer = RecordWriter()
    writer.set_key(keys, name)
    for content_type, plaintext, raw in records:
        [record] = writer.write(content_type, plaintext)
        assert record.raw == raw
        assert record.protected_by == name


def test_the_plaintext_hellos_frame_as_the_rfc_frames_them() -> None:
    writer = RecordWriter()
    [client_hello] = writer.write(ContentType.handshake, rfc.CLIENT_HELLO, legacy_record_version=0x0301)
    [server_hello] = writer.write(ContentType.handshake, rfc.SERVER_HELLO)
    assert client_hello.raw == rfc.CLIENT_HELLO_RECORD and client_hello.protected_by is None
    assert server_hello.raw == rfc.SERVER_HELLO_RECORD
    reader = RecordReader()
    reader.feed(rfc.CLIENT_HELLO_RECORD + rfc.SERVER_HELLO_RECORD)
    assert [(r.payload, r.legacy_record_version) for r in reader.records()] == [
        (rfc.CLIENT_HELLO, 0x0301), (rfc.SERVER_HELLO, 0x0303)]


def test_a_client_reads_the_server_hello_then_switches_keys_mid_buffer() -> None:
    """ServerHello and the encrypted flight arrive in one segment: the reader hands over one
    record, the endpoint installs the handshake key, the next record decrypts."""
    reader = RecordReader()
    reader.feed(rfc.SERVER_HELLO_RECORD + rfc.SERVER_HANDSHAKE_RECORD)
    first = reader.next_record()
    assert first is not None and first.payload == rfc.SERVER_HELLO
    reader.set_key(SERVER_HS, "server_handshake_traffic_secret")
    second = reader.next_record()
    assert second is not None and second.payload == SERVER_FLIGHT
    assert reader.next_record() is None
