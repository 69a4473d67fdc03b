"""Captures of synack games that Wireshark and tshark open, dissect and decrypt.

`capture_of(referee, played)` turns a game (finished or not) into a `Capture`: IPv4 + TCP
packets on the game's clock and the TLS key log; `write_capture` saves it as pcapng (keys
embedded as a Decryption Secrets Block) and, if asked, as an NSS key log file.
`play_solution(level, seed)` plays a level's solution, as `synack export` does;
`save_game(referee, folders)` is the app's "save capture" key.

No Textual here: the app and the command line both call this package.
"""

from __future__ import annotations

from engine.export.capture import Capture, Packet
from engine.export.files import ExportError, save_game_files, write_capture
from engine.export.save import save_game
from engine.export.solution import play_solution
from engine.export.trace import capture_of

__all__ = [
    "Capture",
    "ExportError",
    "Packet",
    "capture_of",
    "play_solution",
    "save_game",
    "save_game_files",
    "write_capture",
]
