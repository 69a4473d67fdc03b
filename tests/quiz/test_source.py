"""The same seed gives the same questions in the same order; topics are honoured."""

from __future__ import annotations

from engine.quiz import QuestionSource, RoundSettings
from engine.quiz.model import Question

TCP = RoundSettings(seed=11, topics=("tcp",), questions=12)


def questions(settings: RoundSettings, count: int) -> list[Question]:
    source = QuestionSource(settings)
    return [source.question(n) for n in range(count)]


def test_same_seed_same_questions_same_order() -> None:
    first = questions(TCP, 10)
    again = questions(TCP, 10)
    assert [q.to_json() for q in first] == [q.to_json() for q in again]


def test_question_n_does_not_depend_on_what_was_asked_before() -> None:
    source = QuestionSource(TCP)
    late = source.question(7)
    assert late.to_json() == questions(TCP, 8)[7].to_json()


def test_another_seed_gives_another_round() -> None:
    other = RoundSettings(seed=12, topics=("tcp",), questions=12)
    assert [q.to_json() for q in questions(TCP, 6)] != [q.to_json() for q in questions(other, 6)]


def test_kinds_take_turns_before_any_repeats() -> None:
    kinds = [q.kind for q in questions(TCP, 4)]
    assert len(set(kinds)) == 4  # the four TCP generators, each once per deal


def test_topics_filter_the_questions() -> None:
    for topic in ("tls12", "tls13"):
        settings = RoundSettings(seed=3, topics=(topic,), questions=6)
        assert {q.topic for q in questions(settings, 6)} == {topic}


def test_an_all_topics_round_is_a_fair_mix() -> None:
    settings = RoundSettings(seed=4, questions=9)
    topics = [q.topic for q in questions(settings, 9)]
    assert sorted(topics) == ["tcp"] * 3 + ["tls12"] * 3 + ["tls13"] * 3
