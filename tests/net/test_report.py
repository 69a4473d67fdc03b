"""The edge's pieces without sockets: the event lines, the record framer, the options."""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import sys

import pytest

from engine.net.addresses import parse_target
from engine.net.commands import seconds
from engine.net.errors import UsageFailure
from engine.net.report import ASCII, Reporter, negotiated_words
from engine.net.session import RecordFramer, expected_messages, keylog_lines
from engine.net.versions import openssl_flag, protocol_versions, versions_words
from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority
from engine.tls.client13 import TlsClient
from engine.tls.config import TicketStore, TlsConfig
from engine.tls.constants import CipherSuite, NamedGroup, ProtocolVersion
from engine.tls.events import HandshakeComplete
from engine.tls.keylog import tls12_keylog_line
from engine.tls.keyschedule import SecretDerived
from engine.tls.server13 import TlsServer
from tests.net.peers import ROOT
from tui.cli import main

CA = CertificateAuthority.generate(SeededRandom(21).child("ca"))
CREDENTIAL = CA.issue(["localhost"], "ed25519", SeededRandom(22).child("leaf"))
CREDENTIAL12 = CA.issue(["localhost"], "ecdsa", SeededRandom(22).child("leaf12"))
TLS12 = (ProtocolVersion.TLS1_2,)


def handshake_lines(reporter_side: str, *, client_versions: tuple[int, ...] = (ProtocolVersion.TLS1_3,),
                    **reporter: object) -> list[str]:
    """A full in-memory handshake; the lines one side's Reporter prints. The server speaks
    both versions; the client offers `client_versions`."""
    client = TlsClient(TlsConfig(SeededRandom(23), server_name="localhost", trust_anchors=(CA.certificate,),
                                 versions=client_versions))
    credential = CREDENTIAL if ProtocolVersion.TLS1_3 in client_versions else CREDENTIAL12
    server = TlsServer(TlsConfig(SeededRandom(24), credential=credential,
                                 versions=(ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)))
    stream = io.StringIO()
    report = Reporter(stream, **reporter)  # type: ignore[arg-type]
    output = client.start()
    to_server = output.data
    shown = [output.events] if reporter_side == "client" else []
    while to_server:
        answer = server.receive(to_server)
        reply = client.receive(answer.data)
        shown.append(answer.events if reporter_side == "server" else reply.events)
        to_server = reply.data
    for events in shown:
        report.events(events)
    return stream.getvalue().splitlines()


def test_the_server_side_lines_read_like_the_handshake() -> None:
    lines = handshake_lines("server")
    assert lines[0] == "← ClientHello 3 suites, x25519 share, SNI localhost   [plaintext]"
    assert "→ ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256, x25519 share   [plaintext]" in lines
    secret = next(line for line in lines if line.startswith("🔑 server_handshake_traffic_secret = "))
    assert secret.endswith('… = Derive-Secret(handshake_secret, "s hs traffic", ClientHello...ServerHello)')
    assert len(secret.split(" = ")[1]) == 9  # 4 bytes of hex and an ellipsis
    finished = next(line for line in lines if line.startswith("← Finished "))
    assert finished.endswith("   [client_handshake_traffic_secret]")
    assert lines[-1] == "✓ handshake complete: TLS 1.3 · TLS_AES_128_GCM_SHA256 · x25519"


def test_full_secrets_and_ascii_for_a_terminal_without_unicode() -> None:
    lines = handshake_lines("client", full_secrets=True, symbols=ASCII, peer="the server")
    assert lines[0] == "-> ClientHello 3 suites, x25519 share, SNI localhost   [plaintext]"
    secret = next(line for line in lines if line.startswith("key client_application_traffic_secret_0 = "))
    assert len(secret.split(" = ")[1]) == 64
    assert lines[-1] == "ok handshake complete: TLS 1.3 | TLS_AES_128_GCM_SHA256 | x25519 | peer CN=localhost"


