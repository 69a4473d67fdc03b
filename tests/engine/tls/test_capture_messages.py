"""Handshake messages OpenSSL 3.0 wrote (tests/fixtures/captures/tls1[23]-*.pcap, from
/work/shared/captures): every plaintext one decodes, re-encodes byte for byte, and has a
sound byte map.

The captures are in-order loopback connections, so a direction's byte stream is its
segments' payloads ordered by sequence number (retransmissions dropped by seq). Plaintext
handshake records are those before the first ChangeCipherSpec in TLS 1.2 (after it the
Finished is encrypted) and those before the first application_data record in TLS 1.3
(where the ChangeCipherSpec is only a middlebox-compatibility no-op). The encrypted
messages are the record layer's to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.tls.constants import ContentType, NamedGroup, ProtocolVersion
from engine.tls.extensions import KeyShareClientHello, KeyShareHelloRetryRequest, ServerName
from engine.tls.messages import (
    Certificate12,
    CertificateRequest12,
    CertificateVerify,
    ClientHello,
    ClientKeyExchange,
    DecodeContext,
    HandshakeMessage,
    NewSessionTicket12,
    ServerHello,
    ServerHelloDone,
    ServerKeyExchange,
    decode_handshake,
    split_handshake_messages,
)
from engine.tls.suites import suite_info
from tests.engine.tls.test_messages import assert_byte_map_is_sound
from tests.pcap_reader import read_tcp_packets

CAPTURES = Path(__file__).parents[2] / "fixtures" / "captures"
SERVER_PORTS = range(24400, 24500)  # the captures' s_server listened on 244xx
RECORD_HEADER = 5

CH, SH, C12, SKE, CR12, SHD, CKE, CV, NST12 = (
    ClientHello, ServerHello, Certificate12, ServerKeyExchange, CertificateRequest12,
    ServerHelloDone, ClientKeyExchange, CertificateVerify, NewSessionTicket12)

# capture -> (the client's plaintext messages, the server's), as the README describes them
FLOWS: dict[str, tuple[list[type[HandshakeMessage]], list[type[HandshakeMessage]]]] = {
    "tls12-rsa-kex": ([CH, CKE], [SH, C12, SHD, NST12]),
    "tls12-dhe-rsa": ([CH, CKE], [SH, C12, SKE, SHD, NST12]),
    "tls12-ecdhe-rsa": ([CH, CKE], [SH, C12, SKE, SHD, NST12]),
    "tls12-ecdhe-ecdsa-chacha": ([CH, CKE], [SH, C12, SKE, SHD, NST12]),
    "tls12-client-auth": ([CH, C12, CKE, CV], [SH, C12, SKE, CR12, SHD, NST12]),
    "tls13-ecdsa-x25519": ([CH], [SH]),
    "tls13-rsa-aes256": ([CH], [SH]),
    "tls13-client-auth": ([CH], [SH]),
    "tls13-hrr-p256": ([CH, CH], [SH, SH]),
}


@dataclass(frozen=True)
class Flight:
    """One direction's plaintext handshake messages, each as it was on the wire."""

    messages: list[bytes]


def _streams(name: str) -> tuple[bytes, bytes]:
    """(client -> server bytes, server -> client bytes) of the capture's one connection."""
    segments: dict[bool, dict[int, bytes]] = {True: {}, False: {}}
    for packet in read_tcp_packets(CAPTURES / f"{name}.pcap"):
        tcp = packet.tcp
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload:
            to_server = int.from_bytes(tcp[2:4], "big") in SERVER_PORTS
            segments[to_server].setdefault(int.from_bytes(tcp[4:8], "big"), payload)
    client, server = (b"".join(d[seq] for seq in sorted(d)) for d in (segments[True], segments[False]))
    return client, server


def _records(stream: bytes) -> list[tuple[ContentType, bytes]]:
    records = []
    at = 0
    while at < len(stream):
        length = int.from_bytes(stream[at + 3:at + 5], "big")
        records.append((ContentType(stream[at]), stream[at + RECORD_HEADER:at + RECORD_HEADER + length]))
        at += RECORD_HEADER + length
    assert at == len(stream), "a record runs past the end of the stream"
    return records


