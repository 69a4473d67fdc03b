"""The connection's own machinery: the running transcript hash, and the reading of
handshake records, whose common case (one whole message per record, nothing half-read)
takes a shorter path than messages coalesced into one record or cut across several."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives import hashes

from engine.tls.connection import TlsConnection
from engine.tls.constants import CipherSuite, ContentType, HandshakeType
from engine.tls.events import MessageReceived
from engine.tls.keyschedule import KeySchedule
from tests.engine.tls.engine_pair import CLIENT, SERVER, STUDENT, Item, Pair, Rewrite, client, connected, server

# --- the running transcript hash -------------------------------------------------------

SUITE_OF_HASH = {hashes.SHA256: CipherSuite.TLS_AES_128_GCM_SHA256, hashes.SHA384: CipherSuite.TLS_AES_256_GCM_SHA384}


def fresh(algorithm: type[hashes.HashAlgorithm], transcript: list[bytes]) -> bytes:
    hasher = hashes.Hash(algorithm())
    hasher.update(b"".join(transcript))
    return hasher.finalize()


def hashing(algorithm: type[hashes.HashAlgorithm] = hashes.SHA256) -> TlsConnection:
    """An endpoint whose suite (and so transcript hash) is agreed, its transcript empty."""
    endpoint = client()
    endpoint.schedule = KeySchedule(SUITE_OF_HASH[algorithm])
    return endpoint


def transcript_hash(endpoint: TlsConnection, transcript: list[bytes]) -> bytes:
    endpoint.transcript = transcript
    return endpoint.transcript_hash()


MESSAGES = [bytes([n]) * (n + 3) for n in range(6)]


def test_the_running_hash_is_the_hash_of_the_whole_transcript_as_it_grows() -> None:
    endpoint, transcript, messages = hashing(), list[bytes](), iter(MESSAGES)
    assert transcript_hash(endpoint, transcript) == fresh(hashes.SHA256, [])
    for grow_by in (1, 2, 0, 3):
        transcript += [next(messages) for _ in range(grow_by)]
        assert transcript_hash(endpoint, transcript) == fresh(hashes.SHA256, transcript)


def replaced(index: int) -> Callable[[list[bytes]], list[bytes]]:
    """The same list, its message at `index` replaced in place."""
    def rewrite(transcript: list[bytes]) -> list[bytes]:
        transcript[index] = b"other"
        return transcript

    return rewrite


@pytest.mark.parametrize("rewrite", [
    lambda t: [b"message_hash", *t[1:]],  # HelloRetryRequest's rewrite: a new list
    replaced(0),  # the first message
    replaced(-1),  # the last one hashed
    lambda t: t[:-1],  # shorter than what was hashed
    lambda t: [*t[:1], *t[2:]],  # one in the middle gone
], ids=["new first", "first replaced", "last replaced", "shorter", "middle gone"])
def test_a_transcript_that_does_not_continue_what_was_hashed_is_hashed_afresh(
        rewrite: Callable[[list[bytes]], list[bytes]]) -> None:
    endpoint, transcript = hashing(), MESSAGES[:3]
    transcript_hash(endpoint, transcript)
    changed = rewrite(transcript) + [b"next"]
    assert transcript_hash(endpoint, changed) == fresh(hashes.SHA256, changed)


def test_the_same_transcript_asked_again_gives_the_same_hash() -> None:
    endpoint, transcript = hashing(), MESSAGES[:2]
    first = transcript_hash(endpoint, transcript)
    assert transcript_hash(endpoint, transcript) == first == fresh(hashes.SHA256, transcript)


def test_a_new_suite_hash_starts_again() -> None:
    endpoint, transcript = hashing(), MESSAGES[:2]
    transcript_hash(endpoint, transcript)
    endpoint.schedule = KeySchedule(SUITE_OF_HASH[hashes.SHA384])
    assert transcript_hash(endpoint, transcript) == fresh(hashes.SHA384, transcript)


def test_given_messages_are_hashed_on_their_own_and_leave_the_running_hash_as_it_was() -> None:
    endpoint, transcript = hashing(), MESSAGES[:2]
    transcript_hash(endpoint, transcript)
    assert endpoint.transcript_hash(MESSAGES[3:5]) == fresh(hashes.SHA256, MESSAGES[3:5])
    assert transcript_hash(endpoint, transcript + MESSAGES[2:3]) == fresh(hashes.SHA256, MESSAGES[:3])


def test_a_fork_hashes_on_its_own() -> None:
    endpoint, transcript = hashing(), MESSAGES[:2]
    transcript_hash(endpoint, transcript)
    twin = copy.deepcopy(endpoint)
    left, right = transcript + [b"left"], transcript + [b"right"]
    assert transcript_hash(twin, right) == fresh(hashes.SHA256, right)
    assert transcript_hash(endpoint, left) == fresh(hashes.SHA256, left)


# --- handshake records: one message each, coalesced, cut ------------------------------

ENCRYPTED_FLIGHT = {HandshakeType.encrypted_extensions, HandshakeType.certificate,
                    HandshakeType.certificate_request, HandshakeType.certificate_verify}


def coalesced() -> Rewrite:
    """Every encrypted handshake message held back and written with the next Finished, all
    in one record (the messages under one key, the Finished last)."""
    held: list[bytes] = []

    def rewrite(content_type: ContentType, payload: bytes) -> list[Item]:
        if content_type is not ContentType.handshake:
            return [(content_type, payload)]
        if payload[0] in ENCRYPTED_FLIGHT:
            held.append(payload)
            return []
        together = b"".join([*held, payload])
        held.clear()
        return [(content_type, together)]

    return rewrite


def cut(at: int) -> Rewrite:
    """Every handshake message cut in records of `at` bytes."""
    def rewrite(content_type: ContentType, payload: bytes) -> list[Item]:
        if content_type is not ContentType.handshake:
            return [(content_type, payload)]
        return [(content_type, payload[i : i + at]) for i in range(0, len(payload), at)]

    return rewrite


def received(pair: Pair, side: str) -> list[tuple[str, bytes, str | None]]:
    return [(type(e.message).__name__, e.raw, e.protected_by) for e in pair.events[side]
            if isinstance(e, MessageReceived)]


@pytest.mark.parametrize("auth", [False, True], ids=["server auth", "client auth"])
@pytest.mark.parametrize("writes", [coalesced, lambda: cut(1), lambda: cut(3), lambda: cut(100)],
                         ids=["coalesced", "cut 1", "cut 3", "cut 100"])
def test_messages_read_the_same_however_records_carry_them(auth: bool, writes: Callable[[], Rewrite]) -> None:
    def pair(rewrite: Callable[[], Rewrite] | None) -> Pair:
        ends = (client(credential=STUDENT), server(client_auth="require")) if auth else (client(), server())
        if rewrite is None:
            return connected(Pair(*ends))
        return connected(Pair(*ends, client_writes=rewrite(), server_writes=rewrite()))

    plain, changed = pair(None), pair(writes)
    assert len(changed.records_sent(SERVER)) != len(plain.records_sent(SERVER))  # the records did change
    for side in (CLIENT, SERVER):
        assert received(changed, side) == received(plain, side)
        assert changed.endpoint(side).transcript == plain.endpoint(side).transcript
        assert changed.endpoint(side).schedule.secrets == plain.endpoint(side).schedule.secrets  # type: ignore[union-attr]
