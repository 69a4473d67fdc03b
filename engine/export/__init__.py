"""Captures of synack games that Wireshark and tshark open, dissect and decrypt.

`capture_of(referee, played)` turns a game (finished or not) into a `Capture`: IPv4 + TCP
packets on the game's clock and the TLS key log; `write_capture` saves it as pcapng (keys
embedded as a Decryption Secrets Block) and, if asked, as an NSS key log file.
`play_solution(level, seed)` plays a level's solution, as `synack export` does;
`save_game(referee, folders)` is the app's "save capture" key.

No Textual here: the app and the command line both call this package. The names load on
first use (`engine.lazy`): parsing `synack`'s command line imports engine.export.commands,
and so this package, and must not pay for the referee and the TLS stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_names

if TYPE_CHECKING:
    from engine.export.capture import Capture, Packet
    from engine.export.files import ExportError, save_game_files, write_capture
    from engine.export.save import save_game
    from engine.export.solution import play_solution
    from engine.export.trace import capture_of

_HOMES = {
    "Capture": "capture",
    "Packet": "capture",
    "ExportError": "files",
    "save_game_files": "files",
    "write_capture": "files",
    "save_game": "save",
    "play_solution": "solution",
    "capture_of": "trace",
}
__getattr__ = lazy_names(__name__, _HOMES)
__all__ = sorted(_HOMES)
