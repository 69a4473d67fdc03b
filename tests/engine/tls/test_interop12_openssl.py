"""Our TLS 1.2 client and server against OpenSSL (Python's ssl, in memory, no network)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority
from engine.tls.client13 import TlsClient
from engine.tls.config import TicketStore, TlsConfig
from engine.tls.constants import CipherSuite, ProtocolVersion
from engine.tls.events import AlertSent, ApplicationDataReceived, HandshakeComplete
from engine.tls.keylog import tls12_keylog_line
from engine.tls.server13 import TlsServer
from tests.engine.tls.openssl_peer import OpenSslPeer, openssl, run, write_pem

CA = CertificateAuthority.generate(SeededRandom(1).child("ca"))
CREDENTIALS = {kind: CA.issue(["localhost"], kind, SeededRandom(2).child(kind)) for kind in ("ecdsa", "rsa", "ed25519")}
STUDENT = CA.issue([], "ecdsa", SeededRandom(3).child("student"), client=True)
TLS12 = (ProtocolVersion.TLS1_2,)

# suite -> (OpenSSL's name for it, the certificate it needs)
SUITES = {
    CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256: ("AES128-GCM-SHA256", "rsa"),
    CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384: ("AES256-GCM-SHA384", "rsa"),
    CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: ("DHE-RSA-AES128-GCM-SHA256", "rsa"),
    CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: ("DHE-RSA-AES256-GCM-SHA384", "rsa"),
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: ("ECDHE-RSA-AES128-GCM-SHA256", "rsa"),
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: ("ECDHE-RSA-AES256-GCM-SHA384", "rsa"),
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: ("ECDHE-ECDSA-AES128-GCM-SHA256", "ecdsa"),
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: ("ECDHE-ECDSA-AES256-GCM-SHA384", "ecdsa"),
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: ("ECDHE-RSA-CHACHA20-POLY1305", "rsa"),
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: ("ECDHE-ECDSA-CHACHA20-POLY1305", "ecdsa"),
}


def server_context(tmp_path: Path, kind: str, openssl_suite: str, keylog: Path | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(openssl_suite)
    context.load_cert_chain(*write_pem(tmp_path, "server", CREDENTIALS[kind]))
    if openssl_suite.startswith("DHE-"):
        context.load_dh_params(str(ffdhe2048_pem(tmp_path)))
    if keylog:
        context.keylog_filename = str(keylog)
    return context


def ffdhe2048_pem(directory: Path) -> Path:
    """RFC 7919's ffdhe2048 as OpenSSL's DH parameter file (Python's ssl has no 'auto DH')."""
    import warnings

    from cryptography.hazmat.primitives.serialization import Encoding, ParameterFormat

    from engine.tls.groups import FFDHE2048

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from cryptography.hazmat.primitives.asymmetric import dh

        parameters = dh.DHParameterNumbers(FFDHE2048.p, FFDHE2048.g).parameters()
        path = directory / "ffdhe2048.pem"
        path.write_bytes(parameters.parameter_bytes(Encoding.PEM, ParameterFormat.PKCS3))
    return path


def client_context(openssl_suite: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(openssl_suite)
    context.load_verify_locations(cadata=CA.to_pem().decode())
    return context


def engine_client(suite: int, seed: int = 5, **overrides: object) -> TlsClient:
    config = TlsConfig(SeededRandom(seed), versions=TLS12, tls12_suites=(suite,), server_name="localhost",
                       trust_anchors=(CA.certificate,))
    for key, value in overrides.items():
        setattr(config, key, value)
    return TlsClient(config)


def engine_server(suite: int, kind: str, seed: int = 6, **overrides: object) -> TlsServer:
    config = TlsConfig(SeededRandom(seed), versions=TLS12, tls12_suites=(suite,), credential=CREDENTIALS[kind],
                       trust_anchors=(CA.certificate,))
    for key, value in overrides.items():
        setattr(config, key, value)
    return TlsServer(config)


def completed(events: list[object]) -> HandshakeComplete:
    alerts = [e for e in events if isinstance(e, AlertSent)]
    assert not alerts, alerts
    done = [e for e in events if isinstance(e, HandshakeComplete)]
    assert len(done) == 1
    return done[0]


@pytest.mark.parametrize("suite", list(SUITES), ids=[name for name, _ in SUITES.values()])
def test_engine_client_against_openssl_server(tmp_path: Path, suite: int) -> None:
    name, kind = SUITES[suite]
    keylog = tmp_path / "keys"
    peer = openssl(server_context(tmp_path, kind, name, keylog), server_side=True)
    client = engine_client(suite)
    done = completed(run(client, peer, client.start().data))
    assert (done.version, done.cipher_suite) == (ProtocolVersion.TLS1_2, suite)
    assert peer.obj.version() == "TLSv1.2" and peer.obj.cipher()[0] == name
    reply = peer.step(client.send_application_data(b"GET /").data)
    assert bytes(peer.received) == b"GET /"
    output = client.receive(reply + peer.write(b"200 OK"))
    assert [e.data for e in output.events if isinstance(e, ApplicationDataReceived)] == [b"200 OK"]
    # keylog equality: the master secret OpenSSL logged is the one we derived
    ours = tls12_keylog_line(client.client_random, client.schedule.secrets["master_secret"])  # type: ignore[union-attr]
    assert ours in keylog.read_text().splitlines()


@pytest.mark.parametrize("suite", list(SUITES), ids=[name for name, _ in SUITES.values()])
def test_openssl_client_against_engine_server(tmp_path: Path, suite: int) -> None:
    name, kind = SUITES[suite]
    server = engine_server(suite, kind)
    peer = openssl(client_context(name), server_side=False, server_hostname="localhost")
    done = completed(run(server, peer, b""))
    assert done.cipher_suite == suite
    assert peer.obj.version() == "TLSv1.2" and peer.obj.cipher()[0] == name
    received = server.receive(peer.write(b"ping"))
    assert [e.data for e in received.events if isinstance(e, ApplicationDataReceived)] == [b"ping"]
    peer.step(server.send_application_data(b"pong").data)
    assert bytes(peer.received) == b"pong"


def test_client_authentication_both_ways(tmp_path: Path) -> None:
    suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    context = server_context(tmp_path, "ecdsa", "ECDHE-ECDSA-AES128-GCM-SHA256")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=CA.to_pem().decode())
    peer = openssl(context, server_side=True)
    client = engine_client(suite, credential=STUDENT)
    completed(run(client, peer, client.start().data))
    assert peer.obj.getpeercert()["subject"] == ((("commonName", "student"),),)

    server = engine_server(suite, "ecdsa", client_auth="require")
    client_side = client_context("ECDHE-ECDSA-AES128-GCM-SHA256")
    client_side.load_cert_chain(*write_pem(tmp_path, "student", STUDENT))
    peer = openssl(client_side, server_side=False, server_hostname="localhost")
    completed(run(server, peer, b""))
    assert server.peer_chain[0] == STUDENT.chain[0]


ED25519_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
}


