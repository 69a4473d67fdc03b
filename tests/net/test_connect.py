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
    assert "→ ClientHello 13 suites, x25519 share, SNI localhost   [plaintext]" in out  # 3 for TLS 1.3, 10 for 1.2
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


# --- TLS 1.2 ---------------------------------------------------------------------------------

KEY_STEPS12 = ("🔑 pre_master_secret = ", "🔑 master_secret = ", "🔑 key_block = ", "🔑 client_write_key = ",
               "🔑 server_write_key = ", "🔑 client_write_iv = ", "🔑 server_write_iv = ")


def in_order(text: str, starts: tuple[str, ...]) -> bool:
    """Each of `starts` begins a line of `text`, in this order."""
    lines = iter(text.splitlines())
    return all(any(line.startswith(start) for line in lines) for start in starts)


def client_randoms(path: Path) -> list[str]:
    return sorted(line for line in path.read_text().splitlines() if line.startswith("CLIENT_RANDOM "))


@pytest.mark.parametrize(("cipher", "suite", "exchange"), [
    ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE_RSA, x25519"),
    ("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE_RSA, x25519"),
    ("DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE_RSA, 2048-bit p"),
    ("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
     "RSA: the pre-master secret went encrypted to the server's RSA key (no forward secrecy)"),
])
def test_connect_tls_1_2_to_openssl_s_server(tmp_path: Path, cipher: str, suite: str, exchange: str) -> None:
    ours, theirs = tmp_path / "synack.keys", tmp_path / "openssl.keys"
    files = server_files(tmp_path, "rsa")
    with openssl_server(*files, "-cipher", cipher, "-keylogfile", str(theirs), version="-tls1_2") as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"), "--tls-version", "1.2",
                        "--keylog", str(ours), "--timeout", "5")
        server.finish()
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert result.stderr == ""
    for line in (
        "→ ClientHello 10 suites, SNI localhost   [plaintext]",  # TLS 1.2 only: no key share, no 1.3 suites
        f"← ServerHello TLS 1.2 {suite}   [plaintext]",
        "← Certificate 1 cert   [plaintext]",
        "← ServerHelloDone   [plaintext]",
        "→ ChangeCipherSpec   [plaintext]",
        f"✓ handshake complete: TLS 1.2 · {suite}",
        "  version          TLS 1.2",
        f"  cipher suite     {suite}",
        f"  key exchange     {exchange}",
        "  master secret    extended (RFC 7627: bound to the handshake)",
        "keys protecting the application data (RFC 5246 §6.3: cut from the key block)",
        "  client_write_key                      ",
        "  server_write_iv                       ",
        "  GET / HTTP/1.0",
        "HTTP/1.0 200 ok",
        "→ Alert close_notify (warning)   [client_write_key]",
    ):
        assert line in out, f"{line!r} missing from:\n{out}"
    assert in_order(out, ("→ ClientKeyExchange ", *KEY_STEPS12, "→ ChangeCipherSpec", "→ Finished ",
                          "🔑 client_verify_data = ", "← ChangeCipherSpec", "← Finished ",
                          "🔑 server_verify_data = ", "✓ handshake complete")), out
    assert [line for line in out.splitlines() if line.startswith("→ Finished ")][0].endswith("   [client_write_key]")
    assert ("← ServerKeyExchange " in out) == (not suite.startswith("TLS_RSA_"))
    # The same master secret in both key logs; our client, like s_client, also logs the
    # RSA-encrypted pre-master secret it sent (s_server does not).
    assert client_randoms(ours) == client_randoms(theirs) and len(client_randoms(ours)) == 1
    rsa = [line for line in ours.read_text().splitlines() if line.startswith("RSA ")]
    assert len(rsa) == (1 if suite.startswith("TLS_RSA_") else 0)
    if rsa:
        pre_master = next(line for line in out.splitlines() if line.startswith("🔑 pre_master_secret = "))
        assert rsa[0].split()[2].startswith(pre_master.split(" = ")[1].rstrip("…"))


