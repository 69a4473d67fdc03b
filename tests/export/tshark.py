"""Running the real tshark on a capture and reading back what it dissected.

tshark is required: without it these tests fail (never skip); `.ci/run` installs Debian's
package. Each run gets an empty HOME so no personal Wireshark preference (a key log file
set in the GUI, say) can make a test pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

WARNING = 0x00600000  # _ws.expert.severity: chat 0x200000, note 0x400000, warn 0x600000, error 0x800000
FIELDS = (
    "frame.number", "tcp.stream", "ip.checksum.status", "tcp.checksum.status", "tcp.analysis.flags",
    "_ws.expert.severity", "_ws.malformed", "tls.handshake.type", "tls.alert_message.desc",
    "tcp.flags.reset", "tcp.len", "frame.comment",
)


@dataclass(frozen=True)
class Frame:
    number: int
    stream: str  # "" if tshark saw no TCP in it
    ip_checksum: str  # "1" good, "0" bad, "2" not checked
    tcp_checksum: str
    analysis: bool  # any tcp.analysis flag
    severities: tuple[int, ...]
    malformed: bool
    handshake_types: tuple[int, ...]
    alerts: tuple[int, ...]
    reset: bool
    tcp_len: int
    comment: str


@dataclass(frozen=True)
class Dissection:
    frames: list[Frame]
    tls_chunks: list[bytes]  # decrypted application data of TCP stream 0, in order


def tshark() -> str:
    path = shutil.which("tshark")
    if path is None:
        pytest.fail("tshark is not installed: the capture tests need Debian's tshark (bash .ci/run installs it)")
    return path


def dissect(capture: Path, *, keylog: Path | None = None) -> Dissection:
    """Dissect with TCP and IP checksums verified; keys from `keylog` if given, else only
    what the file itself holds (its Decryption Secrets Block)."""
    options = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
               "-o", f"tls.keylog_file:{keylog or ''}"]
    fields = [argument for name in FIELDS for argument in ("-e", name)]
    with tempfile.TemporaryDirectory() as home:
        result = subprocess.run(
            [tshark(), "-n", "-r", str(capture), *options, "-T", "fields", "-E", "separator=/t", *fields,
             "-z", "follow,tls,raw,0"],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": home, "XDG_CONFIG_HOME": home},
        )
    if result.returncode != 0:
        pytest.fail(f"tshark could not read {capture}: {result.stderr.strip()}")
    table, _, follow = result.stdout.partition("\n=====")
    return Dissection([_frame(line) for line in table.splitlines() if line.strip()], _chunks(follow))


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(value, 0) for value in text.split(",") if value)


def _frame(line: str) -> Frame:
    values = line.split("\t", len(FIELDS) - 1)
    values += [""] * (len(FIELDS) - len(values))
    number, stream, ip_sum, tcp_sum, analysis, severity, malformed, types, alerts, reset, tcp_len, comment = values
    return Frame(int(number), stream, ip_sum, tcp_sum, bool(analysis), _numbers(severity), bool(malformed),
                 _numbers(types), _numbers(alerts), reset in ("1", "True"), int(tcp_len or 0), comment)


def _chunks(follow: str) -> list[bytes]:
    """The hex lines of `-z follow,tls,raw`: one decrypted chunk each (a tab marks the
    second node)."""
    chunks = []
    for line in follow.splitlines():
        text = line.strip()
        if text and all(c in "0123456789abcdef" for c in text) and len(text) % 2 == 0:
            chunks.append(bytes.fromhex(text))
    return chunks
