"""The campaign at a glance: per-chapter progress, the totals, and the level to play next.

Pure data worked out from the catalogue (levels in play order) and the player's progress;
no Textual, no engine import at run time (a level is anything with an `id` and a
`chapter`), so the menu, the level list and the summary all read the same numbers.

The suggested next level is the first level, in play order, that the player has not
finished yet; None once every level is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tui.progress import Progress

MAX_STARS = 3


class CampaignLevel(Protocol):
    """What the campaign needs of a level (engine.levels.Level has both)."""

    @property
    def id(self) -> str: ...

    @property
    def chapter(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ChapterProgress:
    """One chapter: its levels in play order, how many are done and the stars won."""

    name: str
    level_ids: tuple[str, ...]
    done: int
    stars: int

    @property
    def total(self) -> int:
        return len(self.level_ids)

    @property
    def max_stars(self) -> int:
        return MAX_STARS * self.total

    @property
    def complete(self) -> bool:
        return self.done == self.total

    def words(self) -> str:
        """E.g. "✓ complete · 7 of 7 done · 19 of 21 ★" or "2 of 7 done · 5 of 21 ★"."""
        counts = f"{self.done} of {self.total} done · {self.stars} of {self.max_stars} ★"
        return f"✓ complete · {counts}" if self.complete else counts


@dataclass(frozen=True, slots=True)
class Campaign:
    """Every chapter's progress, in play order, and the suggested next level."""

    chapters: tuple[ChapterProgress, ...]
    next_id: str | None

    @property
    def total(self) -> int:
        return sum(chapter.total for chapter in self.chapters)

    @property
    def done(self) -> int:
        return sum(chapter.done for chapter in self.chapters)

    @property
    def stars(self) -> int:
        return sum(chapter.stars for chapter in self.chapters)

    @property
    def max_stars(self) -> int:
        return sum(chapter.max_stars for chapter in self.chapters)

    @property
    def chapters_complete(self) -> int:
        return sum(chapter.complete for chapter in self.chapters)

    @property
    def complete(self) -> bool:
        return self.next_id is None

    def overview(self) -> str:
        """One line for the main menu, in words: levels, stars and chapters."""
        chapters = len(self.chapters)
        return (
            f"{self.done} of {self.total} levels done · {self.stars} of {self.max_stars} ★ · "
            f"{self.chapters_complete} of {chapters} chapter{'s' if chapters != 1 else ''} "
            "complete"
        )

    def chapter_of(self, level_id: str) -> ChapterProgress | None:
        return next((c for c in self.chapters if level_id in c.level_ids), None)


def campaign(levels: Sequence[CampaignLevel], progress: Progress) -> Campaign:
    """The campaign for `levels` (in play order) as far as `progress` goes.

    Progress for levels not in the catalogue (custom files, removed levels) is ignored.
    """
    names: list[str] = []
    members: dict[str, list[str]] = {}
    next_id: str | None = None
    for level in levels:
        chapter = str(level.chapter)
        if chapter not in members:
            names.append(chapter)
            members[chapter] = []
        members[chapter].append(level.id)
        if next_id is None and progress.get(level.id) is None:
            next_id = level.id
    chapters = []
    for name in names:
        records = [progress.get(level_id) for level_id in members[name]]
        chapters.append(
            ChapterProgress(
                name=name,
                level_ids=tuple(members[name]),
                done=sum(record is not None for record in records),
                stars=sum(record.stars for record in records if record is not None),
            )
        )
    return Campaign(tuple(chapters), next_id)


def stars_words(stars: int) -> str:
    """The stars in words, beside the ★★☆ marks: "3 stars", "1 star", "no stars"."""
    if stars <= 0:
        return "no stars"
    return f"{stars} star{'s' if stars != 1 else ''}"
