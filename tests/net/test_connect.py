"""`synack connect` against openssl s_server, against `synack serve`, and against servers
that hang up or never answer: a clear line and an exit status, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.rng import SeededRandom
from engine.tls.certs import CertificateAuthority, Credential, KeyKind
from tests.net.peers import bad_server, elapsed, free_port, no_traceback, openssl_server, synack, synack_server

CA = CertificateAuthority.generate(SeededRandom(11).child("ca"))
OTHER_CA = CertificateAuthority.generate(SeededRandom(12).child("ca"), "another CA")
STUDENT = CA.issue([], "ecdsa", SeededRandom(13).child("student"), client=True)


def server_files(directory: Path, kind: KeyKind) -> list[str]:
    """s_server's -cert/-key for a localhost leaf of `kind` from CA; CA's PEM in ca.pem."""
    credential = CA.issue(["localhost", "127.0.0.1"], kind, SeededRandom(14).child(kind))
    return ["-cert", str(write(directory, "server", credential)[0]), "-key", str(directory / "server.key")]


def write(directory: Path, name: str, credential: Credential) -> tuple[Path, Path]:
    chain, key = credential.to_pem()
    (directory / f"{name}.pem").write_bytes(chain)
    (directory / f"{name}.key").write_bytes(key)
    (directory / "ca.pem").write_bytes(CA.to_pem())
    return directory / f"{name}.pem", directory / f"{name}.key"


@pytest.mark.parametrize(("kind", "suite"), [
    ("ed25519", "TLS_AES_128_GCM_SHA256"),
    ("ecdsa", "TLS_AES_256_GCM_SHA384"),
    ("rsa", "TLS_CHACHA20_POLY1305_SHA256"),
])
def test_connect_to_openssl_s_server_prints_the_handshake_the_parameters_and_the_reply(
    tmp_path: Path, kind: KeyKind, suite: str
) -> None:
    with openssl_server(*server_files(tmp_path, kind), "-ciphersuites", suite) as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"), "--timeout", "5")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"  cipher suite     {suite}" in out
    assert "  version          TLS 1.3" in out
    assert f"  server           CN=localhost, verified for localhost against {tmp_path / 'ca.pem'}" in out
    assert "→ ClientHello 3 suites, x25519 share, SNI localhost   [plaintext]" in out
    assert f"← ServerHello TLS 1.3 {suite}, x25519 share   [plaintext]" in out
    assert "← Certificate 1 cert   [server_handshake_traffic_secret]" in out
    assert "→ Finished " in out
    assert "  GET / HTTP/1.0" in out
    assert "  client_application_traffic_secret_0   " in out
    assert "HTTP/1.0 200 ok" in out
    assert "s_server -www" in out or "s_server" in out
    assert "→ Alert close_notify (warning)   [client_application_traffic_secret_0]" in out
    assert result.stderr == ""


def test_connect_after_a_hello_retry_request(tmp_path: Path) -> None:
    with openssl_server(*server_files(tmp_path, "ecdsa"), "-groups", "P-256") as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "← HelloRetryRequest TLS_AES_128_GCM_SHA256, secp256r1 wanted   [plaintext]" in result.stdout
    assert "  key exchange     secp256r1 (after a HelloRetryRequest)" in result.stdout


def test_connect_with_a_client_certificate_when_s_server_asks(tmp_path: Path) -> None:
    files = server_files(tmp_path, "ecdsa")
    cert, key = write(tmp_path, "student", STUDENT)
    with openssl_server(*files, "-Verify", "1", "-CAfile", str(tmp_path / "ca.pem")) as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"),
                        "--client-cert", str(cert), "--client-key", str(key))
        server.finish()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  our certificate  asked for; sent" in result.stdout
    assert "→ CertificateVerify ecdsa_secp256r1_sha256   [client_handshake_traffic_secret]" in result.stdout
    assert "depth=0 CN = student\nverify return:1" in server.output


def test_a_server_that_requires_a_certificate_we_lack_ends_with_its_alert(tmp_path: Path) -> None:
    files = server_files(tmp_path, "ecdsa")
    with openssl_server(*files, "-Verify", "1", "-CAfile", str(tmp_path / "ca.pem")) as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"))
    assert result.returncode == 1
    assert "  our certificate  asked for; we had none (empty Certificate)" in result.stdout
    assert "✗ the server sent alert certificate_required: it ends the connection" in result.stdout
    assert result.stderr == "synack connect: connection failed: the server sent alert certificate_required\n"


def test_connect_to_synack_serve_with_client_authentication(tmp_path: Path) -> None:
    ca, student, keys = tmp_path / "ca.pem", tmp_path / "student.pem", tmp_path / "keys.log"
    with synack_server("--client-auth", "--ca-out", str(ca), "--client-cert-out", str(student),
                       "--cert", "rsa") as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(ca), "--client-cert", str(student),
                        "--keylog", str(keys))
        assert server.finish() == 0, server.output
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<h1>Hello from synack</h1>" in result.stdout
    assert "  ALPN             http/1.1" in result.stdout
    assert "peer CN=student" in server.output
    assert len(keys.read_text().splitlines()) == 5


def test_a_certificate_for_another_name_fails_with_bad_certificate(tmp_path: Path) -> None:
    with openssl_server(*server_files(tmp_path, "ed25519")) as (server, port):
        result = synack("connect", f"127.0.0.1:{port}", "--servername", "wrong.example",
                        "--ca", str(tmp_path / "ca.pem"))
    assert result.returncode == 1
    assert result.stderr == (
        "synack connect: handshake failed: we sent alert bad_certificate: certificate is for localhost, "
        "127.0.0.1, not wrong.example (RFC 6125 §6.4, RFC 8446 §4.4.2.2)\n"
    )
    assert "→ Alert bad_certificate (fatal)" in result.stdout
    no_traceback(result.stdout)


def test_a_server_from_an_untrusted_ca_fails_with_unknown_ca(tmp_path: Path) -> None:
    files = server_files(tmp_path, "ecdsa")
    (tmp_path / "other.pem").write_bytes(OTHER_CA.to_pem())
    with openssl_server(*files) as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "other.pem"))
    assert result.returncode == 1
    assert result.stderr.startswith("synack connect: handshake failed: we sent alert unknown_ca: ")
    assert result.stderr.count("\n") == 1
    no_traceback(result.stdout, result.stderr)


def test_insecure_connects_but_warns_loudly(tmp_path: Path) -> None:
    with openssl_server(*server_files(tmp_path, "ed25519")) as (server, port):
        result = synack("connect", f"127.0.0.1:{port}", "--insecure")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "⚠ WARNING: --insecure: the server's certificate is NOT checked" in result.stderr
    assert "SNI (none)" in result.stdout
    assert "  server           CN=localhost, NOT verified (--insecure)" in result.stdout


def test_a_server_that_hangs_up_mid_handshake() -> None:
    with bad_server("close") as port:
        start = time.monotonic()
        result = synack("connect", f"localhost:{port}", "--insecure", "--timeout", "5")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "synack connect: the server closed the connection during the handshake, while we waited for its ServerHello"
    )
    assert elapsed(start) < 10
    no_traceback(result.stdout, result.stderr)


def test_a_server_that_never_answers_times_out() -> None:
    with bad_server("silent") as port:
        start = time.monotonic()
        result = synack("connect", f"localhost:{port}", "--insecure", "--timeout", "500ms")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "synack connect: no ServerHello from the server within 0.5 s (--timeout); giving up"
    )
    assert elapsed(start) < 10
    no_traceback(result.stdout, result.stderr)


def test_nobody_listening_is_a_connection_error() -> None:
    port = free_port()
    result = synack("connect", f"127.0.0.1:{port}", "--servername", "localhost", "--insecure")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"synack connect: cannot connect: 127.0.0.1:{port}: connection refused (is a server listening there?)"
    )


@pytest.mark.parametrize(("args", "message"), [
    (["localhost:4433"], "synack connect: error: one of the arguments --ca --insecure is required"),
    (["127.0.0.1:4433", "--ca", "ca.pem"],
     "synack connect: 127.0.0.1 is an address, not a name: give --servername NAME, the name to ask for (SNI) "
     "and to check in the server's certificate"),
    (["192.0.2.1:443", "--insecure"],
     "synack connect: 192.0.2.1 is not a loopback address: synack's live endpoints talk over loopback only "
     "(127.0.0.0/8, ::1, localhost)"),
    (["localhost", "--insecure"], "synack connect: 'localhost': expected HOST:PORT, e.g. localhost:4433 or [::1]:4433"),
    (["localhost:4433", "--ca", "/no/such/ca.pem"],
     "synack connect: cannot read the CA file /no/such/ca.pem: No such file or directory"),
    (["localhost:4433", "--insecure", "--servername", "127.0.0.1"],
     "synack connect: --servername takes a host name, not an address like 127.0.0.1 (RFC 6066 §3)"),
    (["localhost:4433", "--insecure", "--timeout", "soon"],
     "synack connect: error: argument --timeout: 'soon' is not a duration (e.g. 10s, 2.5, 500ms)"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = synack("connect", *args)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""
