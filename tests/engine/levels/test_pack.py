"""Level packs: pack.toml, play order, broken files listed while the rest loads, quiz banks."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.levels import builtin_dir
from engine.levels.pack import LOOSE_PACK_TITLE, load_pack, load_packs
from tui.cli import main

TCP01 = (builtin_dir() / "tcp-01-handshake-client.toml").read_text()
BANK = '''title = "Week 1"

[[question]]
topic = "tcp"
form = "choice"
prompt = "Which segment opens a TCP connection?"
choices = ["SYN", "FIN", "RST"]
answer = "SYN"
why = "The active opener's first segment carries the SYN flag."
'''


def level_text(level_id: str, order: int = 1) -> str:
    return TCP01.replace('id = "tcp-01-handshake-client"', f'id = "{level_id}"').replace("order = 1", f"order = {order}")


def make_pack(directory: Path) -> Path:
    directory.mkdir()
    (directory / "pack.toml").write_text('title = "Networks 101"\nauthor = "Dr. Ada"\norder = ["second", "first"]\n')
    (directory / "first.toml").write_text(level_text("first"))
    (directory / "second.toml").write_text(level_text("second", order=2))
    (directory / "extra.toml").write_text(level_text("extra", order=0))
    (directory / "broken.toml").write_text(level_text("broken").replace('move = "ACK"', 'move = "AKC"'))
    (directory / "week1.quiz.toml").write_text(BANK)
    return directory


def test_a_pack_loads_in_its_order_and_keeps_its_broken_file_and_banks(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path / "course"))
    assert (pack.title, pack.author) == ("Networks 101", "Dr. Ada")
    assert [level.id for level in pack.levels] == ["second", "first", "extra"]
    assert [broken.path.name for broken in pack.broken] == ["broken.toml"]
    assert pack.broken[0].problems == [
        f"{tmp_path / 'course' / 'broken.toml'}:31: turns[1].move: expected one of 'SYN', 'SYN-ACK', 'ACK', 'DATA', "
        "'FIN', 'RST', 'RST-ACK' or 'WAIT', found 'AKC' (did you mean 'ACK'?)"
    ]
    assert [path.name for path in pack.bank_files] == ["week1.quiz.toml"]


def test_without_pack_toml_the_folder_names_the_pack(tmp_path: Path) -> None:
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "a.toml").write_text(level_text("lab-a"))
    pack = load_pack(tmp_path / "labs")
    assert (pack.title, pack.author, [level.id for level in pack.levels]) == ("labs", "", ["lab-a"])


def test_pack_toml_problems_are_located(tmp_path: Path) -> None:
    directory = make_pack(tmp_path / "course")
    (directory / "pack.toml").write_text('title = "Networks 101"\nauthr = "x"\n')
    assert load_pack(directory).broken[0].problems == [
        f"{directory / 'pack.toml'}:2: authr: unknown key 'authr' (did you mean 'author'?); "
        "expected one of title, author, description, order"
    ]
    (directory / "pack.toml").write_text('order = ["first", "secnod"]\n')
    assert load_pack(directory).broken[-1].problems == [
        f"{directory / 'pack.toml'}:1: order[1]: expected the id of a level in this pack, found 'secnod' (did you mean 'second'?)"
    ]


def test_ids_taken_by_the_builtin_levels_or_another_pack_are_refused(tmp_path: Path) -> None:
    directory = tmp_path / "clash"
    directory.mkdir()
    (directory / "copy.toml").write_text(TCP01)
    pack = load_pack(directory, taken=["tcp-01-handshake-client"])
    assert pack.levels == []
    assert pack.broken[0].problems == [
        f"{directory / 'copy.toml'}:1: id: expected an id no other level uses, found 'tcp-01-handshake-client' (already taken)"
    ]


def test_packs_from_flags_and_the_user_directory(tmp_path: Path) -> None:
    course = make_pack(tmp_path / "course")
    user = tmp_path / "user-levels"
    (user / "own-pack").mkdir(parents=True)
    (user / "own-pack" / "x.toml").write_text(level_text("own-x"))
    (user / "loose.toml").write_text(level_text("loose"))
    packs, problems = load_packs([course, tmp_path / "nowhere"], user_dir=user)
    assert [pack.title for pack in packs] == ["Networks 101", "own-pack", LOOSE_PACK_TITLE]
    assert [[level.id for level in pack.levels] for pack in packs] == [["second", "first", "extra"], ["own-x"], ["loose"]]
    assert problems == [f"{tmp_path / 'nowhere'}: expected a folder of level files, found no such folder"]


def test_validate_a_pack_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = make_pack(tmp_path / "course")
    assert main(["levels", "validate", str(directory)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{directory / 'broken.toml'}:31: turns[1].move: expected one of 'SYN', 'SYN-ACK', 'ACK', 'DATA', "
                     "'FIN', 'RST', 'RST-ACK' or 'WAIT', found 'AKC' (did you mean 'ACK'?)"]
    (directory / "broken.toml").unlink()
    assert main(["levels", "validate", str(directory)]) == 0
    assert capsys.readouterr().out.strip() == "3 level file(s): no problems"
    (directory / "week1.quiz.toml").write_text(BANK.replace('form = "choice"', 'from = "choice"'))
    assert main(["levels", "validate", str(directory)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"{directory / 'week1.quiz.toml'}:3: question[0]")
