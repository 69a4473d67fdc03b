"""What the engine does fast gives what the plain way gives.

- The FastReader (no paths, no spans) that reads handshake messages first accepts exactly
  the bytes the full Reader accepts and reads them as the same values; a fault it finds is
  read again by the full Reader, so the alert and its reason never change.
- The HMAC the key schedule and the PRF write out over hashlib is RFC 2104's."""

from __future__ import annotations

import hmac
import os

import pytest
from cryptography.hazmat.primitives import hashes

from engine.tls import alerts
from engine.tls.codec import FastReader, Reader, SpanRecorder
from engine.tls.constants import HandshakeType
from engine.tls.keyschedule import hmac_digest
from engine.tls.message_base import DecodeContext, read_handshake, read_message
from engine.tls.messages import decode_handshake, handshake_classes
from engine.tls.prf import p_hash
from tests.engine.tls.test_messages import CASES, IDS, ROBUSTNESS


def _outcome(read: object) -> tuple[str, object]:
    try:
        message = read()  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - compared, not handled
        return "raised", error
    return "read", message


def _variants(data: bytes) -> list[bytes]:
    """The message, every truncation, every body cut with the header fixed up, and every
    byte changed to 00, ff and ±1."""
    header_fixed = [data[:1] + len(data[4:4 + n]).to_bytes(3, "big") + data[4:4 + n]
                    for n in range(max(0, len(data) - 4))]
    changed = [data[:at] + bytes([value]) + data[at + 1:]
               for at in range(len(data))
               for value in {0x00, 0xFF, (data[at] + 1) % 256, (data[at] - 1) % 256} - {data[at]}]
    return [data, *(data[:n] for n in range(len(data))), *header_fixed, *changed]


def _check(data: bytes, context: DecodeContext) -> None:
    classes = handshake_classes(context)
    full = _outcome(lambda: read_message(Reader(data), classes, context, alerts.UnexpectedMessage))
    fast = _outcome(lambda: read_message(FastReader(data), classes, context, alerts.UnexpectedMessage))
    assert fast[0] == full[0], (data.hex(), full, fast)
    shown = _outcome(lambda: decode_handshake(data, context=context))
    mapped = _outcome(lambda: read_handshake(data, classes, context, SpanRecorder(), alerts.UnexpectedMessage))
    if full[0] == "read":
        assert fast[1] == full[1] == shown[1] == mapped[1], data.hex()
        assert type(fast[1]) is type(full[1]) is type(shown[1])
    else:
        error = full[1]
        assert isinstance(error, alerts.Alert), (data.hex(), error)
        for other in (shown[1], mapped[1]):
            assert (type(other), other.reason, other.section) == (type(error), error.reason, error.section)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=IDS)
def test_fast_and_full_readers_agree_on_every_variant(name: str, message: object, expected: bytes) -> None:
    context = message.decode_context()  # type: ignore[attr-defined]
    for data in _variants(expected):
        _check(data, context)


@pytest.mark.parametrize(("name", "data", "context", "alert"), ROBUSTNESS, ids=[row[0] for row in ROBUSTNESS])
def test_fast_and_full_readers_agree_on_bad_input(name: str, data: bytes, context: DecodeContext,
                                                  alert: type[alerts.Alert]) -> None:
    for variant in _variants(data) if data else [data]:
        _check(variant, context)


def test_a_fault_reads_the_same_with_either_reader() -> None:
    data = bytes([HandshakeType.client_hello]) + (3).to_bytes(3, "big") + b"\x03\x03\x00"
    with pytest.raises(alerts.DecodeError) as caught:
        decode_handshake(data)
    assert caught.value.reason == "client_hello.random at byte 6: needs 32 bytes, only 1 left"


def _reference_p_hash(secret: bytes, seed: bytes, length: int, name: str) -> bytes:
    """RFC 5246 §5 P_hash, each HMAC taken whole by the standard library."""
    output, a = b"", seed
    while len(output) < length:
        a = hmac.digest(secret, a, name)
        output += hmac.digest(secret, a + seed, name)
    return output[:length]


def test_the_written_out_hmac_is_hmac() -> None:
    """The key schedule's one-shot HMAC, and the PRF's HMACs written out over hashes keyed
    once, are RFC 2104's, for every key length (shorter, as long as and longer than the
    hash's block)."""
    for hash in (hashes.SHA256, hashes.SHA384, hashes.SHA512):
        for key_length in (0, 1, 32, 48, 64, 65, 128, 129, 300):
            key, message = os.urandom(key_length), os.urandom(key_length % 7 * 31)
            assert hmac_digest(key, message, hash) == hmac.digest(key, message, hash.name)
            for length in (12, 48, 104):  # a Finished, a master secret, a key block: 1 to 3+ blocks
                assert p_hash(key, message, length, hash) == _reference_p_hash(key, message, length, hash.name)
