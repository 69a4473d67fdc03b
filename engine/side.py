"""The two sides of every connection."""

from __future__ import annotations

import enum


class Side(enum.Enum):
    CLIENT = "client"
    SERVER = "server"

    @property
    def other(self) -> Side:
        return Side.SERVER if self is Side.CLIENT else Side.CLIENT

    @property
    def title(self) -> str:
        return self.value.upper()
