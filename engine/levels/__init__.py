"""Levels: the TOML model, the loader and the built-in pack.

The generic TOML machinery (reading, key-path → line, located problems) is in
`engine.levels.source`, for any file an instructor writes (quiz banks use it too); packs
are in `engine.levels.pack`, the `synack levels` commands in `engine.levels.commands`.
The names below load on first use (`engine.lazy`): parsing `synack`'s command line imports
engine.levels.commands, and so this package, and must not pay for pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_names

if TYPE_CHECKING:
    from engine.levels.loader import (
        Catalog,
        LevelError,
        builtin_dir,
        load_builtin,
        load_directory,
        load_file,
        load_level,
        parse_level,
        read_level,
    )
    from engine.levels.model import Level, TcpLevel, TlsLevel, TurnSpec
    from engine.levels.source import Problem, SourceError, TomlDocument, parse_document, read_document

_HOMES = {
    **dict.fromkeys(("Catalog", "LevelError", "builtin_dir", "load_builtin", "load_directory", "load_file",
                     "load_level", "parse_level", "read_level"), "loader"),
    **dict.fromkeys(("Level", "TcpLevel", "TlsLevel", "TurnSpec"), "model"),
    **dict.fromkeys(("Problem", "SourceError", "TomlDocument", "parse_document", "read_document"), "source"),
}
__getattr__ = lazy_names(__name__, _HOMES)
__all__ = sorted(_HOMES)
