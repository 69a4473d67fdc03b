"""The wire between the engine and the kernel: TCP segments in IPv4 packets on a TUN device.

`TunLink.send` frames a segment from the engine's address to the kernel's; `receive`
waits (up to a timeout) for the kernel's next TCP segment to the engine, decoded with the
engine's own decoder, checksum verified. Packets that are not IPv4 TCP from the kernel to
us are counted and skipped, never guessed at.
"""

from __future__ import annotations

import errno
import os
import select
import time
from dataclasses import dataclass, field

from engine.live.addresses import ENGINE_IP, KERNEL_IP
from engine.live.ipv4 import Ipv4Packet
from engine.tcp.checksum import PROTOCOL_TCP
from engine.tcp.segment import Segment

__all__ = ["ReceivedSegment", "TunLink"]

READ_SIZE = 65535


@dataclass(frozen=True)
class ReceivedSegment:
    segment: Segment
    raw: bytes  # the TCP bytes as the kernel wrote them


@dataclass
class TunLink:
    fd: int
    skipped: int = 0  # packets that were not the kernel's TCP to us (e.g. IPv6 chatter)
    identification: int = field(default=0)

    def send(self, segment: Segment) -> bytes:
        """Put the segment on the wire; returns its TCP bytes (checksum filled in)."""
        raw = segment.encode(ENGINE_IP, KERNEL_IP)
        self.identification = (self.identification + 1) & 0xFFFF
        os.write(self.fd, Ipv4Packet(ENGINE_IP, KERNEL_IP, raw, identification=self.identification).encode())
        return raw

    def receive(self, timeout: float) -> ReceivedSegment | None:
        """The kernel's next segment to us, or None if none came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            readable, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not readable:
                return None
            try:
                data = os.read(self.fd, READ_SIZE)
            except OSError as error:
                if error.errno in (errno.EAGAIN, errno.EINTR):
                    continue
                raise
            received = self._tcp_to_us(data)
            if received is not None:
                return received

    def _tcp_to_us(self, data: bytes) -> ReceivedSegment | None:
        if not data or data[0] >> 4 != 4:
            self.skipped += 1
            return None
        packet = Ipv4Packet.decode(data)
        if packet.protocol != PROTOCOL_TCP or packet.src != KERNEL_IP or packet.dst != ENGINE_IP:
            self.skipped += 1
            return None
        return ReceivedSegment(Segment.decode(packet.payload, packet.src, packet.dst), packet.payload)
