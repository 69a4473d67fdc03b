"""The `synack` command: the game, and the level tools for instructors.

Start-up matters (it is benchmarked against a bare Textual app), so each command imports
what it needs when it runs, not before.
"""

from __future__ import annotations

import argparse
import importlib
import json
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
    commands = parser.add_subparsers(dest="command")

    play = commands.add_parser("play", help="play one level")
    play.add_argument("level", help="a built-in level id or a path to a level file")
    play.add_argument("--seed", type=int, dest="play_seed", help="reproduce a game byte for byte")

    levels = commands.add_parser("levels", help="list and check levels")
    level_commands = levels.add_subparsers(dest="levels_command", required=True)
    listing = level_commands.add_parser("list", help="list the built-in levels")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    validate = level_commands.add_parser("validate", help="check level files; exit 1 on any problem")
    validate.add_argument("paths", nargs="+", type=Path)

    for module in _command_modules():
        module.add_commands(commands)
    return parser


# Modules that add their own subcommands: each has `add_commands(subparsers)` (argparse
# only, so start-up stays cheap), `COMMANDS` (the names it adds) and `run(args) -> int`
# (which imports the engine when the command runs). One line here per module.
COMMAND_MODULES = (
    "engine.net.commands",
    "engine.export.commands",
    "engine.quiz.commands",
)


def _command_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "levels":
            return _levels(args)
        for module in _command_modules():
            if args.command in module.COMMANDS:
                return int(module.run(args))
        seed = getattr(args, "play_seed", None) or args.seed
        return _run_app(seed=seed, level=getattr(args, "level", None))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `synack levels list | head`: the reader left early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run_app(*, seed: int | None, level: str | None) -> int:
    if level is not None:
        from engine.levels import LevelError, load_level

        try:
            load_level(level)
        except LevelError as error:
            print("\n".join(error.problems), file=sys.stderr)
            return 1
    from tui.app import SynackApp

    SynackApp(seed=seed, level=level).run()
    return 0


def _levels(args: argparse.Namespace) -> int:
    if args.levels_command == "list":
        return _list_levels(as_json=args.json)
    return _validate(args.paths)


def _list_levels(*, as_json: bool) -> int:
    from engine.levels import load_builtin

    catalog = load_builtin()
    if as_json:
        rows = [
            {
                "id": level.id,
                "title": level.title,
                "chapter": level.chapter,
                "order": level.order,
                "role": level.role.value,
                "protocol": level.protocol,
                "moves": level.moves,
            }
            for level in catalog.levels
        ]
        print(json.dumps(rows, indent=2))
    else:
        for level in catalog.levels:
            print(f"{level.id:30} {level.chapter:21} {level.protocol:10} {level.role.value:7} {level.title}")
    for problem in catalog.problems:
        print(problem, file=sys.stderr)
    return 1 if catalog.problems else 0


def _validate(paths: list[Path]) -> int:
    from engine.levels import LevelError, load_file
    from engine.levels.check import check_playable

    files = [file for path in paths for file in (sorted(path.glob("*.toml")) if path.is_dir() else [path])]
    problems: list[str] = []
    for file in files:
        try:
            level = load_file(file)
        except LevelError as error:
            problems.extend(error.problems)
            continue
        problems.extend(check_playable(level, str(file)))
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(files)} level file(s): no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
