"""The `serve` and `connect` subcommands of `synack`: their options and their help.

`tui/cli.py` hooks them in with `add_commands(subparsers)` and runs them with `run(args)`.
Only argparse is imported here; the engine loads when a command runs, so the game's
start-up does not pay for the TLS stack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = ("serve", "connect")
CERT_KINDS = ("ed25519", "ecdsa", "rsa")
TLS_VERSIONS = ("1.2", "1.3")
EXIT_CODES = "exit status: 0 ok, 1 the handshake or the exchange failed, 2 bad usage or no TCP connection"

SERVE_DESCRIPTION = """\
Run synack's own TLS server (the engine's sans-I/O endpoint) on a loopback TCP port. It
speaks TLS 1.3 and TLS 1.2 (the highest the client offers; --tls-version for just one),
answers an HTTP GET with a small page and prints every handshake message and every secret
of the key schedule as it happens: for TLS 1.2 the pre-master secret, the master secret,
the key block and the write keys cut from it. The certificate comes from a demo CA made
from the seed: write the CA with --ca-out so that clients can check the server."""

SERVE_EPILOG = f"""\
examples:
  synack serve --port 4433 --ca-out ca.pem
  openssl s_client -connect 127.0.0.1:4433 -CAfile ca.pem -servername localhost -tls1_3
  curl --cacert ca.pem https://localhost:4433/ --resolve localhost:4433:127.0.0.1
  openssl s_client -connect 127.0.0.1:4433 -CAfile ca.pem -servername localhost -tls1_2

  synack serve --tls-version 1.2 --cert rsa --ca-out ca.pem
  openssl s_client -connect 127.0.0.1:4433 -CAfile ca.pem -cipher AES128-GCM-SHA256

  synack serve --client-auth --ca-out ca.pem --client-cert-out student.pem
  openssl s_client -connect 127.0.0.1:4433 -CAfile ca.pem -cert student.pem -key student.pem

{EXIT_CODES} (with --once: of that one connection)"""

CONNECT_DESCRIPTION = """\
Connect synack's own TLS client (the engine's sans-I/O endpoint) to a server on a
loopback address: like `openssl s_client`, explained. It offers TLS 1.3 and TLS 1.2 (the
server picks; --tls-version for just one). Prints each handshake message and secret as it
happens, what was negotiated and the keys that protect the data, then sends an HTTP GET,
prints the reply and closes with close_notify."""

CONNECT_EPILOG = f"""\
examples:
  synack connect localhost:4433 --ca ca.pem
  synack connect 127.0.0.1:4433 --servername localhost --ca ca.pem --keylog keys.log
  openssl s_server -accept 127.0.0.1:4433 -cert server.pem -key server.key -www -tls1_3
  synack connect localhost:4433 --ca ca.pem --tls-version 1.2

