"""Records OpenSSL wrote (tests/fixtures/captures/tls*.pcap, OpenSSL 3.0 s_client against
s_server on loopback), decrypted by our record layer with the client's NSS key log.

TLS 1.3: the key log holds the traffic secrets; our `derive_traffic_keys` turns them into
write keys and IVs, and every record must authenticate. Each side's Finished is then
recomputed from the decrypted transcript with our key schedule.

TLS 1.2: the key log holds only the master secret; our PRF expands it into the key block
(RFC 5246 §6.3) and those keys must decrypt every record after ChangeCipherSpec, which
proves `prf` and `key_block` against OpenSSL. Both Finished messages are recomputed with
`verify_data`. The RSA key exchange capture's log also has the pre-master secret, so there
the master secret itself is recomputed (RFC 7627's extended master secret when the hellos
negotiated it) and must equal OpenSSL's.

Parsing here is deliberately minimal and local (TCP reassembly, record split, handshake
framing, the hello fields we need), so the test trusts nothing of the engine but the parts
under test.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from engine.tls.keylog import KeyLog, parse_keylog
from engine.tls.keyschedule import KeySchedule, derive_traffic_keys
from engine.tls.prf import Tls12KeySchedule, extended_master_secret, key_block, master_secret, verify_data
from engine.tls.constants import ContentType
from engine.tls.record import Record, RecordReader
from engine.tls.suites import SuiteInfo, TrafficKeys, suite_info
from tests.pcap_reader import read_tcp_packets

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"
TLS13 = ["tls13-ecdsa-x25519", "tls13-rsa-aes256", "tls13-hrr-p256", "tls13-client-auth"]
TLS12 = ["tls12-rsa-kex", "tls12-dhe-rsa", "tls12-ecdhe-rsa", "tls12-ecdhe-ecdsa-chacha",
         "tls12-client-auth"]
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
CLIENT_HELLO, SERVER_HELLO, NEW_SESSION_TICKET, FINISHED = 1, 2, 4, 20
CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, MESSAGE_HASH = 16, 15, 254
EXTENDED_MASTER_SECRET = 0x0017
CLOSE_NOTIFY = b"\x01\x00"


# --- bytes out of the capture ----------------------------------------------------------------


def tcp_streams(name: str) -> dict[str, bytes]:
    """{"client": bytes, "server": bytes}: each direction's TCP payload, in sequence order."""
    segments: dict[int, dict[int, bytes]] = {}
    client_port = None
    for packet in read_tcp_packets(CAPTURES / f"{name}.pcap"):
        source, _, seq = struct.unpack_from("!HHI", packet.tcp)
        flags = packet.tcp[13]
        if flags & 0x02 and not flags & 0x10:  # the SYN names the client
            client_port = source
        payload = packet.tcp[(packet.tcp[12] >> 4) * 4 :]
        if payload:
            segments.setdefault(source, {}).setdefault(seq, payload)
    return {("client" if port == client_port else "server"): b"".join(p for _, p in sorted(parts.items()))
            for port, parts in segments.items()}


def split_records(stream: bytes) -> list[bytes]:
    records, at = [], 0
    while at < len(stream):
        end = at + 5 + int.from_bytes(stream[at + 3 : at + 5], "big")
        records.append(stream[at:end])
        at = end
    assert at == len(stream), "the stream ends inside a record"
    return records


def split_handshake(data: bytes) -> tuple[list[bytes], bytes]:
    """Whole handshake messages (header included) and the incomplete rest."""
    messages, at = [], 0
    while at + 4 <= len(data):
        end = at + 4 + int.from_bytes(data[at + 1 : at + 4], "big")
        if end > len(data):
            break
        messages.append(data[at:end])
        at = end
    return messages, data[at:]


def hello_random(message: bytes) -> bytes:
    return message[6:38]  # type(1) length(3) legacy_version(2) random(32)


def server_hello_suite(message: bytes) -> int:
    session_id_length = message[38]
    return int.from_bytes(message[39 + session_id_length : 41 + session_id_length], "big")


def server_hello_extensions(message: bytes) -> set[int]:
    at = 39 + message[38] + 3  # cipher_suite(2) + compression(1)
    end = at + 2 + int.from_bytes(message[at : at + 2], "big")
    at += 2
    found = set()
    while at < end:
        found.add(int.from_bytes(message[at : at + 2], "big"))
        at += 4 + int.from_bytes(message[at + 2 : at + 4], "big")
    return found


