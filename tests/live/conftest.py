"""Live tests need a private network namespace and a TUN device: CI runs them as root.

They fail (never skip) where the system cannot give one, with the reason and what to
enable, so a CI without the privilege is noticed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.live.errors import LiveUnavailable
from engine.live.wire import LiveWire
from engine.side import Side


def open_wire(engine_side: Side, sockets: int = 1) -> LiveWire:
    try:
        return LiveWire(engine_side, sockets=sockets)
    except LiveUnavailable as error:
        pytest.fail(f"live tests need a network namespace and /dev/net/tun (CI runs as root): {error}")


@pytest.fixture
def client_wire() -> Iterator[LiveWire]:
    """The engine is the client; the kernel's socket is for listening."""
    with open_wire(Side.CLIENT) as wire:
        yield wire


@pytest.fixture
def server_wire() -> Iterator[LiveWire]:
    """The engine is the server; the kernel's socket is for connect()."""
    with open_wire(Side.SERVER) as wire:
        yield wire