def test_tls_1_2_lines_show_the_key_block_being_made() -> None:
    for side, arrow in (("server", "→"), ("client", "←")):
        lines = handshake_lines(side, client_versions=TLS12)
        assert f"{arrow} ServerHello TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256   [plaintext]" in lines
        names = [line.split(" = ")[0].removeprefix("🔑 ") for line in lines if line.startswith("🔑 ")]
        assert names == ["pre_master_secret", "master_secret", "key_block", "client_write_key", "server_write_key",
                         "client_write_iv", "server_write_iv", "client_verify_data", "server_verify_data"]
        assert lines[-1].startswith("✓ handshake complete: TLS 1.2 · TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 · x25519")
        finished = [line for line in lines if "Finished " in line]
        assert finished[0].endswith("   [client_write_key]") and finished[1].endswith("   [server_write_key]")


def test_negotiated_words_name_the_version_and_the_kind_of_resumption() -> None:
    suite12 = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    assert negotiated_words(HandshakeComplete(ProtocolVersion.TLS1_2, suite12, NamedGroup.x25519, None, True, None)) \
        == ["TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519", "resumed (session)"]
    suite13 = CipherSuite.TLS_AES_128_GCM_SHA256
    assert negotiated_words(HandshakeComplete(ProtocolVersion.TLS1_3, suite13, None, None, True, None)) \
        == ["TLS 1.3", "TLS_AES_128_GCM_SHA256", "resumed (PSK)"]


def secret(name: str, value: bytes) -> SecretDerived:
    return SecretDerived(name, value, (), "", "")


def test_the_key_log_lines_depend_on_the_version() -> None:
    random, master, pre_master = bytes(range(32)), b"\x0b" * 48, b"\x03\x03" + b"\x07" * 46
    events = [secret("pre_master_secret", pre_master), secret("master_secret", master),
              secret("client_write_key", b"\x01" * 16)]
    assert keylog_lines(ProtocolVersion.TLS1_2, random, events) == [tls12_keylog_line(random, master)]
    assert keylog_lines(ProtocolVersion.TLS1_2, random, events, rsa_encrypted=b"\xaa" * 256) == [
        f"RSA {'aa' * 8} {pre_master.hex()}", tls12_keylog_line(random, master)]
    # TLS 1.3 has a master_secret too; it is no key log line there
    assert keylog_lines(ProtocolVersion.TLS1_3, random, events) == []
    traffic = secret("client_application_traffic_secret_0", b"\x05" * 32)
    assert keylog_lines(ProtocolVersion.TLS1_3, random, [traffic]) == [f"CLIENT_TRAFFIC_SECRET_0 {random.hex()} {'05' * 32}"]


def test_a_tls_1_2_endpoint_waiting_for_change_cipher_spec_says_so() -> None:
    """A timeout names what was awaited; ChangeCipherSpec is a record, not a handshake message."""
    client = TlsClient(TlsConfig(SeededRandom(23), server_name="localhost", trust_anchors=(CA.certificate,),
                                 versions=TLS12))
    server = TlsServer(TlsConfig(SeededRandom(24), credential=CREDENTIAL12, versions=TLS12, tickets=TicketStore()))
    assert expected_messages(server) == "ClientHello"
    answer = server.receive(client.start().data)
    assert expected_messages(server) == "ClientKeyExchange"
    records = RecordFramer().split(client.receive(answer.data).data)  # ClientKeyExchange, CCS, Finished
    assert len(records) == 3
    server.receive(records[0])
    assert expected_messages(server) == "ChangeCipherSpec"
    assert expected_messages(client) == "NewSessionTicket"  # it must come: the ServerHello said so (RFC 5077 §3.3)


