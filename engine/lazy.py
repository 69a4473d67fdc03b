"""Package names that load on first use (PEP 562).

`synack` builds its command line from command modules that live inside engine packages;
importing one imports its package first. A package whose names come from `lazy_names`
costs nothing until a name is used, so the game's start-up does not pay for pydantic, the
TLS stack or the referee.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: name → the submodule (relative to `package`)
    that defines it."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return __getattr__