{EXIT_CODES}"""


def seconds(text: str) -> float:
    """'10', '10s', '2.5s' or '500ms' → seconds (more than 0, at most an hour)."""
    number, scale = (text[:-2], 0.001) if text.endswith("ms") else (text.removesuffix("s"), 1.0)
    try:
        value = float(number) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (e.g. 10s, 2.5, 500ms)") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: the timeout must be more than 0 and at most 3600 s")
    return value


def port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    _add_serve(commands)
    _add_connect(commands)


def _parser(commands: argparse._SubParsersAction, name: str, summary: str, description: str,  # type: ignore[type-arg]
            epilog: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _add_serve(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = _parser(commands, "serve", "run the engine's TLS server on a loopback port",
                    SERVE_DESCRIPTION, SERVE_EPILOG)
    serve.add_argument("--port", type=port, default=4433,
                       help="TCP port to listen on; 0 picks a free one, printed as 'listening on' (default: 4433)")
    serve.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                       help="loopback address to listen on: 127.0.0.1, ::1 or localhost (default: 127.0.0.1)")
    serve.add_argument("--cert", choices=CERT_KINDS, default="ecdsa",
                       help="the server certificate's key: ECDSA P-256, RSA-2048 or Ed25519 (default: ecdsa); "
                            "TLS 1.2 clients need ecdsa (ECDHE_ECDSA suites) or rsa (ECDHE_RSA, DHE_RSA, RSA)")
    serve.add_argument("--client-auth", nargs="?", const="require", default="none", choices=("request", "require"),
                       help="send a CertificateRequest; 'require' (the default when given) refuses a client "
                            "without a certificate, 'request' lets it in")
    serve.add_argument("--ca-out", type=Path, metavar="FILE",
                       help="write the demo CA certificate (PEM) here, for clients to trust (-CAfile, --cacert)")
    serve.add_argument("--client-cert-out", type=Path, metavar="FILE",
                       help="write a client certificate and its key (one PEM file) from the same CA, "
                            "for --client-auth")
    serve.add_argument("--once", action="store_true",
                       help="serve one connection, then exit: 0 if its handshake completed, 1 if not")
    _add_common(serve)


def _add_connect(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    connect = _parser(commands, "connect", "run the engine's TLS client against a loopback server",
                      CONNECT_DESCRIPTION, CONNECT_EPILOG)
    connect.add_argument("target", metavar="HOST:PORT", help="the server: localhost:4433, 127.0.0.1:4433, [::1]:4433")
    connect.add_argument("--servername", metavar="NAME",
                         help="the name to ask for (SNI) and to check in the certificate (default: HOST, "
                              "if it is a name)")
    trust = connect.add_mutually_exclusive_group(required=True)
    trust.add_argument("--ca", type=Path, metavar="FILE",
                       help="trust the CA certificate(s) in this PEM file (e.g. from synack serve --ca-out)")
    trust.add_argument("--insecure", action="store_true",
                       help="do not check the server's certificate at all (loudly warned against)")
    connect.add_argument("--client-cert", type=Path, metavar="FILE",
                         help="a client certificate chain (PEM), sent if the server asks for one")
    connect.add_argument("--client-key", type=Path, metavar="FILE",
                         help="its private key (PEM; default: the --client-cert file)")
    connect.add_argument("--path", default="/", help="the path to GET (default: /)")
    _add_common(connect)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls-version", choices=TLS_VERSIONS, metavar="{1.2,1.3}",
                        help="speak only this TLS version (default: both, and the highest the peer "
                             "also speaks wins)")
    parser.add_argument("--seed", type=int, dest="net_seed", metavar="N",
                        help="draw every random (keys, randoms, certificates) from N; printed when not given")
    parser.add_argument("--timeout", type=seconds, default=10.0, metavar="SECONDS",
                        help="give up on a silent peer after this long, per phase: 10s, 2.5, 500ms (default: 10s)")
    parser.add_argument("--keylog", type=Path, metavar="FILE",
                        help="append the traffic secrets in NSS key log format (Wireshark reads it)")
    parser.add_argument("--full-secrets", action="store_true",
                        help="print every secret in full hex, not its first 4 bytes")


def run(args: argparse.Namespace) -> int:
    """Run `serve` or `connect` from parsed arguments; the exit status. No traceback ever
    reaches the user: a failure is one line on stderr."""
    seed = args.net_seed if args.net_seed is not None else getattr(args, "seed", None)
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "§" gets "?", not an error
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        if args.command == "serve":
            from engine.net.serve import ServeOptions, serve

            return serve(ServeOptions(
                host=args.host, port=args.port, cert=args.cert, tls_version=args.tls_version,
                client_auth=args.client_auth, seed=seed,
                once=args.once, timeout=args.timeout, keylog=args.keylog, ca_out=args.ca_out,
                client_cert_out=args.client_cert_out, full_secrets=args.full_secrets,
            ))
        from engine.net.connect import ConnectOptions, connect

        return connect(ConnectOptions(
            target=args.target, servername=args.servername, ca=args.ca, insecure=args.insecure,
            client_cert=args.client_cert, client_key=args.client_key, path=args.path,
            tls_version=args.tls_version, seed=seed,
            timeout=args.timeout, keylog=args.keylog, full_secrets=args.full_secrets,
        ))
    except BrokenPipeError:
        return 1
    except Exception as error:  # a bug: still one line, never a traceback (ARCHITECTURE.md)
        print(f"synack {args.command}: internal error (a bug in synack): {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1


__all__ = ["COMMANDS", "add_commands", "port", "run", "seconds"]