def test_connect_by_default_settles_for_tls_1_2_with_a_tls_1_2_server(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "synack.keys", tmp_path / "openssl.keys"
    with openssl_server(*server_files(tmp_path, "ecdsa"), "-keylogfile", str(theirs), version="-tls1_2") as (server,
                                                                                                             port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"), "--keylog", str(ours))
        server.finish()
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "→ ClientHello 13 suites, x25519 share, SNI localhost   [plaintext]" in out  # offers 1.3 and 1.2
    assert "← ServerHello TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256   [plaintext]" in out
    assert "← ServerKeyExchange ECDHE x25519, signed ecdsa_secp256r1_sha256   [plaintext]" in out
    assert "  version          TLS 1.2" in out
    assert "  key exchange     ECDHE_ECDSA, x25519" in out
    assert "HTTP/1.0 200 ok" in out
    assert client_randoms(ours) == client_randoms(theirs) and len(client_randoms(ours)) == 1
    assert ours.read_text().splitlines() == client_randoms(ours)  # no TLS 1.3 lines: none were derived


def test_connect_tls_1_3_only_to_a_tls_1_2_server_gets_protocol_version(tmp_path: Path) -> None:
    with openssl_server(*server_files(tmp_path, "ecdsa"), version="-tls1_2") as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"), "--tls-version", "1.3")
    assert result.returncode == 1
    assert "→ ClientHello 3 suites, x25519 share, SNI localhost   [plaintext]" in result.stdout
    assert result.stderr == "synack connect: handshake failed: the server sent alert protocol_version\n"


@pytest.mark.parametrize(("client", "server_version", "server_hello"), [
    (["--tls-version", "1.2"], [], "TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),  # a 1.3 server settles
    ([], ["--tls-version", "1.2"], "TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),  # a 1.3 client settles
    ([], [], "TLS 1.3 TLS_AES_128_GCM_SHA256, x25519 share"),  # both speak both: the highest
])
def test_connect_to_synack_serve_negotiates_the_highest_version_both_speak(
    tmp_path: Path, client: list[str], server_version: list[str], server_hello: str
) -> None:
    ca, server_keys, client_keys = tmp_path / "ca.pem", tmp_path / "server.keys", tmp_path / "client.keys"
    with synack_server("--ca-out", str(ca), "--keylog", str(server_keys), *server_version) as (server, port):
        result = synack("connect", f"localhost:{port}", "--ca", str(ca), "--keylog", str(client_keys), *client)
        assert server.finish() == 0, server.output
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"← ServerHello {server_hello}   [plaintext]" in result.stdout
    assert f"→ ServerHello {server_hello}   [plaintext]" in server.output
    assert "<h1>Hello from synack</h1>" in result.stdout
    assert sorted(client_keys.read_text().splitlines()) == sorted(server_keys.read_text().splitlines())
    assert len(client_keys.read_text().splitlines()) == (5 if server_hello.startswith("TLS 1.3") else 1)


def test_connect_tls_1_2_with_a_client_certificate_when_s_server_asks(tmp_path: Path) -> None:
    files = server_files(tmp_path, "rsa")
    cert, key = write(tmp_path, "student", STUDENT)
    with openssl_server(*files, "-Verify", "1", "-CAfile", str(tmp_path / "ca.pem"), version="-tls1_2") as (server,
                                                                                                          port):
        result = synack("connect", f"localhost:{port}", "--ca", str(tmp_path / "ca.pem"), "--tls-version", "1.2",
                        "--client-cert", str(cert), "--client-key", str(key))
        server.finish()
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "  our certificate  asked for; sent" in out
    assert in_order(out, ("← CertificateRequest ", "← ServerHelloDone", "→ Certificate ",
                          "→ ClientKeyExchange ", "→ CertificateVerify ecdsa_secp256r1_sha256   [plaintext]",
                          "→ ChangeCipherSpec", "→ Finished ")), out
    assert "depth=0 CN = student\nverify return:1" in server.output