def transcript_hash(messages: list[bytes], suite: SuiteInfo) -> bytes:
    digest = hashes.Hash(suite.new_hash())
    for message in messages:
        digest.update(message)
    return digest.finalize()


def keylog(name: str) -> KeyLog:
    return parse_keylog((CAPTURES / f"{name}.keys").read_text())


# --- one direction, read record by record ----------------------------------------------------


@dataclass
class Direction:
    """What one side sent, as our record layer read it."""

    records: list[Record] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)  # handshake messages, in order
    pending: bytes = b""

    def take(self, record: Record) -> list[bytes]:
        self.records.append(record)
        if record.content_type is not ContentType.handshake:
            return []
        complete, self.pending = split_handshake(self.pending + record.payload)
        self.messages += complete
        return complete

    def payloads(self, content_type: ContentType) -> list[bytes]:
        return [r.payload for r in self.records if r.content_type is content_type]


def read_tls13(raw_records: list[bytes], side: str, log: KeyLog, client_random: bytes,
               suite: SuiteInfo) -> Direction:
    """Handshake keys from the first protected record on, application keys after this
    side's Finished (RFC 8446 §7.3 and §4.4.4)."""
    label = side.upper()
    handshake = log.secret(f"{label}_HANDSHAKE_TRAFFIC_SECRET", client_random)
    application = log.secret(f"{label}_TRAFFIC_SECRET_0", client_random)
    assert handshake and application
    reader, direction = RecordReader(), Direction()
    for raw in raw_records:
        if raw[0] == ContentType.application_data and reader.protected_by is None:
            reader.set_key(derive_traffic_keys(handshake, suite), f"{side}_handshake_traffic_secret")
        reader.feed(raw)
        record = reader.next_record()
        assert record is not None and record.raw == raw and reader.buffered == 0
        if any(m[0] == FINISHED for m in direction.take(record)):
            reader.set_key(derive_traffic_keys(application, suite), f"{side}_application_traffic_secret_0")
    return direction


def read_tls12(raw_records: list[bytes], side: str, keys: TrafficKeys) -> Direction:
    """Plaintext until this side's ChangeCipherSpec, its key block keys after."""
    reader, direction = RecordReader(), Direction()
    for raw in raw_records:
        reader.feed(raw)
        record = reader.next_record()
        assert record is not None and record.raw == raw
        direction.take(record)
        if record.content_type is ContentType.change_cipher_spec:
            assert record.payload == b"\x01"
            reader.set_key(keys, f"{side}_write_key")
    return direction


# --- TLS 1.3 ----------------------------------------------------------------------------------


@dataclass
class Tls13Capture:
    client: Direction
    server: Direction
    suite: SuiteInfo
    client_random: bytes
    log: KeyLog


def read_tls13_capture(name: str) -> Tls13Capture:
    streams = tcp_streams(name)
    client_raw, server_raw = split_records(streams["client"]), split_records(streams["server"])
    client_random = hello_random(client_raw[0][5:])
    hellos = [m for m, _ in [split_handshake(r[5:]) for r in server_raw if r[0] == ContentType.handshake]]
    real_hello = [m[0] for m in hellos if hello_random(m[0]) != HRR_RANDOM][0]
    suite = suite_info(server_hello_suite(real_hello))
    log = keylog(name)
    return Tls13Capture(
        client=read_tls13(client_raw, "client", log, client_random, suite),
        server=read_tls13(server_raw, "server", log, client_random, suite),
        suite=suite, client_random=client_random, log=log,
    )


def tls13_transcript(capture: Tls13Capture) -> Iterator[bytes]:
    """The handshake messages in the order both sides hash them (RFC 8446 §4.4.1): the
    first ClientHello is replaced by message_hash after a HelloRetryRequest."""
    client, server = list(capture.client.messages), list(capture.server.messages)
    if hello_random(server[0]) == HRR_RANDOM:
        first = transcript_hash([client.pop(0)], capture.suite)
        yield bytes([MESSAGE_HASH, 0, 0, len(first)]) + first
        yield server.pop(0)
    yield client.pop(0)  # ClientHello
    server_flight = [m for m in server if m[0] != NEW_SESSION_TICKET]
    yield from server_flight
    yield from client


