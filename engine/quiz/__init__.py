"""The quiz: questions generated from real handshakes (and instructors' banks), timed rounds.

No Textual here: the TUI (tui/screens/quiz*.py) and the `synack quiz` command use this.
The names below load on first use, so that `synack` parsing its command line (which
imports tui.quiz_command, which names this package's settings) does not pay for the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_names

if TYPE_CHECKING:
    from engine.quiz.bank import Bank, QuizBankError, load_bank
    from engine.quiz.model import TOPICS, Answer, Form, Question, RoundSettings
    from engine.quiz.round import QuizRound, RoundResult, points_for
    from engine.quiz.source import QuestionSource, QuizError

_HOMES = {
    "Bank": "bank", "QuizBankError": "bank", "load_bank": "bank",
    "TOPICS": "model", "Answer": "model", "Form": "model", "Question": "model", "RoundSettings": "model",
    "QuizRound": "round", "RoundResult": "round", "points_for": "round",
    "QuestionSource": "source", "QuizError": "source",
}
__getattr__ = lazy_names(__name__, _HOMES)
__all__ = sorted(_HOMES)
