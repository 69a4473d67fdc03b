"""Just enough HTTP/1.x to have something to say once the handshake is done."""

from __future__ import annotations

import html

from engine.net.report import negotiated_words
from engine.tls.events import HandshakeComplete

MAX_REQUEST = 16384
SERVER = "synack"


def request_complete(data: bytes) -> bool:
    """The request head has ended (a blank line), or is too long to wait for."""
    return b"\r\n\r\n" in data or b"\n\n" in data or len(data) >= MAX_REQUEST


def request_line(data: bytes) -> str:
    return data.split(b"\n", 1)[0].decode("latin-1").strip()


def build_request(host: str, path: str = "/") -> bytes:
    return f"GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: {SERVER}\r\nAccept: */*\r\n\r\n".encode()


def _response(status: str, body: str, *, head_only: bool = False) -> bytes:
    payload = body.encode()
    head = (
        f"HTTP/1.1 {status}\r\nServer: {SERVER}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + (b"" if head_only else payload)


def page(done: HandshakeComplete, server_name: str | None) -> str:
    items = [
        ("protocol and keys", " · ".join(negotiated_words(done))),
        ("server name (SNI)", server_name or "(none sent)"),
    ]
    rows = "\n".join(f"<li>{html.escape(label)}: {html.escape(value)}</li>" for label, value in items)
    return (
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>synack</title></head><body>\n"
        "<h1>Hello from synack</h1>\n"
        "<p>This page came to you over a TLS handshake played by synack's own engine.</p>\n"
        f"<ul>\n{rows}\n</ul>\n</body></html>\n"
    )


def respond(request: bytes, done: HandshakeComplete, server_name: str | None) -> tuple[bytes, str]:
    """(the response bytes, its status line) for a request head."""
    words = request_line(request).split()
    if len(words) != 3 or not words[2].startswith("HTTP/1."):
        status = "400 Bad Request"
        return _response(status, "<h1>400: not an HTTP/1.x request</h1>\n"), status
    method = words[0]
    if method not in ("GET", "HEAD"):
        status = "405 Method Not Allowed"
        return _response(status, f"<h1>405: {html.escape(method)} is not served here</h1>\n"), status
    status = "200 OK"
    return _response(status, page(done, server_name), head_only=method == "HEAD"), status


def content_complete(data: bytes) -> bool:
    """A response with a Content-Length has all of its body."""
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        field, _, value = line.partition(b":")
        if field.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value.strip())
    return False


__all__ = ["build_request", "content_complete", "page", "request_complete", "request_line", "respond"]
