"""A ladder entry's fields in full detail, built when the UI asks for them.

The byte map a game puts on a `LadderEntry` stops at opaque blobs the handshake does not
need to look into; a certificate's DER is the one a player must read (whose name, signed
by whom, valid when). `detailed_fields` inserts the certificate's own fields under each
`cert_data` span (engine.tls.cert_map), once per entry, off the handshake path.
"""

from __future__ import annotations

from functools import lru_cache

from engine.bytemap import FieldSpan
from engine.referee.types import LadderEntry

CERT_DATA = ".cert_data"
LENGTH_PREFIX = 3  # cert_data is opaque ASN.1Cert<1..2^24-1> (RFC 8446 §4.4.2, RFC 5246 §7.4.2)


def detailed_fields(entry: LadderEntry) -> tuple[FieldSpan, ...]:
    fields = tuple(entry.fields)
    if entry.kind != "Certificate" or not any(span.path.endswith(CERT_DATA) for span in fields):
        return fields
    return _with_certificates(entry.raw, fields)


@lru_cache(maxsize=32)
def _with_certificates(raw: bytes, fields: tuple[FieldSpan, ...]) -> tuple[FieldSpan, ...]:
    from engine.tls.cert_map import certificate_spans

    detailed: list[FieldSpan] = []
    pending: list[FieldSpan] = []  # a certificate's spans go in after its length field
    for span in fields:
        detailed.append(span)
        if span.path.endswith(CERT_DATA):
            start = span.start + LENGTH_PREFIX
            pending = certificate_spans(raw[start : span.end], start, span.path, span.depth + 1)
        elif pending and span.path.endswith(CERT_DATA + ".length"):
            detailed.extend(pending)
            pending = []
    return tuple(detailed)
