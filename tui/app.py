"""The synack Textual app: main menu → level list → play → summary.

Start-up imports only Textual, the menu and the progress store; engine.levels is imported
when the level list first needs the catalogue and the referee when a level starts, so the
app starts about as fast as a bare Textual app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from tui.campaign import Campaign
from tui.campaign import campaign as campaign_of
from tui.progress import LevelRecord, Progress, ProgressStore
from tui.progress import data_dir as data_dir_for
from tui.screens.menu import MainMenu

if TYPE_CHECKING:
    from engine.levels import Level
    from engine.levels.pack import Pack
    from engine.referee import Score
    from tui.screens._nav import LevelCatalog


@dataclass
class _NoCatalog:
    """Stands in for the catalogue when the built-in levels could not be loaded at all."""

    levels: list[Level] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class SynackApp(App[None]):
    """The game."""

    CSS_PATH = "app.tcss"
    TITLE = "synack"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "help", key_display="?",
                tooltip="every key of this screen"),
        Binding("t", "toggle_theme", "theme",
                tooltip="switch between the dark and the light theme (remembered)"),
    ]
    DARK_THEME = "textual-dark"
    LIGHT_THEME = "textual-light"

    def __init__(
        self,
        *,
        seed: int | None = None,
        level: str | None = None,
        data_dir: Path | None = None,
        clock: Callable[[], float] | None = None,
        packs: Sequence[Path] = (),
        watch: bool = False,
    ) -> None:
        """
        Args:
            seed: seeds every level played, for a reproducible game (None: a random seed).
            level: a level id or a path to a level file: open straight into it.
            data_dir: where progress is kept (default: $SYNACK_DATA_DIR, else the user's
                data directory).
            clock: the referee's clock (seconds); tests pass a frozen one.
            packs: folders of level files (level packs) to list besides the user's own.
            watch: with `level` a file, reload it whenever it changes (tui.watch).
        """
        super().__init__()
        self.seed = seed
        self.clock = clock
        self._start_level_ref = level
        self.store = ProgressStore(data_dir_for(data_dir))
        self._pack_dirs = list(packs)
        self._packs: tuple[list[Pack], list[str]] | None = None
        self._watch = watch
        self._progress: Progress | None = None
        self._load_notice: str | None = None
        self._catalog: LevelCatalog | None = None

    def get_default_screen(self) -> Screen[None]:
        return MainMenu()

    def on_mount(self) -> None:
        saved_theme = self.progress.settings.theme
        if saved_theme in self.available_themes:
            self.theme = saved_theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self._load_notice:
            self.notify(self._load_notice, title="Progress", severity="warning", timeout=20)
        if self._start_level_ref is not None:
            self._open_start_level(self._start_level_ref)

    def watch_app_focus(self, focus: bool) -> None:
        """When the app regains focus with nothing focused, give the screen the focus it
        would have had. In a browser (`synack web`) Textual's driver reports "blurred" as the
        app starts, and a screen shown while blurred gets no automatic focus; the browser's
        later "focused" restores only a widget that had focus before, so the main menu would
        ignore enter and the arrows until clicked."""
        screen = self.screen
        if not focus or screen.focused is not None:
            return
        selector = screen.AUTO_FOCUS if screen.AUTO_FOCUS is not None else self.AUTO_FOCUS
        if not selector:
            return
        first = next((widget for widget in screen.query(selector) if widget.focusable), None)
        if first is not None:
            screen.set_focus(first, scroll_visible=False)

    # --- progress -----------------------------------------------------------------------

    @property
    def progress(self) -> Progress:
        if self._progress is None:
            loaded = self.store.load()
            self._progress, self._load_notice = loaded.progress, loaded.notice
        return self._progress

    def save_progress(self) -> None:
        """Write the progress file (atomically); a failure is told, never raised."""
        try:
            self.store.save(self.progress)
        except OSError as error:
            self.notify(
                f"Could not save your progress to {self.store.path}: {error.strerror}",
                title="Progress",
                severity="error",
                timeout=20,
            )

    # --- themes and help ----------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        """Dark ↔ light. Any theme change (this key or the command palette) is saved."""
        self.theme = self.LIGHT_THEME if self.current_theme.dark else self.DARK_THEME

    def _remember_theme(self, theme: Theme) -> None:
        if self.progress.settings.theme != theme.name:
            self.progress.settings.theme = theme.name
            self.save_progress()

    def action_help(self) -> None:
        """The help for the screen on top: its keys, generated from the bindings."""
        from tui.screens.help import HelpScreen, help_sections

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        legend = getattr(screen, "HELP_LEGEND", ())
        title = getattr(screen, "HELP_TITLE", "")
        self.push_screen(HelpScreen(help_sections(screen), legend,
                                    title=f"help: {title}" if title else "help"))

    def record_result(self, level: Level, score: Score) -> tuple[LevelRecord, bool]:
        """Count a finished level and save; returns the best run and whether this is it."""
        before = self.progress.get(level.id)
        best = self.progress.record(
            level.id,
            stars=score.stars,
            points=score.points,
            mistakes=score.mistakes,
            hints=score.hints_used,
            seconds=score.seconds,
        )
        self.save_progress()
        new_best = before is None or best.points > before.points or (
            best.points == before.points and best.seconds < before.seconds
        )
        return best, new_best

    # --- levels -------------------------------------------------------------------------

    def catalog(self) -> LevelCatalog:
        if self._catalog is None:
            try:
                from engine.levels import load_builtin

                self._catalog = load_builtin()
            except Exception as error:  # never a traceback: show it in the level list
                self._catalog = _NoCatalog(problems=[f"built-in levels: {error}"])
        return self._catalog

    def level_position(self, level: Level) -> tuple[int, int] | None:
        levels = self.catalog().levels
        for number, known in enumerate(levels, 1):
            if known.id == level.id:
                return number, len(levels)
        return None

    def packs(self) -> tuple[list[Pack], list[str]]:
        """Level packs (--pack folders, then the user's levels directory) and the problems
        of folders that are not packs at all; each pack keeps its own broken files."""
        if self._packs is None:
            try:
                from engine.levels.pack import load_packs

                taken = [level.id for level in self.catalog().levels]
                user_dir = self.store.path.parent / "levels"
                self._packs = load_packs(self._pack_dirs, user_dir=user_dir, taken=taken)
            except Exception as error:  # never a traceback: say it in the level list
                self._packs = ([], [f"level packs: {error}"])
        return self._packs

    @property
    def catalog_loaded(self) -> bool:
        """True once the catalogue is in memory (the menu waits for it after start-up)."""
        return self._catalog is not None

    def campaign(self) -> Campaign:
        """The campaign as far as the player's progress goes (chapters, stars, next)."""
        return campaign_of(self.catalog().levels, self.progress)

    def suggested_level(self) -> Level | None:
        """The first level in play order not finished yet; None when every one is done."""
        next_id = self.campaign().next_id
        return next((level for level in self.catalog().levels if level.id == next_id), None)

    def following_level(self, level: Level) -> Level | None:
        """The level after `level` in play order (None after the last, or for a custom one)."""
        position = self.level_position(level)
        if position is None or position[0] >= position[1]:
            return None
        return self.catalog().levels[position[0]]

    # --- navigation ---------------------------------------------------------------------

    def open_level_list(self) -> None:
        from tui.screens.levels import LevelListScreen

        self.push_screen(LevelListScreen())

    def start_level(self, level: Level) -> None:
        from tui.screens.play import PlayScreen

        try:
            screen = PlayScreen(level, seed=self.seed, clock=self.clock)
        except Exception as error:  # a level the referee cannot run: say so, stay here
            self.notify(f"Cannot start {level.id}: {error}", severity="error", timeout=20)
            return
        self.push_screen(screen)

    def _open_start_level(self, ref: str) -> None:
        from engine.levels import LevelError, load_level

        self.open_level_list()
        if self._watch and Path(ref).is_file():
            from tui.watch import LevelWatch

            LevelWatch(self, Path(ref)).start()
            return
        try:
            level = load_level(ref)
        except LevelError as error:
            self.notify("\n".join(error.problems), title=f"Cannot load {ref}",
                        severity="error", timeout=30)
            return
        except Exception as error:
            self.notify(str(error), title=f"Cannot load {ref}", severity="error", timeout=30)
            return
        self.start_level(level)
