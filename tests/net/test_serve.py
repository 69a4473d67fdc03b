"""`synack serve` on loopback: openssl s_client and curl complete real handshakes with it."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.net.peers import WAIT, elapsed, no_traceback, synack, synack_server, tool

REQUEST = "GET / HTTP/1.0\r\n\r\n"
SCHEMES = {"ed25519": "ed25519", "ecdsa": "ecdsa_secp256r1_sha256", "rsa": "rsa_pss_rsae_sha256"}


def s_client(port: int, *args: str, input: str = REQUEST, version: str = "-tls1_3") -> subprocess.CompletedProcess[str]:
    command = [tool("openssl"), "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
               version, "-ign_eof", *args]
    return subprocess.run(command, input=input, capture_output=True, text=True, timeout=WAIT)


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa", "rsa"])
def test_openssl_s_client_completes_a_handshake_and_gets_the_page(tmp_path: Path, kind: str) -> None:
    ca = tmp_path / "ca.pem"
    with synack_server("--cert", kind, "--ca-out", str(ca), "--seed", "7") as (server, port):
        client = s_client(port, "-CAfile", str(ca))
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout, client.stdout + client.stderr
    assert "<h1>Hello from synack</h1>" in client.stdout
    assert "TLS_AES_128_GCM_SHA256" in client.stdout
    out = server.output
    no_traceback(out, client.stderr)
    for line in (
        "← ClientHello ",
        "→ ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256, x25519 share   [plaintext]",
        f"→ CertificateVerify {SCHEMES[kind]}   [server_handshake_traffic_secret]",
        '🔑 server_handshake_traffic_secret = ',
        '= Derive-Secret(handshake_secret, "s hs traffic", ClientHello...ServerHello)',
        "   [client_handshake_traffic_secret]",
        "✓ handshake complete: TLS 1.3 · TLS_AES_128_GCM_SHA256 · x25519",
        "  GET / HTTP/1.0",
        "  HTTP/1.1 200 OK",
        "→ Alert close_notify (warning)   [server_application_traffic_secret_0]",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    assert [line for line in out.splitlines() if line.startswith("← Finished")][0].endswith(
        "[client_handshake_traffic_secret]"
    )


def test_the_key_log_equals_the_one_openssl_writes(tmp_path: Path) -> None:
    ca, ours, theirs = tmp_path / "ca.pem", tmp_path / "synack.keys", tmp_path / "openssl.keys"
    with synack_server("--ca-out", str(ca), "--keylog", str(ours)) as (server, port):
        client = s_client(port, "-CAfile", str(ca), "-keylogfile", str(theirs))
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout
    expected = sorted(line for line in theirs.read_text().splitlines() if line and not line.startswith("#"))
    assert sorted(ours.read_text().splitlines()) == expected
    assert len(expected) == 5


def test_curl_gets_the_page_over_alpn_http_1_1(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    with synack_server("--ca-out", str(ca), "--cert", "ecdsa") as (server, port):
        command = [tool("curl"), "-sS", "--max-time", "15", "--cacert", str(ca), f"https://localhost:{port}/",
                   "--resolve", f"localhost:{port}:127.0.0.1"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=WAIT)
        assert server.finish() == 0, server.output
    assert result.returncode == 0, result.stderr
    assert "<h1>Hello from synack</h1>" in result.stdout
    assert "· ALPN http/1.1" in server.output
    assert "SNI): localhost" in result.stdout


def test_client_authentication_with_s_client_cert_and_key(tmp_path: Path) -> None:
    ca, student = tmp_path / "ca.pem", tmp_path / "student.pem"
    with synack_server("--client-auth", "--ca-out", str(ca), "--client-cert-out", str(student)) as (server, port):
        client = s_client(port, "-CAfile", str(ca), "-cert", str(student), "-key", str(student))
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout
    assert "<h1>Hello from synack</h1>" in client.stdout
    out = server.output
    assert "client authentication: required" in out
    assert "→ CertificateRequest " in out
    assert re.search(r"^← Certificate [12] certs?   \[client_handshake_traffic_secret\]$", out, re.MULTILINE)
    assert "← CertificateVerify ecdsa_secp256r1_sha256   [client_handshake_traffic_secret]" in out
    assert "peer CN=student" in out


def test_a_client_without_a_certificate_is_refused_with_certificate_required(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    with synack_server("--client-auth", "require", "--ca-out", str(ca)) as (server, port):
        client = s_client(port, "-CAfile", str(ca))
        assert server.finish() == 1, server.output
    assert "← Certificate (empty)   [client_handshake_traffic_secret]" in server.output
    assert "✗ we sent alert certificate_required: the client sent no certificate" in server.output
    assert "certificate required" in client.stderr + client.stdout
    no_traceback(server.output)


def test_a_client_that_never_speaks_is_dropped_at_the_timeout() -> None:
    with synack_server("--timeout", "0.5") as (server, port):
        with socket.create_connection(("127.0.0.1", port)):
            start = time.monotonic()
            code = server.finish()
            assert elapsed(start) < 5
    assert code == 1
    assert "✗ no ClientHello from the client within 0.5 s (--timeout); giving up" in server.output
    no_traceback(server.output)


def test_a_client_that_hangs_up_mid_handshake_is_one_line() -> None:
    with synack_server() as (server, port):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(bytes.fromhex("160301020001") + bytes(10))
        assert server.finish() == 1
    assert (
        "✗ the client closed the connection during the handshake, while we waited for its ClientHello"
        in server.output
    )
    no_traceback(server.output)


def test_a_client_speaking_plain_http_gets_an_alert_not_a_hang() -> None:
    with synack_server("--timeout", "5") as (server, port):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(REQUEST.encode())
            sock.settimeout(WAIT)
            answer = sock.recv(100)
        assert server.finish() == 1
    assert answer[:1] == b"\x15"  # an alert record
    assert "✗ we sent alert" in server.output
    no_traceback(server.output)


def test_serve_refuses_an_address_that_is_not_loopback() -> None:
    result = synack("serve", "--host", "0.0.0.0", "--once")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "synack serve: 0.0.0.0 is not a loopback address: synack's live endpoints talk over loopback only "
        "(127.0.0.0/8, ::1, localhost)"
    )


def test_serve_on_a_port_in_use_says_so() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = synack("serve", "--port", str(port), "--once")
    assert result.returncode == 2
    assert result.stderr.startswith(f"synack serve: cannot listen on 127.0.0.1:{port}: ")
    no_traceback(result.stderr)


# --- TLS 1.2 ---------------------------------------------------------------------------------

KEY_STEPS12 = ("🔑 pre_master_secret = ", "🔑 master_secret = ", "🔑 key_block = ", "🔑 client_write_key = ",
               "🔑 server_write_key = ", "🔑 client_write_iv = ", "🔑 server_write_iv = ")


def in_order(text: str, starts: tuple[str, ...]) -> bool:
    """Each of `starts` begins a line of `text`, in this order."""
    lines = iter(text.splitlines())
    return all(any(line.startswith(start) for line in lines) for start in starts)


@pytest.mark.parametrize(("kind", "cipher", "suite", "exchange"), [
    ("ecdsa", None, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "→ ServerKeyExchange ECDHE x25519, signed ecdsa_secp256r1_sha256   [plaintext]"),
    ("rsa", None, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     "→ ServerKeyExchange ECDHE x25519, signed rsa_pss_rsae_sha256   [plaintext]"),
    ("rsa", "DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
     "→ ServerKeyExchange DHE 2048-bit p, signed rsa_pss_rsae_sha256   [plaintext]"),
    ("rsa", "AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
     "← ClientKeyExchange RSA, 256-byte encrypted pre-master secret   [plaintext]"),
])
def test_openssl_s_client_tls1_2_completes_a_handshake_and_gets_the_page(
    tmp_path: Path, kind: str, cipher: str | None, suite: str, exchange: str
) -> None:
    ca, ours, theirs = tmp_path / "ca.pem", tmp_path / "synack.keys", tmp_path / "openssl.keys"
    with synack_server("--cert", kind, "--ca-out", str(ca), "--keylog", str(ours)) as (server, port):
        client = s_client(port, "-CAfile", str(ca), "-keylogfile", str(theirs),
                          *(["-cipher", cipher] if cipher else []), version="-tls1_2")
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout, client.stdout + client.stderr
    assert "    Protocol  : TLSv1.2" in client.stdout
    assert "<h1>Hello from synack</h1>" in client.stdout
    assert f"<li>protocol and keys: TLS 1.2 · {suite}" in client.stdout
    out = server.output
    no_traceback(out, client.stderr)
    assert "synack serve · TLS 1.3 and 1.2 · seed " in out
    for line in (
        f"→ ServerHello TLS 1.2 {suite}   [plaintext]",
        exchange,
        "→ ServerHelloDone   [plaintext]",
        "← ChangeCipherSpec   [plaintext]",
        "   [client_write_key]",
        '= PRF(pre_master_secret, "extended master secret", session_hash)[0..47]',
        f"✓ handshake complete: TLS 1.2 · {suite}",
        "  HTTP/1.1 200 OK",
        "→ Alert close_notify (warning)   [server_write_key]",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    assert ("→ ServerKeyExchange" in out) == (not suite.startswith("TLS_RSA_"))  # RSA key exchange: none
    assert in_order(out, ("← ClientKeyExchange ", *KEY_STEPS12, "← ChangeCipherSpec", "← Finished ",
                          "→ ChangeCipherSpec", "→ Finished ", "✓ handshake complete")), out
    # The master secret is what both key logs hold; s_client adds an RSA line of its own
    # (the pre-master secret it encrypted) for RSA key exchange.
    expected = sorted(line for line in theirs.read_text().splitlines() if line.startswith("CLIENT_RANDOM "))
    assert sorted(ours.read_text().splitlines()) == expected
    assert len(expected) == 1


def test_the_tls_1_2_key_log_equals_the_one_openssl_writes(tmp_path: Path) -> None:
    ca, ours, theirs = tmp_path / "ca.pem", tmp_path / "synack.keys", tmp_path / "openssl.keys"
    with synack_server("--tls-version", "1.2", "--ca-out", str(ca), "--keylog", str(ours)) as (server, port):
        client = s_client(port, "-CAfile", str(ca), "-keylogfile", str(theirs), version="-tls1_2")
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout
    expected = [line for line in theirs.read_text().splitlines() if line and not line.startswith("#")]
    assert ours.read_text().splitlines() == expected
    assert len(expected) == 1 and expected[0].startswith("CLIENT_RANDOM ")
    master = next(line for line in server.output.splitlines() if line.startswith("🔑 master_secret = "))
    assert expected[0].split()[2].startswith(master.split(" = ")[1].rstrip("…"))


def test_tls_1_2_with_client_authentication(tmp_path: Path) -> None:
    ca, student = tmp_path / "ca.pem", tmp_path / "student.pem"
    with synack_server("--tls-version", "1.2", "--client-auth", "--ca-out", str(ca),
                       "--client-cert-out", str(student)) as (server, port):
        client = s_client(port, "-CAfile", str(ca), "-cert", str(student), "-key", str(student), version="-tls1_2")
        assert server.finish() == 0, server.output
    assert "Verify return code: 0 (ok)" in client.stdout
    assert "<h1>Hello from synack</h1>" in client.stdout
    out = server.output
    assert in_order(out, ("→ CertificateRequest ", "→ ServerHelloDone", "← Certificate ", "← ClientKeyExchange ",
                          "← CertificateVerify ecdsa_secp256r1_sha256   [plaintext]", "← ChangeCipherSpec")), out
    assert "peer CN=student" in out


@pytest.mark.parametrize(("served", "offered", "reason"), [
    ("1.2", "-tls1_3", "the client's supported_versions lists no version this server speaks"),
    ("1.3", "-tls1_2", "the client does not offer TLS 1.3, the only version this server speaks"),
])
def test_a_client_of_another_version_is_refused_with_protocol_version(served: str, offered: str, reason: str) -> None:
    with synack_server("--tls-version", served) as (server, port):
        command = [tool("openssl"), "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", offered]
        client = subprocess.run(command, input="", capture_output=True, text=True, timeout=WAIT)
        assert server.finish() == 1, server.output
    assert f"synack serve · TLS {served} only · seed " in server.output
    assert f"  try: openssl s_client -connect 127.0.0.1:{port} -servername localhost -tls1_{served[-1]}" in server.output
    assert "→ Alert protocol_version (fatal)   [plaintext]" in server.output
    assert f"✗ we sent alert protocol_version: {reason}" in server.output
    assert "alert protocol version" in client.stderr
    no_traceback(server.output)


def test_tls_1_2_needs_a_certificate_it_has_suites_for() -> None:
    result = synack("serve", "--tls-version", "1.2", "--cert", "ed25519", "--once")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "synack serve: --tls-version 1.2 needs --cert ecdsa or rsa: synack's TLS 1.2 suites are "
        "ECDHE_ECDSA (ecdsa) and ECDHE_RSA, DHE_RSA, RSA (rsa)"
    )
    assert result.stdout == ""