@pytest.mark.parametrize("name", TLS13)
def test_every_tls13_record_authenticates_under_the_logged_secrets(name: str) -> None:
    capture = read_tls13_capture(name)
    for direction, side in ((capture.client, "client"), (capture.server, "server")):
        protected = [r for r in direction.records if r.protected_by]
        assert protected, f"{name}: no protected {side} record"
        assert {r.protected_by for r in protected} == {
            f"{side}_handshake_traffic_secret", f"{side}_application_traffic_secret_0"}
        assert all(r.inner_padding_length == 0 for r in protected)  # OpenSSL does not pad
        assert all(r.raw[0] == ContentType.application_data for r in protected)
        assert direction.pending == b""
        assert direction.payloads(ContentType.alert) == [CLOSE_NOTIFY]
    assert b"GET / " in b"".join(capture.client.payloads(ContentType.application_data))
    assert b"".join(capture.server.payloads(ContentType.application_data)).startswith(b"HTTP/1.0 200")


EXPECTED_13 = {
    "tls13-ecdsa-x25519": ([1, 20], [2, 8, 11, 15, 20, 4, 4]),
    "tls13-rsa-aes256": ([1, 20], [2, 8, 11, 15, 20, 4, 4]),
    "tls13-hrr-p256": ([1, 1, 20], [2, 2, 8, 11, 15, 20, 4, 4]),
    "tls13-client-auth": ([1, 11, 15, 20], [2, 8, 13, 11, 15, 20, 4, 4]),
}


@pytest.mark.parametrize("name", TLS13)
def test_tls13_plaintext_is_the_handshake_we_expect(name: str) -> None:
    capture = read_tls13_capture(name)
    client_types, server_types = EXPECTED_13[name]
    assert [m[0] for m in capture.client.messages] == client_types
    assert [m[0] for m in capture.server.messages] == server_types


@pytest.mark.parametrize("name", TLS13)
def test_tls13_finished_recomputed_by_our_key_schedule(name: str) -> None:
    capture = read_tls13_capture(name)
    transcript = list(tls13_transcript(capture))
    schedule = KeySchedule(capture.suite)
    for side in ("server", "client"):
        finished_at = [i for i, m in enumerate(transcript) if m[0] == FINISHED][0 if side == "server" else 1]
        base = capture.log.secret(f"{side.upper()}_HANDSHAKE_TRAFFIC_SECRET", capture.client_random)
        assert base is not None
        expected = schedule.finished_verify_data(
            base, transcript_hash(transcript[:finished_at], capture.suite),
            base_name=f"{side}_handshake_traffic_secret")
        assert transcript[finished_at][4:] == expected


# --- TLS 1.2 ----------------------------------------------------------------------------------


@dataclass
class Tls12Capture:
    client: Direction
    server: Direction
    suite: SuiteInfo
    client_random: bytes
    server_random: bytes
    master: bytes
    extended_master_secret: bool


def tls12_hellos(streams: dict[str, bytes]) -> tuple[bytes, bytes]:
    client_hello, _ = split_handshake(split_records(streams["client"])[0][5:])
    server_hello, _ = split_handshake(split_records(streams["server"])[0][5:])
    assert client_hello[0][0] == CLIENT_HELLO and server_hello[0][0] == SERVER_HELLO
    return client_hello[0], server_hello[0]


def read_tls12_capture(name: str) -> Tls12Capture:
    streams = tcp_streams(name)
    client_hello, server_hello = tls12_hellos(streams)
    client_random, server_random = hello_random(client_hello), hello_random(server_hello)
    suite = suite_info(server_hello_suite(server_hello))
    master = keylog(name).secret("CLIENT_RANDOM", client_random)
    assert master is not None and len(master) == 48
    block = key_block(master, server_random, client_random, suite)
    return Tls12Capture(
        client=read_tls12(split_records(streams["client"]), "client", block.client_keys()),
        server=read_tls12(split_records(streams["server"]), "server", block.server_keys()),
        suite=suite, client_random=client_random, server_random=server_random, master=master,
        extended_master_secret=EXTENDED_MASTER_SECRET in server_hello_extensions(server_hello),
    )


EXPECTED_12 = {
    "tls12-rsa-kex": (0x009C, [1, 16, 20], [2, 11, 14, 4, 20]),
    "tls12-dhe-rsa": (0x009E, [1, 16, 20], [2, 11, 12, 14, 4, 20]),
    "tls12-ecdhe-rsa": (0xC030, [1, 16, 20], [2, 11, 12, 14, 4, 20]),
    "tls12-ecdhe-ecdsa-chacha": (0xCCA9, [1, 16, 20], [2, 11, 12, 14, 4, 20]),
    "tls12-client-auth": (0xC02F, [1, 11, 16, 15, 20], [2, 11, 12, 13, 14, 4, 20]),
}


