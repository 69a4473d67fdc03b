"""The quiz: questions generated from real handshakes (and instructors' banks), timed rounds.

No Textual here: the TUI (tui/screens/quiz*.py) and the `synack quiz` command use this.
"""

from engine.quiz.bank import Bank, QuizBankError, load_bank
from engine.quiz.model import TOPICS, Answer, Form, Question, RoundSettings
from engine.quiz.round import QuizRound, RoundResult, points_for
from engine.quiz.source import QuestionSource, QuizError

__all__ = [
    "TOPICS",
    "Answer",
    "Bank",
    "Form",
    "Question",
    "QuestionSource",
    "QuizBankError",
    "QuizError",
    "QuizRound",
    "RoundResult",
    "RoundSettings",
    "load_bank",
    "points_for",
]
