"""The `live` subcommand of `synack`: play against the real Linux kernel.

`tui/cli.py` hooks it in with `add_commands(subparsers)` and runs it with `run(args)`.
Only argparse is imported here; the engine and the app load when the command runs.
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("live",)

DESCRIPTION = """\
Play against the real Linux TCP stack. synack makes a private network namespace (as root,
or as an ordinary user where unprivileged user namespaces are allowed), puts a TUN device
in it with 192.0.2.1/24 (documentation addresses; nothing can leave the namespace) and
plays your endpoint at 192.0.2.2. Every segment from the other side is the kernel's own,
with its real options, and beside the ladder you see the kernel side's socket calls.
The namespace and the device go when synack ends, however it ends."""

TLS_DESCRIPTION = """

live tls: once TCP is open, you play the TLS client message by message against Python's
ssl module (a real OpenSSL server) wrapping the kernel's accepted socket; your TCP then
carries the records by itself. The server's certificate comes from a demo CA made from
the seed, which your client trusts."""

EPILOG = """\
examples:
  synack live tcp                    you connect; Linux listens on port 7 with an echo service
  synack live tcp --role server      a program on Linux calls connect() to you on port 8080
  synack live tcp --closed           you connect to a port where nothing listens (port 9)
  sudo synack live tcp --port 2000
  synack live tls                    TCP, then TLS 1.3 against OpenSSL on port 443
  synack live tls --tls-version 1.2  the classic TLS 1.2 handshake instead

exit status: 0 played, 2 live mode is not available on this system (the line says why)"""


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    live = commands.add_parser("live", help="play against the real Linux kernel (TUN + network namespace)",
                               description=DESCRIPTION, epilog=EPILOG,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = live.add_subparsers(dest="live_command", required=True)
    tcp = kinds.add_parser("tcp", help="the TCP handshake, data and close against Linux",
                           description=DESCRIPTION, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    tcp.add_argument("--role", choices=("client", "server"), default="client",
                     help="your side: client (Linux listens) or server (Linux connects); default client")
    tcp.add_argument("--port", type=_port, help="the port (default: 7 as client, 8080 as server, 9 with --closed)")
    tcp.add_argument("--closed", action="store_true",
                     help="as client: nothing listens on the port, and the kernel answers with RST")
    tcp.add_argument("--seed", type=int, dest="live_seed", metavar="N", help="your ISN and the game's draws from N")
    tls = kinds.add_parser("tls", help="TCP with Linux, then TLS as the client against OpenSSL on its socket",
                           description=DESCRIPTION + TLS_DESCRIPTION, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    tls.add_argument("--port", type=_port, help="the port OpenSSL's socket listens on (default: 443)")
    tls.add_argument("--tls-version", choices=("1.2", "1.3"), metavar="{1.2,1.3}",
                     help="OpenSSL and your client speak only this version (default: you offer both, "
                          "OpenSSL picks 1.3)")
    tls.add_argument("--seed", type=int, dest="live_seed", metavar="N",
                     help="your ISN, randoms and key shares, and the demo CA, from N")


def run(args: argparse.Namespace) -> int:
    from engine.live.errors import LiveUnavailable
    from engine.live.namespace import open_namespace
    from engine.live.referee import LiveOptions
    from engine.side import Side

    tls = args.live_command == "tls"
    if not tls and args.closed and args.role == "server":
        print("synack live tcp: --closed is for the client role (you knock, Linux refuses)", file=sys.stderr)
        return 2
    try:
        open_namespace(0).close()  # fail here, in words, before the app takes the terminal
    except LiveUnavailable as error:
        print(f"synack live: not available here: {error}", file=sys.stderr)
        return 2
    seed = args.live_seed if args.live_seed is not None else (getattr(args, "seed", None) or 1)
    if tls:
        options = LiveOptions(port=args.port, seed=seed, tls=True, tls_version=args.tls_version)
    else:
        options = LiveOptions(role=Side(args.role), port=args.port, closed_port=args.closed, seed=seed)
    from tui.screens.live import LiveApp

    LiveApp(options).run()
    return 0
