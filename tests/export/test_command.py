"""`synack export`: the command line around the capture."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.levels import builtin_dir
from tests.export import games
from tests.export.tshark import dissect
from tui.cli import main

SHB_MAGIC = bytes.fromhex("0a0d0d0a")


def test_export_by_id_writes_the_capture_and_the_key_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pcap, keys = tmp_path / "game.pcapng", tmp_path / "game.keys"
    assert main(["export", "tls13-03-hello-retry", "--pcap", str(pcap), "--keylog", str(keys), "--seed", "9"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {pcap}" in out and "seed 9" in out and "embedded" in out
    assert pcap.read_bytes()[:4] == SHB_MAGIC
    assert all(line.split()[0].endswith("SECRET") or line.split()[0].endswith("SECRET_0")
               for line in keys.read_text().splitlines())
    assert len(keys.read_text().splitlines()) == 5


def test_export_by_path_and_the_top_level_seed(tmp_path: Path) -> None:
    level = builtin_dir() / "tcp-03-teardown-client.toml"
    assert main(["--seed", "3", "export", str(level), "--pcap", str(tmp_path / "a.pcapng")]) == 0
    assert main(["export", str(level), "--seed", "3", "--pcap", str(tmp_path / "b.pcapng")]) == 0
    assert (tmp_path / "a.pcapng").read_bytes() == (tmp_path / "b.pcapng").read_bytes()


def test_keylog_only_keeps_the_keys_out_of_the_capture(tmp_path: Path) -> None:
    pcap, keys = tmp_path / "x.pcapng", tmp_path / "x.keys"
    assert main(["export", "tls12-01-rsa-client", "--pcap", str(pcap), "--keylog", str(keys), "--keylog-only"]) == 0
    assert dissect(pcap).tls_chunks == []
    assert dissect(pcap, keylog=keys).tls_chunks == games.application_data(
        games.play_with_mistakes("tls12-01-rsa-client", {}).ladder)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export", "no-such-level", "--pcap", "{tmp}/x.pcapng"], "no such level"),
        (["export", "tcp-01-handshake-client", "--pcap", "{tmp}/missing/x.pcapng"], "does not exist"),
        (["export", "tcp-01-handshake-client", "--pcap", "{tmp}"], "is a folder"),
        (["export", "tls12-01-rsa-client", "--pcap", "{tmp}/x", "--keylog", "{tmp}/x"], "different names"),
        (["export", "tls12-01-rsa-client", "--pcap", "{tmp}/x", "--keylog-only"], "needs --keylog"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(arguments: list[str], message: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.replace("{tmp}", str(tmp_path)) for a in arguments]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.pcapng").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    for option in ("--pcap", "--keylog", "--keylog-only", "--seed", "Wireshark"):
        assert option in out
