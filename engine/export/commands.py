"""The `export` subcommand of `synack`: a level's solution as a capture Wireshark opens.

`tui/cli.py` hooks it in with `add_commands(subparsers)` and runs it with `run(args)`.
Only argparse is imported here; the engine loads when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMANDS = ("export",)

DESCRIPTION = """\
Play a level's solution on the real engine and write the connection as a pcapng capture:
IPv4 + TCP for every packet (the three-way handshake, every TLS record in TCP segments,
the teardown), timestamps on the game's clock. The TLS keys are embedded in the capture
(a Decryption Secrets Block), so Wireshark decrypts it with no settings; --keylog also
writes them as an NSS key log file. A TLS level has no TCP of its own: the capture wraps
its records in a real TCP connection made by synack's TCP engine, and says so in its
comment. In the game, x on the play or summary screen saves your own game so far."""

EPILOG = """\
examples:
  synack export tls13-01-handshake-client --pcap tls13.pcapng
  wireshark tls13.pcapng
  synack export stack-02-tcp-then-tls12 --pcap stack.pcapng --keylog stack.keys --seed 7
  tshark -r stack.pcapng -o tls.keylog_file:stack.keys -Y tls
  synack export wrong-04-bad-finished --pcap alert.pcapng --keylog alert.keys --keylog-only

exit status: 0 written, 1 the level or a file could not be used"""


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "export", help="write a level's solution as a capture for Wireshark (pcapng + TLS keys)",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("level", metavar="LEVEL_ID_OR_PATH", help="a built-in level id or a path to a level file")
    parser.add_argument("--pcap", type=Path, required=True, metavar="FILE", help="the capture to write (pcapng)")
    parser.add_argument("--keylog", type=Path, metavar="FILE",
                        help="also write the TLS keys as an NSS key log (Wireshark: tls.keylog_file)")
    parser.add_argument("--keylog-only", action="store_true",
                        help="keep the keys out of the capture, in the --keylog file only "
                             "(for an exercise: decrypt it yourself)")
    parser.add_argument("--seed", type=int, dest="export_seed", metavar="N",
                        help="the game's seed (default: the level's own): same seed, same bytes")


def run(args: argparse.Namespace) -> int:
    """Write the capture; the exit status. A failure is one line on stderr, never a traceback."""
    if args.keylog_only and args.keylog is None:
        print("synack export: --keylog-only needs --keylog FILE (the keys have to go somewhere)", file=sys.stderr)
        return 1
    seed = args.export_seed if args.export_seed is not None else getattr(args, "seed", None)
    try:
        return _export(args, seed)
    except Exception as error:  # a bug: still one line, never a traceback (ARCHITECTURE.md)
        print(f"synack export: internal error (a bug in synack): {type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _export(args: argparse.Namespace, seed: int | None) -> int:
    from engine.export import ExportError, capture_of, play_solution, write_capture
    from engine.levels import LevelError, load_level
    from engine.referee import ScenarioError

    try:
        level = load_level(args.level)
    except LevelError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 1
    try:
        referee = play_solution(level, seed)
    except ScenarioError as error:
        print(f"synack export: {level.id} cannot be played to the end: {error}", file=sys.stderr)
        return 1
    capture = capture_of(referee, "the level's solution (synack export)")
    try:
        write_capture(capture, args.pcap, args.keylog, embed_keys=not args.keylog_only)
    except ExportError as error:
        print(f"synack export: {error}", file=sys.stderr)
        return 1
    keys = len(capture.keylog)
    where = "none (no TLS in this level)" if not keys else (
        f"{keys} key log line(s) in {args.keylog}" if args.keylog_only
        else f"{keys} key log line(s) embedded" + (f", and in {args.keylog}" if args.keylog else ""))
    print(f"wrote {args.pcap}: {level.id}, seed {referee.seed}, {len(capture.packets)} packets; TLS keys: {where}")
    return 0


__all__ = ["COMMANDS", "add_commands", "run"]
