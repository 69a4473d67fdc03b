"""Levels: the TOML model, the loader and the built-in pack.

The generic TOML machinery (reading, key-path → line, located problems) is in
`engine.levels.source`, for any file an instructor writes (quiz banks use it too); packs
are in `engine.levels.pack`, the `synack levels` commands in `engine.levels.commands`.
"""

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

__all__ = [
    "Catalog",
    "Level",
    "TcpLevel",
    "TlsLevel",
    "LevelError",
    "TurnSpec",
    "builtin_dir",
    "load_builtin",
    "load_directory",
    "load_file",
    "load_level",
    "parse_level",
    "read_level",
    "Problem",
    "SourceError",
    "TomlDocument",
    "parse_document",
    "read_document",
]
