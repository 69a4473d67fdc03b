"""A pcapng writer: the four block types a synack capture needs, little-endian.

Section Header Block, Interface Description Block, Decryption Secrets Block and Enhanced
Packet Block, as laid out by the pcapng specification (draft-ietf-opsawg-pcapng): every
block is `type, total length, body, total length`, bodies and option values padded to 32
bits, options as `code, length, value` ended by `opt_endofopt`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

__all__ = [
    "LINKTYPE_RAW",
    "SECRETS_TLS_KEY_LOG",
    "decryption_secrets_block",
    "enhanced_packet_block",
    "interface_description_block",
    "section_header_block",
]

SHB_TYPE = 0x0A0D0D0A
IDB_TYPE = 0x00000001
EPB_TYPE = 0x00000006
DSB_TYPE = 0x0000000A
BYTE_ORDER_MAGIC = 0x1A2B3C4D
LINKTYPE_RAW = 101  # raw IP: each packet starts with its IPv4 (or IPv6) header
SECRETS_TLS_KEY_LOG = 0x544C534B  # "TLSK": the secrets are an NSS key log

OPT_ENDOFOPT = 0
OPT_COMMENT = 1
SHB_USERAPPL = 4
IF_NAME = 2
IF_DESCRIPTION = 3
IF_TSRESOL = 9
TSRESOL_MICROSECONDS = 6  # 10**-6 s, the specification's default, written out anyway
SNAPLEN = 262144


def _pad(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _options(options: Sequence[tuple[int, bytes]]) -> bytes:
    if not options:
        return b""
    encoded = b"".join(struct.pack("<HH", code, len(value)) + _pad(value) for code, value in options)
    return encoded + struct.pack("<HH", OPT_ENDOFOPT, 0)


def _comments(comments: Iterable[str]) -> list[tuple[int, bytes]]:
    return [(OPT_COMMENT, text.encode("utf-8")) for text in comments if text]


def _block(block_type: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def section_header_block(application: str, comments: Iterable[str] = ()) -> bytes:
    """Opens the file; the section length is -1 (not given)."""
    body = struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1)
    body += _options([*_comments(comments), (SHB_USERAPPL, application.encode("utf-8"))])
    return _block(SHB_TYPE, body)


def interface_description_block(name: str, description: str = "") -> bytes:
    """Interface 0: raw IP packets, microsecond timestamps."""
    body = struct.pack("<HHI", LINKTYPE_RAW, 0, SNAPLEN)
    options = [(IF_NAME, name.encode("utf-8")), (IF_TSRESOL, bytes([TSRESOL_MICROSECONDS]))]
    if description:
        options.insert(1, (IF_DESCRIPTION, description.encode("utf-8")))
    return _block(IDB_TYPE, body + _options(options))


def decryption_secrets_block(secrets: bytes, secrets_type: int = SECRETS_TLS_KEY_LOG) -> bytes:
    """Secrets a reader needs to decrypt the packets after it (for TLS: key log lines)."""
    body = struct.pack("<II", secrets_type, len(secrets)) + _pad(secrets)
    return _block(DSB_TYPE, body)


def enhanced_packet_block(packet: bytes, microseconds: int, comments: Iterable[str] = (),
                          interface: int = 0) -> bytes:
    """One packet, captured whole, at `microseconds` since the Unix epoch."""
    body = struct.pack("<IIIII", interface, microseconds >> 32, microseconds & 0xFFFFFFFF,
                       len(packet), len(packet))
    body += _pad(packet) + _options(_comments(comments))
    return _block(EPB_TYPE, body)
