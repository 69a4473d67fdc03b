"""The generated parts of docs/authoring.md: key tables and name lists, by marker.

`<!-- keys: Model [key ...] -->` is followed by a blank line and that model's key table;
`<!-- names: Literal -->` ends a line and the next line lists the names. The test checks
each against what `engine.levels.reference` renders now, so the page cannot go stale.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from engine.levels import model
from engine.levels.pack import PackInfo
from engine.levels.reference import key_table, names_line, vocabulary_table
from engine.quiz.bank import Bank, BankQuestion, BankRound

MODELS: dict[str, type[BaseModel]] = {
    "LevelBase": model.LevelBase, "TcpLevel": model.TcpLevel, "TlsLevel": model.TlsLevel,
    "StackLevel": model.StackLevel, "TcpScenario": model.TcpScenario, "Host": model.Host,
    "ScriptStep": model.ScriptStep, "Fault": model.Fault, "TurnSpec": model.TurnSpec,
    "TlsScenario": model.TlsScenario, "TlsTurnSpec": model.TlsTurnSpec, "StackTurnSpec": model.StackTurnSpec,
    "Scoring": model.Scoring, "PackInfo": PackInfo, "Bank": Bank, "BankRound": BankRound,
    "BankQuestion": BankQuestion,
}
NAMES = {
    "TcpMove": model.TcpMove, "SuiteName": model.SuiteName, "GroupName": model.GroupName,
    "AlertName": model.AlertName, "Misbehaviour": model.Misbehaviour,
}
MARKER = re.compile(r"<!-- (keys|names): ([^>]*?) -->")


def render_marker(marker: str) -> str:
    found = MARKER.search(marker)
    assert found, marker
    kind, words = found.group(1), found.group(2).split()
    if kind == "keys":
        return key_table(MODELS[words[0]], words[1:] or None)
    if words[0] == "vocabulary":
        return vocabulary_table()
    return names_line(NAMES[words[0]])
