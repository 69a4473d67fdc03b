"""Progress: saved atomically, a corrupt file moved aside with a notice, never a crash."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from tui.progress import (
    ENV_VAR,
    FILE_NAME,
    LevelRecord,
    Progress,
    ProgressStore,
    Settings,
    data_dir,
)


def fixed_now() -> datetime:
    return datetime(2024, 5, 6, 7, 8, 9)


def test_missing_file_is_fresh_progress(tmp_path: Path) -> None:
    loaded = ProgressStore(tmp_path / "nested").load()
    assert loaded.progress.levels == {}
    assert loaded.notice is None


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "data")
    progress = Progress()
    progress.record("tcp-01", stars=2, points=800, mistakes=1, hints=0, seconds=12.34)
    store.save(progress)
    loaded = store.load()
    assert loaded.notice is None
    assert loaded.progress.levels == {"tcp-01": LevelRecord(2, 800, 1, 0, 12.3, 1)}
    assert json.loads(store.path.read_text())["version"] == 1


def test_settings_round_trip_and_old_files_have_none(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.path.write_text('{"version": 1, "levels": {}}')  # written before settings existed
    loaded = store.load()
    assert loaded.notice is None and loaded.progress.settings == Settings()
    progress = loaded.progress
    progress.settings.theme = "textual-light"
    store.save(progress)
    assert json.loads(store.path.read_text())["settings"] == {"theme": "textual-light"}
    assert store.load().progress.settings.theme == "textual-light"


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProgressStore(tmp_path)
    good = Progress()
    good.record("tcp-01", stars=3, points=1000, mistakes=0, hints=0, seconds=5)
    store.save(good)
    before = store.path.read_text()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    worse = Progress()
    with pytest.raises(OSError):
        store.save(worse)
    assert store.path.read_text() == before  # the old file is whole
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temp file left behind


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 99, "levels": {}}',
        '{"version": 1, "levels": {"tcp-01": {"stars": "many"}}}',
        '{"version": 1, "levels": {"tcp-01": {"stars": 9, "points": 1, "mistakes": 0,'
        ' "hints": 0, "seconds": 1}}}',
        '{"version": 1, "levels": {}, "settings": []}',
        '{"version": 1, "levels": {}, "settings": {"theme": 7}}',
    ],
)
def test_corrupt_file_is_moved_aside_with_a_notice(tmp_path: Path, content: str) -> None:
    store = ProgressStore(tmp_path, now=fixed_now)
    store.path.write_text(content)
    loaded = store.load()
    assert loaded.progress.levels == {}
    assert loaded.notice is not None and "progress.json.corrupt-20240506T070809" in loaded.notice
    aside = tmp_path / "progress.json.corrupt-20240506T070809"
    assert aside.read_text() == content
    assert not store.path.exists()


def test_better_runs_replace_the_best_and_plays_are_counted() -> None:
    progress = Progress()
    progress.record("a", stars=1, points=300, mistakes=3, hints=1, seconds=60)
    progress.record("a", stars=3, points=1000, mistakes=0, hints=0, seconds=20)
    best = progress.record("a", stars=2, points=700, mistakes=1, hints=0, seconds=10)
    assert (best.stars, best.points, best.plays) == (3, 1000, 3)
    assert progress.total_stars == 3


def test_data_dir_override_then_env_then_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert data_dir(tmp_path / "arg") == tmp_path / "arg"
    assert data_dir() == tmp_path / "env"
    monkeypatch.delenv(ENV_VAR)
    assert data_dir().name == "synack"
