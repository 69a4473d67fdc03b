"""The `web` subcommand of `synack`: its options and its help.

`tui/cli.py` hooks it in with `add_commands(subparsers)` and runs it with `run(args)`. Only
argparse is imported here; the web server (textual-serve, aiohttp) loads when the command
runs, so the game's start-up does not pay for it.
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("web",)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

DESCRIPTION = """\
Serve the whole game (menu, levels, quiz) to web browsers. Each browser tab gets a game of
its own, run by this installation of synack; progress and quiz results are kept in the same
data directory as when playing in a terminal. The server listens on this machine only
(loopback) unless --host says otherwise."""

EPILOG = """\
examples:
  synack web                       then open http://127.0.0.1:8000 in a browser
  synack web --port 8080 --seed 7  every tab plays the same game, byte for byte
  synack web --host 0.0.0.0        a classroom: other machines may connect (warned)
  synack --pack week3 web          every tab lists the levels of the pack in week3/ too"""


def port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    web = commands.add_parser(
        "web", help="play in a web browser", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    web.add_argument("--host", default=DEFAULT_HOST, metavar="ADDRESS",
                     help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; "
                          "another address is warned about)")
    web.add_argument("--port", type=port, default=DEFAULT_PORT,
                     help=f"TCP port to listen on (default: {DEFAULT_PORT})")
    web.add_argument("--seed", type=int, dest="web_seed", metavar="N",
                     help="seed every game, for the same game in every tab")


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C; the exit status. A failure is one line on stderr."""
    seed = args.web_seed if args.web_seed is not None else getattr(args, "seed", None)
    try:
        from tui.web import serve

        return serve(host=args.host, port=args.port, seed=seed, packs=getattr(args, "pack", []))
    except Exception as error:  # a bug: still one line, never a traceback (ARCHITECTURE.md)
        print(f"synack web: internal error (a bug in synack): {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1


__all__ = ["COMMANDS", "add_commands", "port", "run"]
