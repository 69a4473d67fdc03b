"""A byte map for a TLS entry's wire bytes: the record(s) as sent, ciphertext included.

The engine maps the plaintext message (`LadderEntry.fields`); the record around it is five
bytes of framing (RFC 8446 §5.1, RFC 5246 §6.2) and, once a key is in use, an AEAD
ciphertext and tag: in TLS 1.3 the ciphertext also hides the real content type and any
padding (RFC 8446 §5.2); in TLS 1.2 an AES-GCM record starts with an 8-byte explicit
nonce (RFC 5288 §3). This module reads that framing so the inspector can show the wire view
with the same field tree and hex highlighting. A clear record's fragment is the plaintext
message, so its fields are the engine's spans shifted past the header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.bytemap import FieldSpan
from engine.referee import LadderEntry

HEADER = 5
TAG = 16  # the AEAD tag of every suite in the game (AES-GCM, ChaCha20-Poly1305)
CONTENT_TYPES = {
    20: "change_cipher_spec",
    21: "alert",
    22: "handshake",
    23: "application_data",
}


@dataclass(frozen=True, slots=True)
class _Rfc:
    record: str
    aead: str


TLS13 = _Rfc("RFC 8446 §5.1", "RFC 8446 §5.2")
TLS12 = _Rfc("RFC 5246 §6.2.1", "RFC 5246 §6.2.3.3")


def wire_spans(entry: LadderEntry, *, tls13: bool = True) -> tuple[FieldSpan, ...]:
    """The field spans of `entry.wire`; () if there are no wire bytes."""
    spans: list[FieldSpan] = []
    data = entry.wire
    offset = 0
    number = 0
    while offset + HEADER <= len(data):
        length = int.from_bytes(data[offset + 3 : offset + 5], "big")
        end = min(offset + HEADER + length, len(data))
        spans.extend(_record(entry, data, offset, end, number, tls13=tls13))
        offset = end
        number += 1
    if offset < len(data):
        spans.append(FieldSpan(offset, len(data), "trailing", "Trailing bytes",
                               f"{len(data) - offset} bytes", "Bytes after the last whole record"))
    return tuple(spans)


def _record(
    entry: LadderEntry, data: bytes, start: int, end: int, number: int, *, tls13: bool
) -> list[FieldSpan]:
    rfc = TLS13 if tls13 else TLS12
    kind = data[start]
    kind_name = CONTENT_TYPES.get(kind, "unknown")
    version = int.from_bytes(data[start + 1 : start + 3], "big")
    length = end - start - HEADER
    path = f"record[{number}]"
    encrypted = entry.protected_by is not None
    spans = [
        FieldSpan(start, end, path, "TLS record",
                  f"{length} bytes" + (", encrypted" if encrypted else ", clear"),
                  "One record: a 5-byte header, then the fragment", rfc.record),
        FieldSpan(start, start + 1, f"{path}.type", "Content type", f"{kind_name} ({kind})",
                  "What the record carries; an encrypted record always says application_data "
                  "(23) and hides the real type inside the ciphertext" if encrypted and tls13
                  else "What the record carries", rfc.record, 1),
        FieldSpan(start + 1, start + 3, f"{path}.legacy_record_version",
                  "Legacy version" if tls13 else "Version",
                  f"0x{version:04x}", "0x0303 (TLS 1.2) for compatibility; ignored by TLS 1.3 "
                  "(0x0301 is allowed in a first ClientHello)" if tls13
                  else "The record layer's version: 0x0303 is TLS 1.2", rfc.record, 1),
        FieldSpan(start + 3, start + 5, f"{path}.length", "Length", f"{length} bytes",
                  "How many bytes of fragment follow (a record carries at most 2^14 bytes "
                  "of plaintext)",
                  rfc.record, 1),
    ]
    body = start + HEADER
    if not encrypted:
        spans.append(FieldSpan(body, end, f"{path}.fragment", "Fragment", f"{length} bytes, clear",
                               "The message itself, not encrypted: anyone on the path can read it",
                               rfc.record, 1))
        if number == 0 and data[body : body + len(entry.raw)] == entry.raw:
            spans.extend(_shifted(entry.fields, body, depth=2))
        return spans
    tag_start = max(body, end - TAG)
    key = entry.protected_by
    sealed_start = body
    if not tls13:  # AES-GCM sends 8 bytes of its nonce; ChaCha20-Poly1305 sends none
        explicit = max(0, tag_start - body - len(entry.raw))
        if explicit:
            sealed_start = body + explicit
            spans.append(FieldSpan(body, sealed_start, f"{path}.explicit_nonce", "Explicit nonce",
                                   f"{explicit} bytes", "The per-record part of the AES-GCM "
                                   "nonce, sent in the clear (RFC 5288 §3)", rfc.aead, 1))
    sealed = tag_start - sealed_start
    if tls13:
        padding = sealed - len(entry.raw) - 1
        inside = f" ({len(entry.raw)} message + 1 type + {padding} padding)" if padding >= 0 else ""
        hidden = "The message, its real content type and any padding"
    else:
        inside, hidden = "", "The message"
    spans.append(FieldSpan(sealed_start, tag_start, f"{path}.encrypted_record", "Encrypted record",
                           f"{sealed} bytes of ciphertext{inside}",
                           f"{hidden}, encrypted with the key {'derived from ' if tls13 else ''}"
                           f"{key}", rfc.aead, 1))
    spans.append(FieldSpan(tag_start, end, f"{path}.tag", "Authentication tag",
                           f"{end - tag_start} bytes",
                           "The AEAD tag: the peer rejects the record (bad_record_mac) if one bit "
                           "of the header or ciphertext changed", rfc.aead, 1))
    return spans


def _shifted(spans: Iterable[FieldSpan], by: int, *, depth: int) -> list[FieldSpan]:
    return [
        FieldSpan(s.start + by, s.end + by, s.path, s.label, s.value, s.meaning, s.rfc,
                  s.depth + depth)
        for s in spans
    ]
