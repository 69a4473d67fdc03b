"""Writing a capture to disk: the pcapng file and, if asked, the NSS key log beside it.

Each file is written whole to a temporary name in the same folder, then renamed, so a
failure never leaves a half-written capture behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from engine.errors import SynackError
from engine.export.capture import Capture

__all__ = ["ExportError", "free_name", "save_game_files", "write_capture"]


PCAPNG = ".pcapng"
KEYLOG = ".keys.log"


class ExportError(SynackError):
    """A capture could not be written: says which file and why."""


def write_capture(capture: Capture, pcap: Path, keylog: Path | None = None, *, embed_keys: bool = True) -> None:
    if keylog is not None and keylog.resolve() == pcap.resolve():
        raise ExportError(f"the key log and the capture would both be {pcap}: give them different names")
    _write_whole(pcap, capture.to_pcapng(embed_keys=embed_keys))
    if keylog is not None:
        _write_whole(keylog, capture.keylog_text().encode("ascii"))


def free_name(directory: Path, stem: str, suffixes: tuple[str, ...] = (".pcapng",)) -> str:
    """`stem`, or `stem-2`, `stem-3`... the first for which no `directory/name+suffix` exists."""
    number = 1
    name = stem
    while any((directory / f"{name}{suffix}").exists() for suffix in suffixes):
        number += 1
        name = f"{stem}-{number}"
    return name


def _write_whole(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder; give a file name")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {error.strerror}") from None


def save_game_files(capture: Capture, stem: str, directories: list[Path]) -> tuple[Path, Path | None]:
    """Save under the first of `directories` that takes the files (made if missing):
    `stem.pcapng` and, if the game has TLS keys, the key log `stem.keys.log`; numbered if
    taken. Returns both paths (None: no keys); raises ExportError naming every folder tried."""
    problems = []
    for directory in directories:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            name = free_name(directory, stem, (PCAPNG, KEYLOG))
            pcap = directory / f"{name}{PCAPNG}"
            keylog = directory / f"{name}{KEYLOG}" if capture.keylog else None
            write_capture(capture, pcap, keylog)
            return pcap, keylog
        except (ExportError, OSError) as error:
            problems.append(str(error) if isinstance(error, ExportError) else f"{directory}: {error.strerror}")
    raise ExportError("could not save the capture: " + "; ".join(problems))
