"""A round as a handout: the questions with an answer key, as plain text or JSON."""

from __future__ import annotations

import json
from typing import Any

from engine.quiz.model import TOPIC_NAMES, Form, Question, RoundSettings

FORM_HINT = {
    Form.CHOICE: "(choose one: 1-4)",
    Form.TYPED: "(type the answer)",
    Form.ORDER: "",
}


def handout_text(settings: RoundSettings, questions: list[Question]) -> str:
    lines = [f"synack quiz · seed {settings.seed} · {settings.mode}", ""]
    for number, question in enumerate(questions, 1):
        lines.append(f"{number}. [{TOPIC_NAMES.get(question.topic, question.topic)}] {question.prompt} "
                     f"{FORM_HINT[question.form]}".rstrip())
        lines += [f"     | {line}" for line in question.context]
        if question.form is Form.CHOICE:
            lines += [f"     {key}) {text}" for key, text in enumerate(question.choices, 1)]
        elif question.form is Form.ORDER:
            lines += [f"     [{key}] {text}" for key, text in enumerate(question.choices, 1)]
        lines.append("")
    lines += ["Answer key", ""]
    for number, question in enumerate(questions, 1):
        key = question.key if question.form is not Form.TYPED else question.answer
        spelled = question.answer if question.form is Form.ORDER else question.answer_text
        lines.append(f"{number}. {key}  ({spelled})" if question.form is not Form.TYPED else f"{number}. {key}")
        lines.append(f"   why: {question.why}")
        lines.append(f"   from: {question.source}")
    return "\n".join(lines) + "\n"


def handout_json(settings: RoundSettings, questions: list[Question]) -> str:
    document: dict[str, Any] = {
        "format": "synack-quiz-handout/1",
        "settings": settings.to_json(),
        "questions": [question.to_json() for question in questions],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
