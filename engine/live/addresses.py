"""The live link's addresses: RFC 5737 documentation space only (192.0.2.0/24, TEST-NET-1).

The kernel's end of the TUN device is 192.0.2.1; the engine's endpoint plays 192.0.2.2 on
the other side of the wire. The namespace has no other route, so nothing can leave it.
"""

from __future__ import annotations

import ipaddress

NETWORK = ipaddress.IPv4Network("192.0.2.0/24")
NETMASK = NETWORK.netmask
KERNEL_IP = ipaddress.IPv4Address("192.0.2.1")
ENGINE_IP = ipaddress.IPv4Address("192.0.2.2")
TUN_NAME = "synack0"

__all__ = ["ENGINE_IP", "KERNEL_IP", "NETMASK", "NETWORK", "TUN_NAME"]