@pytest.mark.parametrize("suite", list(ED25519_SUITES), ids=list(ED25519_SUITES.values()))
def test_ed25519_certificates_serve_ecdhe_ecdsa_both_ways(tmp_path: Path, suite: int) -> None:
    """RFC 8422 §5.3: an ECDHE_ECDSA server's certificate may hold an EdDSA key; the
    ServerKeyExchange is then signed with ed25519 (0x0807)."""
    name = ED25519_SUITES[suite]
    peer = openssl(server_context(tmp_path, "ed25519", name), server_side=True)
    client = engine_client(suite)
    completed(run(client, peer, client.start().data))
    assert peer.obj.cipher()[0] == name
    assert client.peer_chain[0] == CREDENTIALS["ed25519"].chain[0]

    server = engine_server(suite, "ed25519")
    peer = openssl(client_context(name), server_side=False, server_hostname="localhost")
    completed(run(server, peer, b""))
    assert peer.obj.version() == "TLSv1.2" and peer.obj.cipher()[0] == name


def test_alpn_is_negotiated_in_the_server_hello_both_ways(tmp_path: Path) -> None:
    """RFC 7301 §3.1: in TLS 1.2 the server's pick rides in ServerHello."""
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    context = server_context(tmp_path, "rsa", "ECDHE-RSA-AES128-GCM-SHA256")
    context.set_alpn_protocols(["h2", "http/1.1"])
    peer = openssl(context, server_side=True)
    client = engine_client(suite, alpn=("http/1.1",))
    assert completed(run(client, peer, client.start().data)).alpn == "http/1.1"
    assert peer.obj.selected_alpn_protocol() == "http/1.1"

    server = engine_server(suite, "rsa", alpn=("h2", "http/1.1"))
    client_side = client_context("ECDHE-RSA-AES128-GCM-SHA256")
    client_side.set_alpn_protocols(["http/1.1", "h2"])
    peer = openssl(client_side, server_side=False, server_hostname="localhost")
    assert completed(run(server, peer, b"")).alpn == "h2"  # the server's preference wins
    assert peer.obj.selected_alpn_protocol() == "h2"


