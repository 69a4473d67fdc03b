"""Live TLS: the engine's TLS 1.3 and 1.2 clients, on the engine's TCP, against OpenSSL
(Python's `ssl`) on the kernel's TCP, across the TUN link."""

from __future__ import annotations

import pytest

from engine.live.autopilot import AutoPilot
from engine.live.kernel import TlsEchoServer
from engine.live.tls import TlsOverTcp, engine_client, live_identity, openssl_server_context
from engine.live.wire import ENGINE_PORT, LiveWire, engine_address, kernel_address
from engine.tcp.states import State
from engine.tls.constants import ProtocolVersion

TLS_PORT = 443


@pytest.mark.parametrize(("version", "expected"), [("1.3", ProtocolVersion.TLS1_3), ("1.2", ProtocolVersion.TLS1_2)])
def test_engine_tls_client_completes_against_openssl_over_the_kernels_tcp(
    client_wire: LiveWire, version: str, expected: int
) -> None:
    identity = live_identity(seed=5)
    service = TlsEchoServer(client_wire.namespace.sockets[0], TLS_PORT, openssl_server_context(identity, version)).start()
    pilot = AutoPilot.create(client_wire, engine_address(ENGINE_PORT), kernel_address(TLS_PORT))
    pilot.call(pilot.endpoint.open_active)
    pilot.run_until(lambda: pilot.endpoint.state is State.ESTABLISHED, "ESTABLISHED")

    tls = TlsOverTcp(pilot, engine_client(identity, seed=5, version=None))
    done = tls.handshake()
    assert done.version == expected
    assert tls.exchange(b"GET / over a real kernel\n") == b"GET / over a real kernel\n"
    tls.close()
    pilot.call(pilot.endpoint.close)
    pilot.run_until(lambda: pilot.endpoint.state in (State.TIME_WAIT, State.CLOSED), "the close")
    assert service.done.wait(10)

    calls = [call.line() for call in service.drain()]
    assert calls[3].startswith("SSL_accept() → 1: TLSv" + version)
    assert calls[4] == "SSL_read() → 25 bytes b'GET / over a real kernel\\n'"
    assert "close()" in calls[-1]
