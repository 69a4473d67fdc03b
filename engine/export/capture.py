"""A capture: IPv4 + TCP packets on the game's clock, the TLS keys, and what the file is.

`to_pcapng` lays it out as a pcapng file: the section header (with the capture's comment),
a Decryption Secrets Block holding the key log (so Wireshark decrypts with no settings),
one raw-IP interface, and one Enhanced Packet Block per packet.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime

from engine.export import pcapng
from engine.live.ipv4 import Ipv4Packet

__all__ = ["APPLICATION", "Capture", "Packet"]

APPLICATION = "synack"
INTERFACE = "synack0"


@dataclass(frozen=True, slots=True)
class Packet:
    """One TCP segment (header and payload, checksum included) between two IPv4 hosts."""

    time: float  # seconds on the game's clock
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    tcp: bytes
    comment: str = ""
    aside: bool = False  # not the real connection's: a wrong move, or the peer's answer to it


@dataclass(frozen=True, slots=True)
class Capture:
    packets: tuple[Packet, ...]
    keylog: tuple[str, ...]  # NSS key log lines, no newlines
    comment: str  # the file's comment: which game, which seed, what was made up and why
    epoch: datetime  # what the game clock's zero is as a date

    def keylog_text(self) -> str:
        return "".join(line + "\n" for line in self.keylog)

    def to_pcapng(self, *, embed_keys: bool = True) -> bytes:
        """The pcapng file; `embed_keys=False` leaves the keys out (the key log file only)."""
        blocks = [pcapng.section_header_block(APPLICATION, [self.comment])]
        if self.keylog and embed_keys:
            blocks.append(pcapng.decryption_secrets_block(self.keylog_text().encode("ascii")))
        blocks.append(pcapng.interface_description_block(INTERFACE, "the game's wire"))
        start = round(self.epoch.timestamp() * 1_000_000)
        identification: dict[ipaddress.IPv4Address, int] = {}
        for packet in self.packets:
            number = identification[packet.src] = identification.get(packet.src, 0) + 1
            frame = Ipv4Packet(packet.src, packet.dst, packet.tcp, identification=number).encode()
            blocks.append(pcapng.enhanced_packet_block(frame, start + round(packet.time * 1_000_000), [packet.comment]))
        return b"".join(blocks)
