"""The quiz's personal-best table: ranking, atomic saving, a damaged file moved aside."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from engine.quiz import RoundSettings
from engine.quiz.round import RoundResult
from tui.quiz_records import FILE_NAME, KEEP, Best, BestTable, QuizRecords


def now() -> datetime:
    return datetime(2026, 11, 27, 9, 30, 0)


def result(score_answers: int, seed: int, seconds: float = 60.0) -> RoundResult:
    from engine.quiz.model import Answer, Form, Question

    question = Question("k", "tcp", "skill", Form.TYPED, "?", "1", "why")
    answers = tuple(Answer(question, "1", True, 1.0, 100, 1) for _ in range(score_answers))
    return RoundResult(RoundSettings(seed=seed, topics=("tcp",), questions=5), answers, seconds, "questions")


def test_rounds_rank_by_score_then_time_and_only_the_top_are_kept(tmp_path: Path) -> None:
    records = QuizRecords(tmp_path, now)
    places = [records.record(result(n, seed=n)).place for n in (2, 4, 3)]
    assert places == [1, 1, 2]
    assert records.record(result(3, seed=9, seconds=30.0)).place == 2  # same score, quicker
    for seed in range(10, 10 + KEEP):
        records.record(result(5, seed=seed))
    recorded = records.record(result(0, seed=99))
    assert recorded.place is None and recorded.notice is None
    rows = recorded.table.modes["5 questions · tcp"]
    assert len(rows) == KEEP and [row.score for row in rows] == [500] * KEEP
    saved = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert saved["modes"]["5 questions · tcp"][0] == {
        "score": 500, "correct": 5, "asked": 5, "seconds": 60.0, "seed": 10, "when": "2026-11-27T09:30:00"}


def test_a_damaged_file_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(json.dumps({"version": 1, "modes": {"x": [{"score": "lots"}]}}), encoding="utf-8")
    table, notice = QuizRecords(tmp_path, now).load()
    assert table.modes == {} and notice is not None and "quiz-bests.json.corrupt-20261127T093000" in notice
    assert (tmp_path / f"{FILE_NAME}.corrupt-20261127T093000").exists() and not (tmp_path / FILE_NAME).exists()


def test_an_unwritable_directory_is_a_notice_not_a_crash(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be", encoding="utf-8")
    recorded = QuizRecords(blocked, now).record(result(1, seed=1))
    assert recorded.notice is not None and "Could not save your quiz bests" in recorded.notice
    assert recorded.place == 1


def test_the_table_round_trips() -> None:
    table = BestTable()
    table.add("m", Best(300, 3, 4, 12.5, 7, "2026-11-27T09:30:00"))
    assert BestTable.from_json(json.loads(json.dumps(table.to_json()))) == table
