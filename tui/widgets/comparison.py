"""Two handshakes side by side, as counted from their real messages (engine.referee.compare).

A plain table: one row per question the Compare chapter asks (round trips, messages, what
was encrypted, what proves the server, where the secret came from), one column per run.
The words around the numbers are fixed; every number and name comes from the runs.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from engine.referee.compare import Figures


def comparison_table(figures: tuple[Figures, Figures]) -> Table:
    table = Table(box=None, expand=True, show_edge=False, padding=(0, 1), title_justify="left",
                  title=Text("Side by side, counted from the two runs", style="bold"))
    table.add_column("", style="bold", ratio=2, overflow="fold")
    for run in figures:
        table.add_column(run.name, ratio=4, overflow="fold")
    rows = [
        ("round trips", [_round_trips(run) for run in figures]),
        ("messages", [f"{len(run.messages)} before the first data" for run in figures]),
        ("🔒 encrypted", [_names(run.encrypted, len(run.messages)) for run in figures]),
        ("in the clear", [_names(run.in_clear, len(run.messages)) for run in figures]),
        ("proves the server", [_names(run.identity) if run.identity else "nothing" for run in figures]),
        ("key exchange", [run.key_exchange for run in figures]),
        ("server chose", [run.chosen or "-" for run in figures]),
    ]
    for label, cells in rows:
        table.add_row(label, *cells)
    return table


def _round_trips(run: Figures) -> str:
    return f"{run.round_trips} before the first data"


def _names(labels: tuple[str, ...], out_of: int | None = None) -> str:
    """ "C:Finished", "S:Finished" → "Finished ×2"; with `out_of`, "2 of 10: ..."."""
    counts = Counter(label.split(":", 1)[1] for label in labels)
    names = ", ".join(name if n == 1 else f"{name} ×{n}" for name, n in counts.items()) or "none"
    return names if out_of is None else f"{len(labels)} of {out_of}: {names}"
