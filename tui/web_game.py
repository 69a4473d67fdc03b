"""The game as a browser tab runs it: `python -m tui.web_game [--seed N] [--pack DIR]...`.

It is synack's own app, with one repair for the browser. Textual's web driver tells the app
"blurred" as it starts, and a screen shown while the app is blurred gets no automatic focus;
the browser's later "focused" restores only a widget that had focus before. So the first
screen (the main menu) would come up with nothing focused, and enter and the arrows would do
nothing until the player clicked a widget. Here, when the app regains focus with nothing
focused, the screen gets the focus it would have had.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from tui.app import SynackApp


class BrowserGame(SynackApp):
    """SynackApp that settles focus when the browser gives it focus."""

    def watch_app_focus(self, focus: bool) -> None:
        screen = self.screen
        if not focus or screen.focused is not None:
            return
        selector = screen.AUTO_FOCUS if screen.AUTO_FOCUS is not None else self.AUTO_FOCUS
        if not selector:
            return
        first = next((widget for widget in screen.query(selector) if widget.focusable), None)
        if first is not None:
            screen.set_focus(first, scroll_visible=False)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="synack web game", description="one browser tab's game")
    parser.add_argument("--seed", type=int, help="reproduce a game byte for byte")
    parser.add_argument("--pack", action="append", type=Path, default=[], metavar="DIR",
                        help="also list the levels of this folder (a level pack); repeatable")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    BrowserGame(seed=args.seed, packs=args.pack).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