def test_alpn_with_nothing_in_common_is_refused_with_no_application_protocol(tmp_path: Path) -> None:
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    server = engine_server(suite, "rsa", alpn=("h2",))
    client_side = client_context("ECDHE-RSA-AES128-GCM-SHA256")
    client_side.set_alpn_protocols(["http/1.1"])
    peer = openssl(client_side, server_side=False, server_hostname="localhost")
    events = run(server, peer, b"")
    alerts = [e for e in events if isinstance(e, AlertSent)]
    assert [a.description.name for a in alerts] == ["no_application_protocol"]
    assert alerts[0].section == "RFC 7301 §3.2"


def test_engine_client_without_a_certificate_sends_an_empty_one(tmp_path: Path) -> None:
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    context = server_context(tmp_path, "rsa", "ECDHE-RSA-AES128-GCM-SHA256")
    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(cadata=CA.to_pem().decode())
    peer = openssl(context, server_side=True)
    client = engine_client(suite)
    completed(run(client, peer, client.start().data))
    assert peer.obj.getpeercert() is None


@pytest.mark.parametrize("by", ["session id", "ticket"])
def test_resumption_against_openssl_server(tmp_path: Path, by: str) -> None:
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    context = server_context(tmp_path, "rsa", "ECDHE-RSA-AES128-GCM-SHA256")
    if by == "session id":
        context.options |= ssl.OP_NO_TICKET
    client = engine_client(suite)
    # Keep the first SSLObject alive: OpenSSL drops a session from its cache when the
    # connection is freed without a clean shutdown.
    first = OpenSslPeer_for(context)
    completed(run(client, first, client.start().data))
    session = client.received_tickets12[0]
    assert bool(session.ticket) is (by == "ticket")
    again = engine_client(suite, seed=9, resume12=session)
    peer = OpenSslPeer_for(context)
    done = completed(run(again, peer, again.start().data))
    assert done.resumed and peer.obj.session_reused


@pytest.mark.parametrize("by", ["session id", "ticket"])
def test_resumption_of_openssl_client_by_engine_server(tmp_path: Path, by: str) -> None:
    suite = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    store = TicketStore()
    context = client_context("ECDHE-RSA-AES128-GCM-SHA256")
    if by == "session id":
        context.options |= ssl.OP_NO_TICKET
    first = openssl(context, server_side=False, server_hostname="localhost")
    completed(run(engine_server(suite, "rsa", tickets=store), first, b""))
    assert bool(store.tickets12) is (by == "ticket")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = context.wrap_bio(incoming, outgoing, server_hostname="localhost", session=first.obj.session)
    second = OpenSslPeer(obj, incoming, outgoing)
    done = completed(run(engine_server(suite, "rsa", seed=8, tickets=store), second, b""))
    assert done.resumed and second.obj.session_reused


def test_downgrade_sentinel_from_a_13_capable_server(tmp_path: Path) -> None:
    """Our server speaks 1.3 and 1.2; a client offering only 1.2 gets the sentinel, and our
    1.3-capable client that is forced down sees it and aborts with illegal_parameter."""
    suite = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    server = engine_server(suite, "ecdsa", versions=(ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2))
    peer = openssl(client_context("ECDHE-ECDSA-AES128-GCM-SHA256"), server_side=False, server_hostname="localhost")
    completed(run(server, peer, b""))  # OpenSSL offered only 1.2: a sentinel is fine for it
    assert server.server_random.endswith(b"DOWNGRD\x01")
    # A 1.3-capable engine client meeting a 1.2-only answer carrying the sentinel aborts.
    downgraded = engine_server(suite, "ecdsa", versions=(ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2))
    client = engine_client(suite, versions=(ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2),
                           cipher_suites=())
    hello = client.start().data
    from engine.tls.messages import ClientHello, decode_handshake
    from engine.tls.extensions import SupportedVersionsClientHello

    # strip TLS 1.3 from the hello on its way (a man in the middle), re-framing the record
    message = decode_handshake(hello[5:])
    assert isinstance(message, ClientHello)
    stripped = ClientHello(message.random, message.legacy_session_id, message.cipher_suites,
                           extensions=tuple(e for e in message.extensions if not isinstance(e, SupportedVersionsClientHello)))
    body = stripped.encode()
    reply = downgraded.receive(hello[:3] + len(body).to_bytes(2, "big") + body).data
    output = client.receive(reply)
    alerts = [e for e in output.events if isinstance(e, AlertSent)]
    assert [a.description.name for a in alerts] == ["illegal_parameter"]
    assert "sentinel" in alerts[0].reason and alerts[0].section == "RFC 8446 §4.1.3"


def OpenSslPeer_for(context: ssl.SSLContext) -> OpenSslPeer:  # noqa: N802
    return openssl(context, server_side=True)
