"""The `synack` command: the game, and the level tools for instructors.

Start-up matters (it is benchmarked against a bare Textual app), so each command imports
what it needs when it runs, not before.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synack",
        description="Be the client or the server: play the TCP handshake on real endpoints.",
    )
    parser.add_argument("--seed", type=int, help="reproduce a game byte for byte")
    parser.add_argument("--pack", action="append", type=Path, default=[], metavar="DIR",
                        help="also list the levels of this folder (a level pack); repeatable")
    commands = parser.add_subparsers(dest="command")

    play = commands.add_parser("play", help="play one level")
    play.add_argument("level", help="a built-in level id or a path to a level file")
    play.add_argument("--seed", type=int, dest="play_seed", help="reproduce a game byte for byte")
    play.add_argument("--watch", action="store_true",
                      help="reload the level file whenever it changes (for authors)")

    for module in _command_modules():
        module.add_commands(commands)
    return parser


# Modules that add their own subcommands: each has `add_commands(subparsers)` (argparse
# only, so start-up stays cheap), `COMMANDS` (the names it adds) and `run(args) -> int`
# (which imports the engine when the command runs). One line here per module.
COMMAND_MODULES = (
    "engine.net.commands",
    "engine.levels.commands",
    "tui.web_commands",
    "engine.export.commands",
    "tui.quiz_command",
    "tui.screens.live_command",
)


def _command_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        for module in _command_modules():
            if args.command in module.COMMANDS:
                return int(module.run(args))
        seed = getattr(args, "play_seed", None) or args.seed
        return _run_app(seed=seed, level=getattr(args, "level", None), packs=args.pack,
                        watch=getattr(args, "watch", False))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `synack levels list | head`: the reader left early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run_app(*, seed: int | None, level: str | None, packs: list[Path], watch: bool) -> int:
    if level is not None and not watch:  # when watching, a broken file is shown in the app
        from engine.levels import LevelError, load_level

        try:
            load_level(level)
        except LevelError as error:
            print("\n".join(error.problems), file=sys.stderr)
            return 1
    from tui.app import SynackApp

    SynackApp(seed=seed, level=level, packs=packs, watch=watch).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
