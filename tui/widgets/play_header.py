"""The play screen's top line: where you are (protocol, level, role) and how you are doing."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def stars_text(stars: int) -> str:
    """★★☆ for 2 of 3: filled and empty stars, readable without colour."""
    stars = max(0, min(stars, 3))
    return "★" * stars + "☆" * (3 - stars)


def protocol_title(protocol: str) -> str:
    """The protocol as a player reads it: tls13 → TLS 1.3, tcp+tls12 → TCP+TLS 1.2."""
    return protocol.upper().replace("TLS13", "TLS 1.3").replace("TLS12", "TLS 1.2")


def clock_text(seconds: float) -> str:
    whole = int(max(seconds, 0))
    return f"{whole // 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True, slots=True)
class HeaderInfo:
    protocol: str  # "TCP"
    position: str  # "level 1/5" or "custom level"
    title: str
    role: str  # "CLIENT"
    points: int = 0
    mistakes: int = 0
    hints: int = 0
    seconds: float = 0.0


class PlayHeader(Widget):
    """One line: the level on the left, the running score on the right."""

    DEFAULT_CSS = """
    PlayHeader { height: 1; background: $panel; }
    """

    info: reactive[HeaderInfo | None] = reactive(None)

    def render(self) -> Text:
        info = self.info
        if info is None:
            return Text(" synack", style="bold")
        width = self.size.width
        wide = _line(info, width, compact=False)
        return wide if wide is not None else _line(info, width, compact=True) or Text()


def _line(info: HeaderInfo, width: int, *, compact: bool) -> Text | None:
    """The header at `width`; None if the long form would have to cut the title."""
    if compact:
        head = Text(f" {info.protocol} {info.position} · ")
        tail = Text.assemble(" · ", (info.role, "bold"))
        right = Text(f"{info.points} pts ✗ {info.mistakes} hints {info.hints} "
                     f"{clock_text(info.seconds)} ")
    else:
        head = Text.assemble((" synack ", "bold"), f" {info.protocol} · {info.position} · ")
        tail = Text.assemble(" · you are the ", (info.role, "bold"))
        right = Text(f"{info.points} points  mistakes {info.mistakes}  "
                     f"hints {info.hints}  {clock_text(info.seconds)} ")
    room = width - head.cell_len - tail.cell_len - right.cell_len - 1
    title = Text(info.title, style="bold")
    if title.cell_len > room:
        if not compact:
            return None
        title.truncate(max(room, 4), overflow="ellipsis")
    left = Text.assemble(head, title, tail)
    line = Text.assemble(left, " " * max(width - left.cell_len - right.cell_len, 1), right)
    line.truncate(width)
    return line
