"""Loopback addresses only: parsing HOST:PORT and refusing anything that leaves the machine."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from engine.net.errors import UsageFailure

LOOPBACK_ONLY = "synack's live endpoints talk over loopback only (127.0.0.0/8, ::1, localhost)"


@dataclass(frozen=True)
class Address:
    """A resolved loopback socket address: what `socket.socket(family)` binds or connects to."""

    family: socket.AddressFamily
    ip: str
    port: int

    @property
    def sockaddr(self) -> tuple[str, int]:
        return (self.ip, self.port)

    def __str__(self) -> str:
        return f"[{self.ip}]:{self.port}" if self.family == socket.AF_INET6 else f"{self.ip}:{self.port}"


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse_port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise UsageFailure(f"{text!r} is not a port number (0-65535)")
    return int(text)


def parse_target(target: str) -> tuple[str, int]:
    """'localhost:4433', '127.0.0.1:4433' or '[::1]:4433' → (host, port)."""
    host, colon, port_text = target.rpartition(":")
    if not colon or not host:
        raise UsageFailure(f"{target!r}: expected HOST:PORT, e.g. localhost:4433 or [::1]:4433")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise UsageFailure(f"{target!r}: write an IPv6 address in brackets, e.g. [::1]:4433")
    port = parse_port(port_text)
    if port == 0:
        raise UsageFailure(f"{target!r}: port 0 cannot be connected to")
    return host, port


def resolve_loopback(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to; UsageFailure if it does not resolve or if any of
    them is not a loopback address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UsageFailure(f"cannot resolve {host!r}: {getattr(error, 'strerror', None) or error}") from None
    addresses: list[Address] = []
    for family, _, _, _, sockaddr in infos:
        address = Address(socket.AddressFamily(family), str(sockaddr[0]).split("%")[0], port)
        if not ipaddress.ip_address(address.ip).is_loopback:
            shown = host if host == address.ip else f"{host} is {address.ip}, which"
            raise UsageFailure(f"{shown} is not a loopback address: {LOOPBACK_ONLY}")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UsageFailure(f"{host!r} resolves to no address")
    return addresses


__all__ = ["LOOPBACK_ONLY", "Address", "is_ip_literal", "parse_port", "parse_target", "resolve_loopback"]
