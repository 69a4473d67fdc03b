"""Level packs: a folder of level files an instructor shares, with an optional pack.toml.

    my-course/
      pack.toml              title, author, order (all optional)
      handshake.toml         a level (any *.toml but pack.toml and *.quiz.toml)
      week1.quiz.toml        a quiz bank: not a level; listed in `Pack.bank_files`

A broken file does not sink the pack: it is kept as a `BrokenFile` with its problems, and
every other level loads. Level ids must be unique across the built-in levels and every
pack (progress is kept by id); a clash is a problem of the later file.

Packs come from `synack --pack DIR` and from the user's levels directory (`levels/` in
synack's data directory, which the app passes in): each folder in it is a pack, and level
files lying directly in it form one more pack, "Your levels".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Iterable

from pydantic import Field

from engine.levels.loader import LevelError, read_level
from engine.levels.model import Level, Strict
from engine.levels.source import Problem, SourceError, TomlDocument, did_you_mean, read_document, validate

PACK_FILE = "pack.toml"
BANK_SUFFIX = ".quiz.toml"
LOOSE_PACK_TITLE = "Your levels"


class PackInfo(Strict):
    """pack.toml: how the pack presents itself."""

    title: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        default=None, description="The pack's name in the level list; omitted: the folder's name."
    )
    author: Annotated[str, Field(max_length=80)] = Field(default="", description="Who wrote it.")
    description: str = Field(default="", description="One or two sentences about the pack.")
    order: list[str] = Field(
        default=[], description="Level ids in play order; levels not named follow, by chapter, order and id."
    )


@dataclass(frozen=True, slots=True)
class BrokenFile:
    """A file of the pack that did not load, and why."""

    path: Path
    problems: list[str]


@dataclass
class Pack:
    """The levels of one pack in play order, the files that failed, and its quiz banks."""

    directory: Path
    title: str
    author: str = ""
    description: str = ""
    levels: list[Level] = field(default_factory=list)
    broken: list[BrokenFile] = field(default_factory=list)
    bank_files: list[Path] = field(default_factory=list)
    documents: dict[str, TomlDocument] = field(default_factory=dict, repr=False)  # by level id

    @property
    def problems(self) -> list[str]:
        return [line for broken in self.broken for line in broken.problems]


def is_level_file(path: Path) -> bool:
    return path.suffix == ".toml" and path.name != PACK_FILE and not path.name.endswith(BANK_SUFFIX)


def read_pack_info(directory: Path) -> PackInfo:
    """pack.toml, or the defaults when there is none; `SourceError` when it is broken."""
    path = directory / PACK_FILE
    if not path.exists():
        return PackInfo()
    return validate(PackInfo, read_document(path, what="a pack description"))


def load_pack(directory: Path, *, taken: Iterable[str] = (), files: Iterable[Path] | None = None) -> Pack:
    """Load every level of a pack; `taken` are ids already used (built-in, other packs)."""
    pack = Pack(directory, directory.name)
    info = PackInfo()
    try:
        info = read_pack_info(directory)
    except SourceError as error:
        pack.broken.append(BrokenFile(directory / PACK_FILE, error.problems))
    pack.title, pack.author, pack.description = info.title or directory.name, info.author, info.description
    used = set(taken)
    paths = sorted(directory.glob("*.toml")) if files is None else sorted(files)
    for path in paths:
        if path.name.endswith(BANK_SUFFIX):
            pack.bank_files.append(path)
        elif is_level_file(path):
            _add_level(pack, path, used)
    pack.levels.sort(key=_pack_order(info.order))
    _check_order(pack, info, directory)
    return pack


def _add_level(pack: Pack, path: Path, used: set[str]) -> None:
    try:
        level, document = read_level(path)
    except LevelError as error:
        pack.broken.append(BrokenFile(path, error.problems))
        return
    if level.id in used:
        problem = document.problem(("id",), f"expected an id no other level uses, found {level.id!r} (already taken)")
        pack.broken.append(BrokenFile(path, [str(problem)]))
        return
    used.add(level.id)
    pack.levels.append(level)
    pack.documents[level.id] = document


def _pack_order(order: list[str]):  # type: ignore[no-untyped-def]
    rank = {level_id: index for index, level_id in enumerate(order)}

    def key(level: Level) -> tuple[int, str, int, str]:
        return (rank.get(level.id, len(rank)), level.chapter, level.order, level.id)

    return key


def _check_order(pack: Pack, info: PackInfo, directory: Path) -> None:
    """An id in `order` that no level of the pack has is a problem of pack.toml."""
    ids = {level.id for level in pack.levels} | {b.path.stem for b in pack.broken}  # a broken file's id is unknown
    missing = [(index, level_id) for index, level_id in enumerate(info.order) if level_id not in ids]
    if not missing:
        return
    document = read_document(directory / PACK_FILE, what="a pack description")
    known = sorted(level.id for level in pack.levels)
    pack.broken.append(BrokenFile(directory / PACK_FILE, [
        str(document.problem(("order", index), f"expected the id of a level in this pack, found {level_id!r}"
                                               f"{did_you_mean(level_id, known)}"))
        for index, level_id in missing
    ]))


def load_packs(directories: Iterable[Path], *, user_dir: Path | None, taken: Iterable[str] = ()) -> tuple[list[Pack], list[str]]:
    """Packs from `--pack` folders, then from the user's levels directory (if it exists).

    Returns the packs and the problems that stop a folder from being a pack at all."""
    packs: list[Pack] = []
    problems: list[str] = []
    used = set(taken)
    sources = [Path(d) for d in directories]  # --pack folders first
    if user_dir is not None and user_dir.is_dir():
        sources += sorted(d for d in user_dir.iterdir() if d.is_dir())
    for directory in sources:
        if not directory.is_dir():
            problems.append(str(Problem(str(directory), "expected a folder of level files, found no such folder")))
            continue
        pack = load_pack(directory, taken=used)
        used |= {level.id for level in pack.levels}
        packs.append(pack)
    if user_dir is not None and user_dir.is_dir():
        loose = [path for path in user_dir.glob("*.toml")]
        if loose:
            pack = load_pack(user_dir, taken=used, files=loose)
            if pack.title == user_dir.name:
                pack.title = LOOSE_PACK_TITLE
            packs.append(pack)
    return packs, problems
