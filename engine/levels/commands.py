"""The `levels` subcommand of `synack`: list, validate, new and schema.

`tui/cli.py` hooks it in with `add_commands(subparsers)` and runs it with `run(args)`.
Only argparse is imported here; the engine loads when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

COMMANDS = ("levels",)
PROTOCOLS = ("tcp", "tls12", "tls13")

VALIDATE_EPILOG = """\
Each problem is one line: FILE:LINE: key.path: expected ..., found ...
A folder is checked file by file (a pack: its pack.toml too; *.quiz.toml files are quiz
banks, not levels). Every level that loads is then played once on the real engine, and the
turns it names are compared with the moves the real endpoint makes.
exit status: 0 no problems, 1 any problem"""


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    levels = commands.add_parser(
        "levels", help="list, check and write levels",
        description="Tools for level authors. The level format, every key and worked examples: docs/authoring.md.",
    )
    level_commands = levels.add_subparsers(dest="levels_command", required=True)
    listing = level_commands.add_parser("list", help="list the built-in levels")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    validate = level_commands.add_parser(
        "validate", help="check level files; exit 1 on any problem", epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("paths", nargs="+", type=Path, help="level files or folders (packs)")
    new = level_commands.add_parser("new", help="write a commented starter level that validates and plays")
    new.add_argument("id", help="the level's id, e.g. my-first-level (also the file name)")
    new.add_argument("--protocol", choices=PROTOCOLS, default="tcp", help="default: tcp")
    new.add_argument("--role", choices=("client", "server"), default="client", help="default: client")
    new.add_argument("--dir", type=Path, default=Path("."), help="where to write it (default: here)")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    level_commands.add_parser("schema", help="print the level format as a JSON Schema (for editors)")


def run(args: argparse.Namespace) -> int:
    if args.levels_command == "list":
        return _list_levels(as_json=args.json)
    if args.levels_command == "new":
        return _new(args.id, args.protocol, args.role, args.dir, force=args.force)
    if args.levels_command == "schema":
        from engine.levels.schema import schema_text

        sys.stdout.write(schema_text())
        return 0
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
    from engine.levels.validate import validate_paths

    problems, checked = validate_paths(paths)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{checked} level file(s): no problems")
    return 1 if problems else 0


def _new(level_id: str, protocol: str, role: str, directory: Path, *, force: bool) -> int:
    import re

    from engine.levels.model import LEVEL_ID_PATTERN
    from engine.levels.schema import schema_text
    from engine.levels.starter import SCHEMA_FILE, starter_level

    if not re.match(LEVEL_ID_PATTERN, level_id) or len(level_id) > 64:
        print(f"{level_id}: expected an id of lowercase letters, digits and dashes (at most 64), "
              f"e.g. my-first-level", file=sys.stderr)
        return 2
    target = directory / f"{level_id}.toml"
    if target.exists() and not force:
        print(f"{target}: expected a new file, found one already there (--force to overwrite)", file=sys.stderr)
        return 1
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(starter_level(level_id, protocol, role))  # type: ignore[arg-type]
        schema = directory / SCHEMA_FILE
        schema.write_text(schema_text())
    except OSError as error:
        print(f"{target}: cannot write it: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"wrote {target} (and {schema}, for editors); next: synack levels validate {target}")
    return 0
