"""What screens may ask of the app: navigation and progress (a Protocol, to avoid cycles)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from engine.levels import Level
    from engine.levels.pack import Pack
    from engine.referee import Score
    from tui.campaign import Campaign
    from tui.progress import LevelRecord, Progress


class LevelCatalog(Protocol):
    """The built-in levels in play order, and one line per level file that failed to load."""

    levels: list[Level]
    problems: list[str]


class Navigator(Protocol):
    """The part of `SynackApp` that screens use."""

    @property
    def progress(self) -> Progress: ...

    def catalog(self) -> LevelCatalog: ...

    def packs(self) -> tuple[list[Pack], list[str]]: ...

    def open_level_list(self) -> None: ...

    def start_level(self, level: Level) -> None: ...

    @property
    def catalog_loaded(self) -> bool: ...

    def campaign(self) -> Campaign: ...

    def suggested_level(self) -> Level | None: ...

    def following_level(self, level: Level) -> Level | None: ...

    def level_position(self, level: Level) -> tuple[int, int] | None: ...

    def record_result(self, level: Level, score: Score) -> tuple[LevelRecord, bool]: ...
