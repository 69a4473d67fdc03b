"""`synack play FILE --watch`: the level reloads whenever its file changes.

An author keeps the game open beside the editor. Every half second the file's bytes are
compared with the last ones seen; on a change the level is loaded again and the screen it
showed (the game, or the list of problems) is replaced: a good file starts afresh, a
broken one shows its problems, one per line as `synack levels validate` prints them,
until the next save fixes it. Nothing the file holds can crash the app.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from engine.levels import Level
    from tui.app import SynackApp

POLL_SECONDS = 0.5


def load_watched(path: Path) -> Level | list[str]:
    """The level in `path`, or its problems as lines (never an exception)."""
    from engine.levels import LevelError, load_file

    try:
        return load_file(path)
    except LevelError as error:
        return error.problems
    except Exception as error:  # a loader bug must not end an author's session
        return [f"{path}: cannot load the level: {type(error).__name__}: {error}"]


class LevelProblemsScreen(Screen[None]):
    """A watched level file that does not load: its problems, until the next save."""

    HELP_TITLE = "level problems"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "app.pop_screen", "back", tooltip="back to the level list"),
    ]
    DEFAULT_CSS = """
    LevelProblemsScreen #problems-title { padding: 0 1; text-style: bold; }
    LevelProblemsScreen #problems { border: round $error; padding: 0 1; height: 1fr; }
    LevelProblemsScreen #problems-hint { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__()
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        yield Static(f" synack · {self.path} does not load", id="problems-title", markup=False)
        with VerticalScroll(id="problems"):
            yield Static("\n".join(f"✗ {line}" for line in self.problems), markup=False)
        yield Static("Watching the file: save it again and the level reloads.", id="problems-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#problems").border_title = f"{len(self.problems)} problem(s)"


class LevelWatch:
    """Polls one level file and keeps the app showing its latest version."""

    def __init__(self, app: SynackApp, path: Path) -> None:
        self.app = app
        self.path = path
        self._seen: bytes | None = None
        self._screen: Screen[None] | None = None

    def start(self) -> None:
        self._seen = self._fingerprint()
        self._show(load_watched(self.path), first=True)
        self.app.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        screen = self._screen
        if screen is not None and screen in self.app.screen_stack and not screen.is_mounted:
            # Still being built: closed now, it would be mounted empty. The change, if
            # any, is seen at the next poll.
            return
        fingerprint = self._fingerprint()
        if fingerprint == self._seen:
            return
        self._seen = fingerprint
        self._show(load_watched(self.path), first=False)

    def _fingerprint(self) -> bytes | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).digest()
        except OSError:
            return None  # gone mid-save: the next poll sees the new file

    def _show(self, result: Level | list[str], *, first: bool) -> None:
        self._close_previous()
        if isinstance(result, list):
            screen: Screen[None] = LevelProblemsScreen(self.path, result)
            self.app.push_screen(screen)
            self._screen = screen
            return
        self.app.start_level(result)
        top = self.app.screen_stack[-1]
        self._screen = top if getattr(top, "level", None) is result else None
        if not first:
            self.app.notify(f"Reloaded {self.path}", timeout=3)

    def _close_previous(self) -> None:
        """Pop the screen shown last and any above it (a summary, the help)."""
        stack = self.app.screen_stack
        if self._screen is None or self._screen not in stack:
            return
        for _ in range(len(stack) - stack.index(self._screen)):
            self.app.pop_screen()
