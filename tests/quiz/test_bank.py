"""Instructors' banks: loaded like levels, filled from real runs, every mistake on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.quiz import QuestionSource, QuizBankError, RoundSettings, load_bank
from engine.quiz.bank import bank_topics
from engine.quiz.model import Form
from tests.quiz.replay import replay

BANKS = Path(__file__).with_name("banks")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(QuizBankError) as caught:
        load_bank(path)
    return caught.value.problems


def test_a_bank_loads_with_its_round_settings() -> None:
    bank, name = load_bank(BANKS / "week3.toml")
    assert name.endswith("week3.toml") and bank.title == "Week 3: the handshake"
    assert (bank.round.questions, bank.round.seconds_per_question, bank.round.generated) == (4, 45, False)
    assert bank_topics(bank) == ("tcp",)


def test_templated_questions_are_filled_from_the_real_run() -> None:
    bank, name = load_bank(BANKS / "week3.toml")
    settings = RoundSettings(seed=9, topics=("tcp",), questions=4, bank=name, bank_only=True)
    source = QuestionSource(settings, bank, name)
    questions = {q.kind: q for q in (source.question(n) for n in range(4))}
    assert set(questions) == {"bank.1", "bank.2", "bank.3", "bank.4"}
    ack = questions["bank.3"]
    wire = replay(*ack.runs[0])
    syn, synack = wire.entries[0], wire.entries[1]
    assert (syn.kind, synack.kind) == ("SYN", "SYN-ACK")
    isn = int.from_bytes(syn.raw[4:8], "big")
    assert f"seq={isn}" in ack.prompt
    assert ack.answer == str(int.from_bytes(synack.raw[8:12], "big")) == str(isn + 1)
    assert ack.grade(f"{isn + 1:,}") and ack.skill == "TCP: sequence numbers"
    state = questions["bank.4"]
    assert state.answer == "FIN-WAIT-1" and state.grade("fin wait 1")
    order = questions["bank.2"]
    assert order.form is Form.ORDER and list(order.choices) != ["SYN", "SYN-ACK", "ACK"]
    assert order.grade(order.key) and [order.choices[n - 1] for n in order.order] == ["SYN", "SYN-ACK", "ACK"]


def test_mistakes_are_reported_with_file_line_and_key_path() -> None:
    problems = problems_of(BANKS / "broken-keys.toml")
    assert problems == [
        f"{BANKS / 'broken-keys.toml'}:4: round.questions: expected at least 1, found 0",
        f"{BANKS / 'broken-keys.toml'}:6: question[0].form: expected a value, found nothing (the key is required)",
        f"{BANKS / 'broken-keys.toml'}:8: question[0].from: unknown key 'from' (did you mean 'form'?); "
        "expected one of topic, form, prompt, answer, choices, accept, numeric, why, skill, run",
    ]


def test_runs_and_placeholders_are_checked_on_loading() -> None:
    problems = problems_of(BANKS / "broken-runs.toml")
    path = BANKS / "broken-runs.toml"
    assert problems[0] == (f"{path}:6: question[0].run: expected a built-in level id, found "
                           "'tcp-01-handshake-clint' (did you mean 'tcp-01-handshake-client'?)")
    assert problems[1] == (f"{path}:11: question[1]: {{client.SYN.seq}} is a placeholder, but the question has "
                           "no run = \"level-id\" to fill it from")
    assert problems[2] == (f"{path}:18: question[2]: {{server.FIN.seq}}: the run of tcp-01-handshake-client has "
                           "no server FIN; the server sends SYN-ACK")
    assert problems[3].startswith(f"{path}:18: question[2]: {{client.SYN.sequence}}: expected a field of SYN (")
    assert len(problems) == 4


@pytest.mark.parametrize(("text", "expected"), [
    ("", "expected a quiz bank, found an empty file"),
    ("title = \n", "expected valid TOML"),
    ("title = \"t\"\n[[question]]\ntopic = \"tcp\"\nform = \"choice\"\nprompt = \"p\"\nchoices = [\"a\", \"b\"]\n"
     "answer = \"c\"\nwhy = \"w\"\n", "expected one of the choices, found 'c'"),
    ("title = \"t\"\n[[question]]\ntopic = \"tcp\"\nform = \"order\"\nprompt = \"p\"\nanswer = [\"a\", \"a\", \"b\"]\n"
     "why = \"w\"\n", "three or more different items"),
    ("title = \"t\"\n[[question]]\ntopic = \"tcp\"\nform = \"typed\"\nnumeric = true\nprompt = \"p\"\nanswer = \"ten\"\n"
     "why = \"w\"\n", "expected a whole number (numeric = true), found 'ten'"),
    ("title = \"t\"\n[[question]]\ntopic = \"udp\"\nform = \"typed\"\nprompt = \"p\"\nanswer = \"a\"\nwhy = \"w\"\n",
     "question[0].topic: expected one of"),
    ("title = \"t\"\n[round]\nquestions = 3\nminutes = 2\n[[question]]\ntopic = \"tcp\"\nform = \"typed\"\n"
     "prompt = \"p\"\nanswer = \"a\"\nwhy = \"w\"\n", "give questions or minutes, not both"),
])
def test_one_readable_line_per_mistake(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bank.toml"
    path.write_text(text, encoding="utf-8")
    problems = problems_of(path)
    assert any(expected in line for line in problems), problems
    assert all(line.startswith(str(path)) for line in problems)


def test_a_binary_file_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "bank.toml"
    path.write_bytes(b"\x00\xff\xfe binary")
    assert "UTF-8" in problems_of(path)[0]
