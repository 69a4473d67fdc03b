"""Real peers at the edge: the engine's TLS endpoints on real TCP sockets.

This is the only package in synack that opens sockets or waits on the clock. It stays thin:
it moves bytes between a socket and a sans-I/O endpoint (engine/tls), bounds every wait
with a deadline, and turns the endpoint's events into lines a person can read. Every
protocol decision (what to send, which alert, which key) is the endpoint's.

- `serve`: the engine's TLS server on 127.0.0.1, answering HTTP GET with a small page.
- `connect`: the engine's TLS client against a server on a loopback address.
- `report`: engine events → lines ("→ ServerHello …   [plaintext]", "🔑 secret = …").
- `session`: one TLS connection over one socket, with deadlines and one-line failures.

Only loopback addresses are accepted (`addresses`): this is a teaching tool whose
randomness is reproducible from a seed, not something to protect real traffic with.
"""

from engine.net.errors import NetFailure, PeerFailure, UsageFailure

__all__ = ["NetFailure", "PeerFailure", "UsageFailure"]
