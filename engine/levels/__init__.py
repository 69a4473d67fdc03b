"""Levels: the TOML model, the loader and the built-in pack."""

from engine.levels.loader import (
    Catalog,
    LevelError,
    builtin_dir,
    load_builtin,
    load_directory,
    load_file,
    load_level,
    parse_level,
)
from engine.levels.model import Level, TcpLevel, TlsLevel, TurnSpec

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
]