@pytest.mark.parametrize(("choice", "words", "flag"), [
    (None, "TLS 1.3 and 1.2", ""), ("1.2", "TLS 1.2 only", " -tls1_2"), ("1.3", "TLS 1.3 only", " -tls1_3"),
])
def test_tls_version_choices(choice: str | None, words: str, flag: str) -> None:
    versions = protocol_versions(choice)
    assert versions_words(versions) == words
    assert openssl_flag(versions) == flag


def test_an_ascii_stream_gets_ascii_symbols() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert Reporter(stream).symbols is ASCII


@pytest.mark.parametrize(("chunks", "pieces"), [
    ([b"\x16\x03\x01\x00\x02ab\x17\x03\x03\x00\x01c"], [b"\x16\x03\x01\x00\x02ab", b"\x17\x03\x03\x00\x01c"]),
    ([b"\x16\x03", b"\x01\x00\x02a", b"b\x17"], [b"\x16\x03", b"\x01\x00\x02a", b"b", b"\x17"]),
    ([b"\x15\x03\x03\x00\x00\x15"], [b"\x15\x03\x03\x00\x00", b"\x15"]),
    ([b"GET / HTTP/1.0\r\n\r\n"], [b"GET / HTTP/1.0\r\n\r\n"]),  # passed on: the endpoint judges it
])
def test_the_framer_cuts_at_record_boundaries_and_passes_the_rest_on(
    chunks: list[bytes], pieces: list[bytes]
) -> None:
    framer = RecordFramer()
    assert [piece for chunk in chunks for piece in framer.split(chunk)] == pieces


@pytest.mark.parametrize(("text", "value"), [("10", 10.0), ("10s", 10.0), ("2.5", 2.5), ("500ms", 0.5)])
def test_timeouts_read_as_seconds(text: str, value: float) -> None:
    assert seconds(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "soon", "2h", "7200"])
def test_bad_timeouts_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        seconds(text)


@pytest.mark.parametrize(("target", "parsed"), [
    ("localhost:4433", ("localhost", 4433)), ("127.0.0.1:1", ("127.0.0.1", 1)), ("[::1]:4433", ("::1", 4433)),
])
def test_targets(target: str, parsed: tuple[str, int]) -> None:
    assert parse_target(target) == parsed


@pytest.mark.parametrize("target", ["localhost", ":4433", "::1:4433", "localhost:0", "localhost:99999", "localhost:x"])
def test_bad_targets(target: str) -> None:
    with pytest.raises(UsageFailure):
        parse_target(target)


@pytest.mark.parametrize(("command", "words"), [
    ("serve", ["--port", "--cert {ed25519,ecdsa,rsa}", "--client-auth", "--ca-out FILE", "--once", "--keylog FILE",
               "--timeout SECONDS", "openssl s_client -connect 127.0.0.1:4433", "exit status: 0 ok",
               "--tls-version {1.2,1.3}", "-tls1_2"]),
    ("connect", ["HOST:PORT", "--servername NAME", "(--ca FILE | --insecure)", "--timeout SECONDS",
                 "exit status: 0 ok", "--tls-version {1.2,1.3}"]),
])
def test_help_reads_well(command: str, words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    text = capsys.readouterr().out
    for word in words:
        assert word in text


def test_sockets_live_at_the_edges_only() -> None:
    """ARCHITECTURE.md: no sockets, threads or clock reads in the sans-I/O engine; only the
    edge adapters (engine/net: real sockets; engine/live: the kernel through TUN) have them."""
    edges = (ROOT / "engine" / "net", ROOT / "engine" / "live")
    offenders = []
    for path in (ROOT / "engine").rglob("*.py"):
        if any(edge in path.parents for edge in edges):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("socket", "selectors", "asyncio", "threading", "ssl")]
    assert offenders == []


def test_the_cli_does_not_load_the_net_engine_until_a_net_command_runs() -> None:
    code = (
        "import sys; from tui.cli import build_parser; build_parser(); print(sorted(m for m in sys.modules "
        "if m.startswith(('engine.tls', 'cryptography', 'engine.net.serve', 'engine.net.connect'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"