@pytest.mark.parametrize("name", TLS12)
def test_the_key_block_from_the_logged_master_secret_decrypts_every_tls12_record(name: str) -> None:
    capture = read_tls12_capture(name)
    suite_code, client_types, server_types = EXPECTED_12[name]
    assert capture.suite.code == suite_code
    for direction, side in ((capture.client, "client"), (capture.server, "server")):
        protected = [r for r in direction.records if r.protected_by]
        assert [r.protected_by for r in protected] == [f"{side}_write_key"] * len(protected)
        assert [r.content_type for r in protected] == [
            ContentType.handshake, ContentType.application_data, ContentType.alert]
        assert [r.sequence_number for r in protected] == [0, 1, 2]
        assert direction.payloads(ContentType.alert) == [CLOSE_NOTIFY]
    assert [m[0] for m in capture.client.messages] == client_types
    assert [m[0] for m in capture.server.messages] == server_types
    assert b"GET / " in b"".join(capture.client.payloads(ContentType.application_data))
    assert b"".join(capture.server.payloads(ContentType.application_data)).startswith(b"HTTP/1.0 200")


@pytest.mark.parametrize("name", TLS12)
def test_tls12_finished_recomputed_with_our_prf(name: str) -> None:
    capture = read_tls12_capture(name)
    client, server = capture.client.messages, capture.server.messages
    server_hello_done = [i for i, m in enumerate(server) if m[0] == 14][0]
    before_client_finished = [client[0], *server[: server_hello_done + 1], *client[1:-1]]
    client_finished = client[-1]
    assert client_finished[4:] == verify_data(
        capture.master, b"client finished", transcript_hash(before_client_finished, capture.suite),
        capture.suite.hash)
    before_server_finished = [*before_client_finished, client_finished, *server[server_hello_done + 1 : -1]]
    assert server[-1][4:] == verify_data(
        capture.master, b"server finished", transcript_hash(before_server_finished, capture.suite),
        capture.suite.hash)


def test_rsa_key_exchange_master_secret_recomputed_from_the_logged_pre_master() -> None:
    """The RSA line of the log is the pre-master secret the client encrypted; OpenSSL
    negotiated the extended master secret (RFC 7627), so the session hash runs from the
    ClientHello to the ClientKeyExchange."""
    name = "tls12-rsa-kex"
    capture = read_tls12_capture(name)
    rsa = [e for e in keylog(name).entries if e.label == "RSA"]
    assert len(rsa) == 1
    pre_master = rsa[0].secret
    assert len(pre_master) == 48 and pre_master[:2] == b"\x03\x03"  # client_version first
    assert capture.extended_master_secret
    client, server = capture.client.messages, capture.server.messages
    through_cke = [client[0], *server[: [m[0] for m in server].index(14) + 1],
                   *client[1 : [m[0] for m in client].index(CLIENT_KEY_EXCHANGE) + 1]]
    session_hash = transcript_hash(through_cke, capture.suite)
    assert extended_master_secret(pre_master, session_hash, capture.suite.hash) == capture.master
    assert master_secret(pre_master, capture.client_random, capture.server_random,
                         capture.suite.hash) != capture.master

    schedule = Tls12KeySchedule(capture.suite)
    schedule.pre_master(pre_master, "RSA-encrypted by the client (RFC 5246 §7.4.7.1)")
    assert schedule.master(capture.client_random, capture.server_random, session_hash) == capture.master
    block = schedule.key_block(capture.server_random, capture.client_random)
    assert block == key_block(capture.master, capture.server_random, capture.client_random, capture.suite)
    assert [e.name for e in schedule.events] == [
        "pre_master_secret", "master_secret", "key_block",
        "client_write_key", "server_write_key", "client_write_iv", "server_write_iv"]
    assert schedule.events[1].section == "RFC 7627 §4"


@pytest.mark.parametrize("name", TLS12)
def test_every_tls12_capture_negotiated_the_extended_master_secret(name: str) -> None:
    """OpenSSL 3.0 offers and accepts RFC 7627 by default: the master secrets logged here
    are all extended ones (which is why only the RSA capture can be recomputed)."""
    assert read_tls12_capture(name).extended_master_secret
