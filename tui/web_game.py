"""The game as a browser tab runs it: `python -m tui.web_game [--seed N] [--pack DIR]...`:
synack's own app (whose `watch_app_focus` settles the focus the browser's start leaves
unset)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from tui.app import SynackApp


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="synack web game", description="one browser tab's game")
    parser.add_argument("--seed", type=int, help="reproduce a game byte for byte")
    parser.add_argument("--pack", action="append", type=Path, default=[], metavar="DIR",
                        help="also list the levels of this folder (a level pack); repeatable")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    SynackApp(seed=args.seed, packs=args.pack).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
