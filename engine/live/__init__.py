"""Live mode: the engine's TCP endpoint against the real Linux kernel over a TUN device in
a private network namespace (and TLS against OpenSSL on top). The only sockets here are at
this edge; engine/tcp and engine/tls stay sans-I/O.

- `namespace`, `helper`: the private namespace, its TUN device and the kernel-side sockets;
- `ipv4`, `link`, `wire`: our IPv4 framing, the TUN link, the record of every segment;
- `kernel`: the kernel side's socket services (echo server, connect(), OpenSSL), reported;
- `autopilot`, `tls`: the engine's endpoints run with nobody at the controls;
- `game`, `tls_game`, `referee`: the live games the player plays.
"""
