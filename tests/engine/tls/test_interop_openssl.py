"""Our TLS 1.3 client and server against OpenSSL (Python's ssl, in memory, no network)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority, Credential
from engine.tls.client13 import TlsClient
from engine.tls.config import TicketStore, TlsConfig
from engine.tls.constants import CipherSuite, NamedGroup
from engine.tls.events import AlertSent, ApplicationDataReceived, HandshakeComplete
from engine.tls.keylog import tls13_keylog_lines
from engine.tls.server13 import TlsServer
from tests.engine.tls.openssl_peer import OpenSslPeer, client_context, openssl, run, server_context, write_pem

CA = CertificateAuthority.generate(SeededRandom(1).child("ca"))
CREDENTIALS = {kind: CA.issue(["localhost"], kind, SeededRandom(2).child(kind)) for kind in ("ed25519", "ecdsa", "rsa")}
STUDENT = CA.issue([], "ecdsa", SeededRandom(3).child("student"), client=True)


def engine_client(seed: int = 5, **overrides: object) -> TlsClient:
    config = TlsConfig(SeededRandom(seed), server_name="localhost", trust_anchors=(CA.certificate,))
    for key, value in overrides.items():
        setattr(config, key, value)
    return TlsClient(config)


def engine_server(seed: int = 6, kind: str = "ed25519", **overrides: object) -> TlsServer:
    config = TlsConfig(SeededRandom(seed), credential=CREDENTIALS[kind], trust_anchors=(CA.certificate,))
    for key, value in overrides.items():
        setattr(config, key, value)
    return TlsServer(config)


def completed(events: list[object]) -> HandshakeComplete:
    done = [e for e in events if isinstance(e, HandshakeComplete)]
    alerts = [e for e in events if isinstance(e, AlertSent)]
    assert not alerts, alerts
    assert len(done) == 1
    return done[0]


@pytest.mark.parametrize("suite", [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256])
@pytest.mark.parametrize("group", [NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1])
@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_engine_client_against_openssl_server(tmp_path: Path, suite: int, group: int, kind: str) -> None:
    peer = openssl(server_context(tmp_path, CREDENTIALS[kind]), server_side=True)
    client = engine_client(cipher_suites=(suite,), key_share_groups=(group,))
    events = run(client, peer, client.start().data)
    done = completed(events)
    assert (done.cipher_suite, done.group) == (suite, group)
    assert peer.obj.version() == "TLSv1.3"
    assert peer.obj.cipher()[0] == CipherSuite(suite).name
    # application data both ways
    client_data = client.send_application_data(b"GET / HTTP/1.0\r\n\r\n").data
    reply = peer.step(client_data)
    assert bytes(peer.received) == b"GET / HTTP/1.0\r\n\r\n"
    output = client.receive(reply + peer.write(b"HTTP/1.0 200 OK\r\n\r\nhello"))
    assert [e.data for e in output.events if isinstance(e, ApplicationDataReceived)] == [b"HTTP/1.0 200 OK\r\n\r\nhello"]


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
@pytest.mark.parametrize("groups", [(NamedGroup.x25519,), (NamedGroup.secp256r1,), (NamedGroup.secp384r1,)])
def test_openssl_client_against_engine_server(tmp_path: Path, kind: str, groups: tuple[int, ...]) -> None:
    server = engine_server(kind=kind, groups=groups)
    peer = openssl(client_context(CA), server_side=False, server_hostname="localhost")
    events = run(server, peer, b"")
    done = completed(events)
    assert done.group == groups[0]
    # OpenSSL sends an x25519 share only: any other group forces a HelloRetryRequest.
    assert server.sent_hello_retry is (groups[0] != NamedGroup.x25519)
    received = server.receive(peer.write(b"ping"))
    assert [e.data for e in received.events if isinstance(e, ApplicationDataReceived)] == [b"ping"]
    output = server.send_application_data(b"pong")
    peer.step(output.data)
    assert bytes(peer.received) == b"pong"


@pytest.mark.parametrize("suite", [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256])
def test_openssl_client_gets_the_suite_the_engine_server_allows(tmp_path: Path, suite: int) -> None:
    server = engine_server(cipher_suites=(suite,))
    peer = openssl(client_context(CA), server_side=False, server_hostname="localhost")
    done = completed(run(server, peer, b""))
    assert done.cipher_suite == suite
    assert peer.obj.cipher()[0] == CipherSuite(suite).name


def test_hello_retry_request_from_openssl_server(tmp_path: Path) -> None:
    context = server_context(tmp_path, CREDENTIALS["ecdsa"])
    context.set_ecdh_curve("prime256v1")
    peer = openssl(context, server_side=True)
    client = engine_client(key_share_groups=(NamedGroup.x25519,))
    events = run(client, peer, client.start().data)
    done = completed(events)
    assert done.group == NamedGroup.secp256r1
    assert client.hello_retry is not None


def test_client_authentication_both_ways(tmp_path: Path) -> None:
    context = server_context(tmp_path, CREDENTIALS["ecdsa"])
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=CA.to_pem().decode())
    peer = openssl(context, server_side=True)
    client = engine_client(credential=STUDENT)
    completed(run(client, peer, client.start().data))
    assert peer.obj.getpeercert()["subject"] == ((("commonName", "student"),),)

    server = engine_server(client_auth="require")
    client_side = client_context(CA)
    client_side.load_cert_chain(*write_pem(tmp_path, "student", STUDENT))
    peer = openssl(client_side, server_side=False, server_hostname="localhost")
    completed(run(server, peer, b""))
    assert server.peer_authenticated
    assert server.peer_chain[0] == STUDENT.chain[0]


def test_engine_server_requires_a_certificate_openssl_does_not_have(tmp_path: Path) -> None:
    server = engine_server(client_auth="require")
    peer = openssl(client_context(CA), server_side=False, server_hostname="localhost")
    events = run(server, peer, b"")
    alerts = [e for e in events if isinstance(e, AlertSent)]
    assert [a.description.name for a in alerts] == ["certificate_required"]
    assert peer.error is not None and "CERTIFICATE_REQUIRED" in peer.error.reason


def test_resumption_with_openssl_tickets(tmp_path: Path) -> None:
    context = server_context(tmp_path, CREDENTIALS["ed25519"])
    client = engine_client()
    peer = openssl(context, server_side=True)
    completed(run(client, peer, client.start().data))
    peer.step(b"")
    client.receive(peer.write(b"x"))  # tickets ride along with the first data
    assert client.received_tickets
    again = engine_client(seed=9, resume=client.received_tickets[0])
    peer2 = openssl(context, server_side=True)
    done = completed(run(again, peer2, again.start().data))
    assert done.resumed
    assert peer2.obj.session_reused


def test_resumption_of_openssl_client_by_engine_server(tmp_path: Path) -> None:
    store = TicketStore()
    context = client_context(CA)
    first = openssl(context, server_side=False, server_hostname="localhost")
    server = engine_server(tickets=store)
    completed(run(server, first, b""))
    first.step(b"")
    assert store.issued
    session = first.obj.session
    assert session is not None
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context.wrap_bio(incoming, outgoing, server_hostname="localhost", session=session)
    second = OpenSslPeer(obj, incoming, outgoing)
    server2 = engine_server(seed=8, tickets=store)
    done = completed(run(server2, second, b""))
    assert done.resumed
    assert second.obj.session_reused


def test_keylog_lines_equal_what_openssl_writes(tmp_path: Path) -> None:
    keylog = tmp_path / "openssl.keys"
    peer = openssl(server_context(tmp_path, CREDENTIALS["ecdsa"], keylog=keylog), server_side=True)
    client = engine_client(cipher_suites=(CipherSuite.TLS_AES_256_GCM_SHA384,))
    events = run(client, peer, client.start().data)
    completed(events)
    ours = tls13_keylog_lines(client.client_random, client.schedule.events)  # type: ignore[union-attr]
    theirs = [line for line in keylog.read_text().splitlines() if line and not line.startswith("#")]
    assert sorted(ours) == sorted(theirs)
    assert len(ours) == 5


def test_alpn_is_negotiated_both_ways(tmp_path: Path) -> None:
    context = server_context(tmp_path, CREDENTIALS["ecdsa"])
    context.set_alpn_protocols(["h2", "http/1.1"])
    peer = openssl(context, server_side=True)
    client = engine_client(alpn=("http/1.1",))
    done = completed(run(client, peer, client.start().data))
    assert done.alpn == "http/1.1"
    assert peer.obj.selected_alpn_protocol() == "http/1.1"

    client_side = client_context(CA)
    client_side.set_alpn_protocols(["h2", "http/1.1"])
    peer = openssl(client_side, server_side=False, server_hostname="localhost")
    server = engine_server(alpn=("http/1.1",))
    done = completed(run(server, peer, b""))
    assert done.alpn == "http/1.1"
    assert peer.obj.selected_alpn_protocol() == "http/1.1"


def test_key_update_with_openssl(tmp_path: Path) -> None:
    peer = openssl(server_context(tmp_path, CREDENTIALS["ecdsa"]), server_side=True)
    client = engine_client()
    completed(run(client, peer, client.start().data))
    before = client.writer.protected_by
    update = client.send("KeyUpdate", {"request_update": True})
    assert client.writer.protected_by == "client_application_traffic_secret_1" != before
    # OpenSSL answers update_requested with its own KeyUpdate, then data flows on new keys.
    answer = peer.step(update.data + client.send_application_data(b"after update").data)
    assert bytes(peer.received) == b"after update"
    output = client.receive(answer + peer.write(b"reply on new keys"))
    assert client.reader.protected_by == "server_application_traffic_secret_1"
    assert [e.data for e in output.events if isinstance(e, ApplicationDataReceived)] == [b"reply on new keys"]


def test_a_certificate_with_a_corrupt_version_is_bad_certificate_not_a_crash() -> None:
    good = CREDENTIALS["ecdsa"]
    leaf = good.chain[0]
    marker = bytes.fromhex("a003020102")  # [0] EXPLICIT version v3
    assert marker in leaf
    corrupt = leaf.replace(marker, bytes.fromhex("a003020107"), 1)
    server = engine_server(kind="ecdsa")
    server.config.credential = Credential((corrupt, *good.chain[1:]), good.private_key, good.key_kind)
    client = engine_client()
    data = client.start().data
    events: list[object] = []
    for _ in range(4):
        reply = server.receive(data)
        output = client.receive(reply.data)
        events += output.events
        data = output.data
        if not data:
            break
    alerts = [e for e in events if isinstance(e, AlertSent)]
    assert [a.description.name for a in alerts] == ["bad_certificate"]
