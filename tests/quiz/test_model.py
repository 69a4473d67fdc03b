"""Grading: forgiving where a person would be, strict where it matters."""

from __future__ import annotations

from engine.quiz.model import Form, Question, fold, parse_number


def typed(answer: str, *, numeric: bool = False, accept: tuple[str, ...] = ()) -> Question:
    return Question("t", "tcp", "skill", Form.TYPED, "?", answer, "why", accept=accept, numeric=numeric)


def test_names_ignore_case_spacing_hyphens_and_underscores() -> None:
    question = typed("ServerHello")
    for text in ("ServerHello", "serverhello", " server hello ", "Server_Hello", "server-hello.", "SERVER HELLO"):
        assert question.grade(text), text
    for text in ("ServerKeyExchange", "Server Hello Done", "", "hello"):
        assert not question.grade(text), text


def test_other_spellings_count_when_the_question_accepts_them() -> None:
    question = typed("SYN-RECEIVED", accept=("SYN_RCVD",))
    assert question.grade("syn rcvd") and question.grade("syn-received") and not question.grade("SYN-SENT")


def test_numbers_take_separators_and_hex_but_not_near_misses() -> None:
    question = typed("2837462", numeric=True)
    for text in ("2837462", "2,837,462", "2 837 462", " 2837462 ", hex(2837462)):
        assert question.grade(text), text
    for text in ("2837461", "2837463", "abc", "", "2837462.5"):
        assert not question.grade(text), text
    assert parse_number("1_000") == 1000 and parse_number("x") is None


def test_choices_by_key_or_by_text() -> None:
    question = Question("c", "tcp", "s", Form.CHOICE, "?", "LISTEN", "why",
                        choices=("CLOSED", "LISTEN", "SYN-SENT", "ESTABLISHED"))
    assert question.key == "2" and question.answer_text == "2. LISTEN"
    assert question.grade("2") and question.grade("listen") and not question.grade("1") and not question.grade("5")


def test_orders_by_their_numbers_with_any_separators() -> None:
    question = Question("o", "tcp", "s", Form.ORDER, "?", "a → b → c", "why", choices=("c", "a", "b"), order=(2, 3, 1))
    assert question.key == "231"
    for text in ("231", "2 3 1", "2,3,1", "2-3-1"):
        assert question.grade(text), text
    for text in ("123", "23", "2311", ""):
        assert not question.grade(text), text
    assert question.answer_text == "231: a → b → c"


def test_fold() -> None:
    assert fold("  Client_Write-Key. ") == "clientwritekey"