def _plaintext_flight(stream: bytes, tls13: bool) -> Flight:
    buffer = b""
    for content_type, payload in _records(stream):
        if content_type is ContentType.application_data:
            break
        if content_type is ContentType.change_cipher_spec:
            if tls13:
                continue  # middlebox compatibility: nothing changes (RFC 8446 §D.4)
            break
        if content_type is ContentType.handshake:
            buffer += payload
    messages, rest = split_handshake_messages(buffer)
    assert rest == b""
    return Flight(messages)


def _connection(name: str) -> tuple[DecodeContext, Flight, Flight]:
    client, server = _streams(name)
    tls13 = name.startswith("tls13")
    server_flight = _plaintext_flight(server, tls13)
    server_hello = decode_handshake(server_flight.messages[-1 if tls13 else 0])
    assert isinstance(server_hello, ServerHello)
    if tls13:
        context = DecodeContext(ProtocolVersion.TLS1_3)
    else:
        context = DecodeContext(ProtocolVersion.TLS1_2, suite_info(server_hello.cipher_suite).key_exchange)
    return context, _plaintext_flight(client, tls13), server_flight


@pytest.mark.parametrize("name", FLOWS)
def test_every_plaintext_message_round_trips(name: str) -> None:
    context, client, server = _connection(name)
    client_flow, server_flow = FLOWS[name]
    for flight, flow in ((client, client_flow), (server, server_flow)):
        decoded = [decode_handshake(data, context=context) for data in flight.messages]
        assert [type(message) for message in decoded] == flow
        for message, data in zip(decoded, flight.messages):
            assert message.encode() == data, message.summary()
            assert decode_handshake(data, context=message.decode_context()) == message
            assert message.summary()


@pytest.mark.parametrize("name", FLOWS)
def test_byte_maps_of_captured_messages(name: str) -> None:
    context, client, server = _connection(name)
    for data in client.messages + server.messages:
        assert_byte_map_is_sound(decode_handshake(data, context=context).byte_map(), data)


def test_openssl_client_hello_reads_as_expected() -> None:
    _, client, _ = _connection("tls13-ecdsa-x25519")
    hello = decode_handshake(client.messages[0])
    assert isinstance(hello, ClientHello)
    assert hello.get(ServerName) == ServerName("localhost")
    assert ProtocolVersion.TLS1_3 in hello.offered_versions
    assert hello.summary() == "ClientHello 4 suites, x25519 share, SNI localhost"


def test_hello_retry_request_flow() -> None:
    """tls13-hrr-p256: the client offers an X25519 share, the server asks for P-256, the
    second ClientHello carries a P-256 share."""
    context, client, server = _connection("tls13-hrr-p256")
    first, second = (decode_handshake(m, context=context) for m in client.messages)
    retry, server_hello = (decode_handshake(m, context=context) for m in server.messages)
    assert isinstance(retry, ServerHello) and retry.is_hello_retry_request
    assert retry.get(KeyShareHelloRetryRequest) == KeyShareHelloRetryRequest(NamedGroup.secp256r1)
    assert isinstance(server_hello, ServerHello) and not server_hello.is_hello_retry_request
    assert isinstance(first, ClientHello) and isinstance(second, ClientHello)
    groups = [[s.group for s in (h.get(KeyShareClientHello) or KeyShareClientHello(())).client_shares]
              for h in (first, second)]
    assert groups == [[NamedGroup.x25519], [NamedGroup.secp256r1]]
    assert second.legacy_session_id == first.legacy_session_id  # compatibility mode echo


def test_tls12_key_exchange_bodies_follow_the_suite() -> None:
    """The two 262-byte ClientKeyExchange messages of tls12-rsa-kex and tls12-dhe-rsa have
    the same shape on the wire; only the negotiated suite says which one each is."""
    kinds = {}
    for name in ("tls12-rsa-kex", "tls12-dhe-rsa", "tls12-ecdhe-rsa"):
        context, client, _ = _connection(name)
        message = decode_handshake(client.messages[-1], context=context)
        assert isinstance(message, ClientKeyExchange)
        kinds[name] = (message.key_exchange.value, len(message.exchange_keys))
    assert kinds == {"tls12-rsa-kex": ("RSA", 256), "tls12-dhe-rsa": ("DHE_RSA", 256),
                     "tls12-ecdhe-rsa": ("ECDHE_RSA", 32)}
