"""The TLS 1.3 endpoints against a misbehaving peer: every fault gets the alert RFC 8446
names, from the endpoint that saw it, and then silence.

An engine client and an engine server talk in memory (`engine_pair.Pair`); a man in the
middle changes what one of them writes (before the record layer seals it, so the change
still arrives under the right key) or the bytes of a flight on the wire. Each row of
`CASES` says who must send which alert. `check_alert` holds what every row asserts:

- exactly that alert, sent by that endpoint, and no alert at all from the other one,
  which read it (AlertReceived) — unless the fault left the two with different keys, when
  the peer cannot read it and says bad_record_mac (`peer_answer`);
- where the alert alone would not show which check fired, the RFC section it cites;
- the alert is the last record the endpoint sent;
- the endpoint is CLOSED and stays silent: more bytes, a flush, a close give nothing, and
  a move raises MoveImpossible.

Where the RFC names no alert, or lets the implementation choose, the row says so. Then:
every handshake message cut at many lengths; alerts received; and a fuzzer that mutates
every flight of three handshakes 2,000 times and requires that receive() never raises.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from engine.rng import SeededRandom
from engine.tls import groups
from engine.tls.alerts import AlertDescription as A
from engine.tls.config import SessionTicket, TicketStore
from engine.tls.connection import Output, TlsConnection
from engine.tls.constants import (
    DOWNGRADE_TLS11,
    DOWNGRADE_TLS12,
    HELLO_RETRY_REQUEST_RANDOM,
    CipherSuite,
    ContentType,
    ExtensionType,
    HandshakeType as HT,
    KeyUpdateRequest,
    NamedGroup,
    ProtocolVersion,
    SignatureScheme,
)
from engine.tls.events import AlertReceived, AlertSent, MessageSent
from engine.tls.extensions import (
    Alpn,
    Cookie,
    KeyShareClientHello,
    KeyShareEntry,
    KeyShareHelloRetryRequest,
    KeyShareServerHello,
    PreSharedKeyServerHello,
    SupportedVersionsServerHello,
    UnknownExtension,
)
from engine.tls.messages import (
    Certificate,
    CertificateEntry,
    ClientHello,
    EncryptedExtensions,
    KeyUpdate,
    NewSessionTicket,
    ServerHello,
)
from engine.tls.server13 import TlsServer
from tests.engine.tls.engine_pair import (
    CA,
    CLIENT,
    OTHER_CA,
    PEER,
    SERVER,
    STRANGER,
    STUDENT,
    Capture,
    Flight,
    Item,
    Pair,
    Rewrite,
    Sealed,
    Wire,
    assert_silent,
    body,
    chain,
    check_alert,
    client,
    connected,
    cut_to,
    decode,
    drop,
    expired_clock,
    field_span,
    fuzz,
    lengths,
    message,
    on,
    on_content,
    on_records,
    one_record,
    passthrough,
    plain_record,
    records,
    rehead,
    remove_extension,
    replace_extension,
    seal_inner,
    server,
    set_field,
    twice,
)

AES128, AES256 = CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384
X25519, P256, P384 = NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1
TLS12_SUITE = 0xC02B  # TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256


@dataclass(frozen=True)
class Case:
    id: str
    side: str  # the endpoint that must send the alert
    alert: A
    play: Callable[[], Pair]
    section: str = ""  # where the rule is, when the alert alone would not show which check fired
    peer_answer: A | None = None  # see check_alert


# --- building blocks -------------------------------------------------------------------------


def with_server(make: Callable[[TlsServer], Pair], **overrides: Any) -> Callable[[], Pair]:
    """A case whose rewrite needs the server itself (to seal records under its key)."""

    def play() -> Pair:
        return make(server(**overrides))

    return play


def x25519_point(seed: int) -> bytes:
    return groups.generate(X25519, SeededRandom(seed)).public_bytes()


def p256_point(seed: int) -> bytes:
    return groups.generate(P256, SeededRandom(seed)).public_bytes()


OFF_CURVE_P256 = p256_point(11)[:-1] + bytes([p256_point(11)[-1] ^ 1])
COMPRESSED_P256 = bytes([2 + (p256_point(11)[-1] & 1)]) + p256_point(11)[1:33]


def server_share(group: int, key: bytes) -> Callable[[bytes], list[Item]]:
    return message(lambda sh: replace_extension(sh, KeyShareServerHello(KeyShareEntry(group, key))))


def client_share(group: int, key: bytes) -> Callable[[bytes], list[Item]]:
    return message(lambda ch: replace_extension(ch, KeyShareClientHello((KeyShareEntry(group, key),))))


def tls12_server_hello(sentinel: bytes) -> Callable[[bytes], list[Item]]:
    """The server answers as a TLS 1.2 server would (no supported_versions), its random
    ending in `sentinel` (b"" for none)."""

    def change(raw: bytes) -> list[Item]:
        sh = decode(raw)
        random_ = sh.random[: 32 - len(sentinel)] + sentinel
        hello = ServerHello(random_, sh.legacy_session_id_echo, TLS12_SUITE, extensions=(), extensions_block=False)
        return records(hello.encode())

    return change


def selected_version(version: int) -> Callable[[bytes], list[Item]]:
    return message(lambda sh: replace_extension(sh, SupportedVersionsServerHello(version)))


def retry_for(group: int) -> Callable[[bytes], list[Item]]:
    return message(lambda hrr: replace_extension(hrr, KeyShareHelloRetryRequest(group)))


def into_retry(raw: bytes) -> list[Item]:
    """This ServerHello becomes a HelloRetryRequest (for P-256)."""
    sh = decode(raw)
    extensions = (SupportedVersionsServerHello(ProtocolVersion.TLS1_3), KeyShareHelloRetryRequest(P256))
    return records(ServerHello(HELLO_RETRY_REQUEST_RANDOM, sh.legacy_session_id_echo, sh.cipher_suite, extensions).encode())


def flip_last_byte(raw: bytes) -> list[Item]:
    return records(raw[:-1] + bytes([raw[-1] ^ 0x01]))


def flip_record(index: int, at: int = -1) -> Callable[[list[bytes]], list[bytes]]:
    """Flip one bit of record `index` (at byte `at` of the record)."""

    def change(rs: list[bytes]) -> list[bytes]:
        r = bytearray(rs[index])
        r[at] ^= 0x10
        return rs[:index] + [bytes(r)] + rs[index + 1 :]

    return change


def encrypted(rs: list[bytes]) -> list[int]:
    return [i for i, r in enumerate(rs) if r[0] == ContentType.application_data]


def on_encrypted(change: Callable[[list[bytes], list[int]], list[bytes]], flight: int = 0) -> Wire:
    """A wire that changes one flight, told which of its records are protected."""
    return on_records(lambda rs: change(rs, encrypted(rs)), flight)


def hold(first: int, until_after: int) -> Rewrite:
    """A rewrite that sends message `first` only after message `until_after`."""
    held: list[bytes] = []

    def rewrite(content_type: ContentType, payload: bytes) -> list[Item]:
        if content_type is ContentType.handshake and payload[0] == first:
            held.append(payload)
            return []
        if content_type is ContentType.handshake and payload[0] == until_after:
            return records(payload, *held)
        return [(content_type, payload)]

    return rewrite


def bad_signature(kind: str) -> Callable[[], Pair]:
    """A server with a `kind` certificate whose CertificateVerify signature is bent."""
    return lambda: Pair(client(), server(kind=kind), server_writes=on(HT.certificate_verify, flip_last_byte)).run()


def auth_pair(**kw: Any) -> Pair:
    """The server requires a client certificate; the client has one."""
    return Pair(client(credential=STUDENT), server(client_auth="require"), **kw)


def hrr_pair(**kw: Any) -> Pair:
    """The client sends an x25519 share; the server wants P-256: a HelloRetryRequest."""
    return Pair(client(key_share_groups=(X25519,)), server(groups=(P256,)), **kw)


def after_handshake(pair: Pair, side: str, act: Callable[[TlsConnection], Output]) -> Pair:
    """Connect, then let `side` do something (its output goes across)."""
    connected(pair)
    return pair.deliver(side, act(pair.endpoint(side)))


def ticket_pair() -> tuple[TicketStore, SessionTicket]:
    """A ticket from a first full handshake, and the server's memory of it."""
    store = TicketStore()
    first = connected(Pair(client(), server(tickets=store)))
    return store, first.client.received_tickets[0]


def resume_pair(**kw: Any) -> Pair:
    store, ticket = ticket_pair()
    return Pair(client(seed=9, resume=ticket), server(seed=10, tickets=store), **kw)


# --- the table -------------------------------------------------------------------------------

CASES = [
    # Records (RFC 8446 §5)
    Case("plaintext record over 2^14", SERVER, A.record_overflow,
         lambda: Pair(client(), server(), to_server=lambda n, d: plain_record(22, bytes(2**14 + 1))).run()),
    Case("protected record over 2^14+256", CLIENT, A.record_overflow,
         with_server(lambda s: Pair(client(), s, server_writes=on(HT.encrypted_extensions, lambda raw: [Sealed(
             plain_record(23, bytes(2**14 + 257)))])).run())),
    Case("TLSInnerPlaintext over 2^14+1", CLIENT, A.record_overflow,
         with_server(lambda s: Pair(client(), s, server_writes=on(HT.encrypted_extensions, lambda raw: [
             seal_inner(s, raw + b"\x16" + bytes(2**14 + 1 - len(raw)))])).run())),
    Case("unknown record type", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), to_server=lambda n, d: plain_record(0x63, b"\x01") + d).run()),
    Case("unknown inner content type", CLIENT, A.unexpected_message,
         with_server(lambda s: Pair(client(), s, server_writes=on(HT.encrypted_extensions, lambda raw: [
             seal_inner(s, raw + b"\x63")])).run())),
    Case("inner plaintext all zeros", CLIENT, A.unexpected_message,
         with_server(lambda s: Pair(client(), s, server_writes=on(HT.encrypted_extensions, lambda raw: [
             seal_inner(s, bytes(8))])).run())),
    Case("flipped bit in server ciphertext", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: flip_record(e[0], 9)(rs))).run()),
    Case("flipped bit in server tag", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: flip_record(e[1], -1)(rs))).run()),
    Case("flipped bit in client ciphertext", SERVER, A.bad_record_mac,
         lambda: Pair(client(), server(), to_server=on_encrypted(lambda rs, e: flip_record(e[0], 7)(rs), 1)).run()),
    Case("changed record header (additional data)", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: [
             r if i != e[0] else r[:2] + b"\x01" + r[3:] for i, r in enumerate(rs)])).run()),
    Case("records swapped", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: [
             rs[e[1]] if i == e[0] else rs[e[0]] if i == e[1] else r for i, r in enumerate(rs)])).run()),
    Case("record replayed", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: rs[: e[0] + 1] + rs[e[0]:])).run()),
    Case("record dropped", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: rs[: e[0]] + rs[e[0] + 1:])).run()),
    Case("record shorter than its tag", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), to_client=on_encrypted(lambda rs, e: rs[: e[0]] + [plain_record(23, b"short")])).run()),
    # The client's handshake keys are not the server's: its alert (under its handshake
    # key) is as unreadable to the server as the server's records were to it.
    Case("key share replaced by another valid point", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, server_share(X25519, x25519_point(12)))).run(),
         peer_answer=A.bad_record_mac),
    # A TLS 1.3 ServerHello may end in the sentinel by chance: the client must not check it
    # (RFC 8446 §4.1.3 is about ServerHellos that indicate TLS 1.2 or below); the changed
    # random then changes the keys, which the first protected record shows.
    Case("sentinel in a TLS 1.3 ServerHello is not a downgrade", CLIENT, A.bad_record_mac,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, random=sh.random[:24] + DOWNGRADE_TLS12)))).run(),
         peer_answer=A.bad_record_mac),
    Case("plaintext handshake record under a key", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, twice)).run()),
    Case("handshake message spanning a key change (part)", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, lambda raw: one_record(raw, b"\x08\x00"))).run(),
         "RFC 8446 §5.1"),
    Case("handshake message spanning a key change (whole)", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=chain(
             on(HT.server_hello, lambda raw: one_record(raw, EncryptedExtensions().encode())),
             on(HT.encrypted_extensions, drop))).run(),
         "RFC 8446 §5.1"),
    Case("client Finished and more in one record", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on(HT.finished, lambda raw: one_record(raw, KeyUpdate(KeyUpdateRequest.update_not_requested).encode()))).run(),
         "RFC 8446 §5.1"),
    Case("server Finished twice in one record", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.finished, lambda raw: one_record(raw, raw))).run(),
         "RFC 8446 §5.1"),
    Case("two KeyUpdates in one record", SERVER, A.unexpected_message,
         lambda: after_handshake(Pair(client(), server(), client_writes=on(HT.key_update, lambda raw: one_record(raw, raw))),
                                 CLIENT, lambda c: c.send("KeyUpdate")),
         "RFC 8446 §5.1"),
    # §5.1 forbids interleaving but names no alert; §5's unexpected_message fits.
    Case("ClientHello and part of a message in one record", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, lambda raw: one_record(raw, b"\x14\x00"))).run(),
         "RFC 8446 §5.1"),
    Case("handshake message interleaved with a CCS", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, lambda raw: [
             (ContentType.handshake, raw[:3]), (ContentType.change_cipher_spec, b"\x01"),
             (ContentType.handshake, raw[3:])])).run(),
         "RFC 8446 §5.1"),
    # ChangeCipherSpec (RFC 8446 §5)
    Case("CCS byte 0x02", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on_content(ContentType.change_cipher_spec,
                                                                   lambda p: [(ContentType.change_cipher_spec, b"\x02")])).run()),
    Case("CCS of two bytes", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on_content(ContentType.change_cipher_spec,
                                                                   lambda p: [(ContentType.change_cipher_spec, b"\x01\x01")])).run()),
    Case("CCS before the ClientHello", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), to_server=lambda n, d: plain_record(20, b"\x01") + d if n == 0 else d).run()),
    Case("protected CCS", CLIENT, A.unexpected_message,
         with_server(lambda s: Pair(client(), s, server_writes=on(HT.encrypted_extensions, lambda raw: [
             seal_inner(s, b"\x01\x14"), (ContentType.handshake, raw)])).run())),
    Case("CCS after the handshake", CLIENT, A.unexpected_message,
         lambda: after_handshake(Pair(client(), server()), SERVER, lambda s: s.send("ChangeCipherSpec"))),
    # Alerts and application data
    Case("plaintext alert after a protected record", SERVER, A.unexpected_message,
         lambda: auth_pair(to_server=on_encrypted(lambda rs, e: rs[: e[0] + 1] + [plain_record(21, b"\x02\x28")], 1)).run(),
         "RFC 8446 §5.2"),
    Case("alert of three bytes", SERVER, A.decode_error,
         lambda: Pair(client(), server(), to_server=lambda n, d: plain_record(21, b"\x02\x28\x00") + d).run()),
    Case("protected alert of one byte", SERVER, A.decode_error,
         lambda: Pair(client(), server(), client_writes=on(HT.finished, lambda raw: [(ContentType.alert, b"\x02")])).run()),
    Case("plaintext application data before the ClientHello", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), to_server=lambda n, d: plain_record(23, b"GET /") + d).run()),
    Case("application data before the client's Finished", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on(HT.finished, lambda raw: [(ContentType.application_data, b"GET /")])).run()),
    Case("application data before the server's Finished", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate_verify, lambda raw: [
             (ContentType.application_data, b"early")])).run()),
    # Malformed messages (decode_error, RFC 8446 §6: "cannot be parsed according to the syntax")
    Case("legacy_session_id longer than 32", SERVER, A.decode_error,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, set_field(
             "client_hello.legacy_session_id.length", b"\x21"))).run()),
    Case("cipher_suites of odd length", SERVER, A.decode_error,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, set_field(
             "client_hello.cipher_suites.length", b"\x00\x05"))).run()),
    Case("extension length overruns the block", SERVER, A.decode_error,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, set_field(
             "client_hello.extensions[1].extension_data.length", b"\xff\xff"))).run()),
    Case("key_exchange length overruns its entry", CLIENT, A.decode_error,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, set_field(
             "server_hello.extensions[1].extension_data.server_share.key_exchange.length", b"\x00\x21"))).run()),
    Case("cert_data length overruns the list", CLIENT, A.decode_error,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, set_field(
             "certificate.certificate_list[0].cert_data.length", b"\x00\xff\xff"))).run()),
    Case("handshake length shorter than the message", CLIENT, A.decode_error,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, lambda raw: records(
             raw[:1] + (len(raw) - 5).to_bytes(3, "big") + raw[4:]))).run()),
    Case("unknown handshake type", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, lambda raw: records(
             rehead(99, b""), raw))).run()),
    # Duplicated, skipped and out-of-order messages (RFC 8446 §4, the state machines of App. A)
    Case("ClientHello twice", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, twice)).run()),
    Case("EncryptedExtensions twice", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, twice)).run()),
    Case("Certificate twice", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, twice)).run()),
    Case("CertificateVerify twice", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate_verify, twice)).run()),
    Case("client Certificate twice", SERVER, A.unexpected_message,
         lambda: auth_pair(client_writes=on(HT.certificate, twice)).run()),
    Case("ServerHello missing", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, drop)).run()),
    Case("EncryptedExtensions missing", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, drop)).run()),
    Case("Certificate missing", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, drop)).run()),
    Case("CertificateVerify missing", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate_verify, drop)).run()),
    Case("client Certificate missing", SERVER, A.unexpected_message,
         lambda: auth_pair(client_writes=on(HT.certificate, drop)).run()),
    Case("client CertificateVerify missing", SERVER, A.unexpected_message,
         lambda: auth_pair(client_writes=on(HT.certificate_verify, drop)).run()),
    Case("Certificate before EncryptedExtensions", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=hold(HT.encrypted_extensions, HT.certificate)).run()),
    Case("CertificateVerify before Certificate", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=hold(HT.certificate, HT.certificate_verify)).run()),
    Case("Finished before CertificateVerify", CLIENT, A.unexpected_message,
         lambda: Pair(client(), server(), server_writes=hold(HT.certificate_verify, HT.finished)).run()),
    Case("CertificateRequest after Certificate", CLIENT, A.unexpected_message,
         lambda: auth_pair(server_writes=hold(HT.certificate_request, HT.certificate)).run()),
    Case("client CertificateVerify before Certificate", SERVER, A.unexpected_message,
         lambda: auth_pair(client_writes=hold(HT.certificate, HT.certificate_verify)).run()),
    Case("ClientHello after the handshake", SERVER, A.unexpected_message,
         lambda: after_handshake(Pair(client(), server(), client_writes=on(HT.key_update, lambda raw: records(
             ClientHello(bytes(32), b"", (AES128,)).encode()))), CLIENT, lambda c: c.send("KeyUpdate"))),
    Case("NewSessionTicket from the client", SERVER, A.unexpected_message,
         lambda: after_handshake(Pair(client(), server(), client_writes=on(HT.key_update, lambda raw: records(
             NewSessionTicket(60, 0, b"", b"t").encode()))), CLIENT, lambda c: c.send("KeyUpdate"))),
    # KeyUpdate (RFC 8446 §4.6.3)
    Case("KeyUpdate before Finished", SERVER, A.unexpected_message,
         lambda: Pair(client(), server(), client_writes=on(HT.finished, lambda raw: records(KeyUpdate(KeyUpdateRequest.update_not_requested).encode(), raw))).run()),
    Case("KeyUpdate request_update 2", CLIENT, A.illegal_parameter,
         lambda: after_handshake(Pair(client(), server(), server_writes=on(HT.key_update, body(lambda b: b"\x02"))),
                                 SERVER, lambda s: s.send("KeyUpdate"))),
    # ServerHello (RFC 8446 §4.1.3, §4.2.1, §4.2.8)
    Case("suite not offered", CLIENT, A.illegal_parameter,
         lambda: Pair(client(cipher_suites=(AES128,)), server(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, cipher_suite=AES256)))).run()),
    Case("legacy_session_id_echo mismatch", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, legacy_session_id_echo=bytes(32))))).run()),
    Case("legacy_compression_method 1", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, legacy_compression_method=1)))).run()),
    Case("supported_versions selects TLS 1.2", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, selected_version(0x0303))).run()),
    Case("supported_versions selects a version not offered", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, selected_version(0x0305))).run()),
    Case("TLS 1.2 ServerHello with the TLS 1.2 downgrade sentinel", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, tls12_server_hello(DOWNGRADE_TLS12))).run()),
    Case("TLS 1.2 ServerHello with the TLS 1.1 downgrade sentinel", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, tls12_server_hello(DOWNGRADE_TLS11))).run()),
    Case("sentinel, client that also speaks TLS 1.2", CLIENT, A.illegal_parameter,
         lambda: Pair(client(versions=(ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)), server(),
                      server_writes=on(HT.server_hello, tls12_server_hello(DOWNGRADE_TLS12))).run()),
    # Appendix D.1: a version the client did not offer is protocol_version.
    Case("TLS 1.2 ServerHello, no sentinel, 1.3-only client", CLIENT, A.protocol_version,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, tls12_server_hello(b""))).run()),
    Case("key share for a group with no share", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, server_share(P256, p256_point(13)))).run()),
    Case("key share for a group not offered at all", CLIENT, A.illegal_parameter,
         lambda: Pair(client(groups=(X25519,)), server(), server_writes=on(HT.server_hello, server_share(P384, bytes(97)))).run()),
    Case("server x25519 share all zeros", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, server_share(X25519, bytes(32)))).run()),
    Case("server x25519 share of 31 bytes", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, server_share(X25519, bytes(31)))).run()),
    Case("server P-256 point not on the curve", CLIENT, A.illegal_parameter,
         lambda: Pair(client(key_share_groups=(P256,)), server(), server_writes=on(
             HT.server_hello, server_share(P256, OFF_CURVE_P256))).run()),
    # Extensions (RFC 8446 §4.2)
    Case("EncryptedExtensions with key_share", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, lambda raw: records(
             EncryptedExtensions((UnknownExtension(ExtensionType.key_share, b"\x00\x1d"),)).encode()))).run()),
    Case("ServerHello with ALPN", CLIENT, A.illegal_parameter,
         lambda: Pair(client(alpn=("h2",)), server(alpn=("h2",)), server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, Alpn((b"h2",)))))).run()),
    Case("ALPN the client never asked for", CLIENT, A.unsupported_extension,
         lambda: Pair(client(), server(), server_writes=on(HT.encrypted_extensions, lambda raw: records(
             EncryptedExtensions((Alpn((b"h2",)),)).encode()))).run()),
    Case("pre_shared_key the client never sent", CLIENT, A.unsupported_extension,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, PreSharedKeyServerHello(0))))).run()),
    # RFC 8446 §4.2 forbids a type twice in a block and names no alert: the decoder says illegal_parameter.
    Case("extension twice in ServerHello", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, extensions=sh.extensions + sh.extensions[:1])))).run()),
    # ClientHello (RFC 8446 §4.1.1, §4.1.2, §9.2)
    Case("no supported_versions", SERVER, A.protocol_version,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.supported_versions)))).run()),
    Case("supported_versions without TLS 1.3", SERVER, A.protocol_version,
         lambda: Pair(client(versions=(ProtocolVersion.TLS1_2,)), server()).run()),
    Case("no signature_algorithms", SERVER, A.missing_extension,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.signature_algorithms)))).run()),
    Case("key_share without supported_groups", SERVER, A.missing_extension,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.supported_groups)))).run()),
    Case("supported_groups without key_share", SERVER, A.missing_extension,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.key_share)))).run()),
    Case("no common suite", SERVER, A.handshake_failure,
         lambda: Pair(client(cipher_suites=(AES256,)), server(cipher_suites=(AES128,))).run()),
    # RFC 8446 §4.1.1 allows handshake_failure or insufficient_security here.
    Case("no common group", SERVER, A.handshake_failure,
         lambda: Pair(client(groups=(P384,), key_share_groups=(P384,)), server(groups=(X25519,))).run()),
    Case("no common signature scheme", SERVER, A.handshake_failure,
         lambda: Pair(client(signature_schemes=(SignatureScheme.ecdsa_secp256r1_sha256,)), server()).run()),
    Case("compression methods other than [0]", SERVER, A.illegal_parameter,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: dataclasses.replace(ch, legacy_compression_methods=b"\x01\x00")))).run()),
    Case("client x25519 share all zeros", SERVER, A.illegal_parameter,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, client_share(X25519, bytes(32)))).run()),
    Case("client P-256 point not on the curve", SERVER, A.illegal_parameter,
         lambda: Pair(client(key_share_groups=(P256,)), server(), client_writes=on(
             HT.client_hello, client_share(P256, OFF_CURVE_P256))).run()),
    Case("client P-256 point compressed", SERVER, A.illegal_parameter,
         lambda: Pair(client(key_share_groups=(P256,)), server(), client_writes=on(
             HT.client_hello, client_share(P256, COMPRESSED_P256))).run()),
    Case("extension not allowed in ClientHello", SERVER, A.illegal_parameter,
         lambda: Pair(client(), server(), client_writes=on(HT.client_hello, message(
             lambda ch: replace_extension(ch, UnknownExtension(ExtensionType.oid_filters, b"\x00\x00"))))).run()),
    # HelloRetryRequest (RFC 8446 §4.1.4, §4.2.8)
    Case("second HelloRetryRequest", CLIENT, A.unexpected_message,
         lambda: hrr_pair(server_writes=on(HT.server_hello, into_retry, nth=2)).run()),
    Case("HelloRetryRequest for a group already sent", CLIENT, A.illegal_parameter,
         lambda: hrr_pair(server_writes=on(HT.server_hello, retry_for(X25519))).run()),
    Case("HelloRetryRequest for a group not offered", CLIENT, A.illegal_parameter,
         lambda: Pair(client(groups=(X25519, P256)), server(groups=(P256,)),
                      server_writes=on(HT.server_hello, retry_for(P384))).run()),
    Case("HelloRetryRequest that changes nothing", CLIENT, A.illegal_parameter,
         lambda: hrr_pair(server_writes=on(HT.server_hello, message(
             lambda hrr: remove_extension(hrr, ExtensionType.key_share)))).run()),
    Case("HelloRetryRequest with a suite not offered", CLIENT, A.illegal_parameter,
         lambda: Pair(client(key_share_groups=(X25519,), cipher_suites=(AES128,)), server(groups=(P256,)),
                      server_writes=on(HT.server_hello, message(
                          lambda hrr: dataclasses.replace(hrr, cipher_suite=AES256)))).run()),
    Case("ServerHello suite differs from the HelloRetryRequest's", CLIENT, A.illegal_parameter,
         lambda: hrr_pair(server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, cipher_suite=AES256)), nth=2)).run()),
    # No alert is named for a second ClientHello that ignores the HelloRetryRequest; illegal_parameter, as BoringSSL.
    Case("second ClientHello with the wrong share", SERVER, A.illegal_parameter,
         lambda: hrr_pair(client_writes=on(HT.client_hello, client_share(X25519, x25519_point(14)), nth=2)).run()),
    # Authentication (RFC 8446 §4.4)
    # bad_certificate for a name mismatch: RFC 8446 §6.2 leaves the choice (certificate_unknown also fits).
    Case("certificate for the wrong name", CLIENT, A.bad_certificate,
         lambda: Pair(client(server_name="example.org"), server()).run()),
    Case("expired server certificate", CLIENT, A.certificate_expired,
         lambda: Pair(client(now=expired_clock()), server()).run()),
    Case("server certificate not yet valid", CLIENT, A.certificate_expired,
         lambda: Pair(client(now=CA.parsed.not_valid_before_utc.replace(year=2020)), server()).run()),
    Case("unknown CA", CLIENT, A.unknown_ca,
         lambda: Pair(client(trust_anchors=(OTHER_CA.certificate,)), server()).run()),
    Case("certificate that is not DER", CLIENT, A.bad_certificate,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, lambda raw: records(
             Certificate(b"", (CertificateEntry(b"\x30\x03\x02\x01\x00"),)).encode()))).run()),
    Case("empty server Certificate", CLIENT, A.decode_error,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, lambda raw: records(
             Certificate(b"", ()).encode()))).run()),
    Case("certificate_request_context in the server's Certificate", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate, message(
             lambda m: dataclasses.replace(m, request_context=b"x")))).run()),
    Case("client certificate from an unknown CA", SERVER, A.unknown_ca,
         lambda: Pair(client(credential=STRANGER), server(client_auth="require")).run()),
    Case("expired client certificate", SERVER, A.certificate_expired,
         lambda: Pair(client(credential=STUDENT), server(client_auth="require", now=expired_clock())).run()),
    Case("no client certificate when required", SERVER, A.certificate_required,
         lambda: Pair(client(), server(client_auth="require")).run()),
    # The changed message would fail the Finished check too (also decrypt_error): the
    # section shows that the signature check caught it first.
    *[Case(f"bad {kind} CertificateVerify signature", CLIENT, A.decrypt_error, bad_signature(kind), "RFC 8446 §4.4.3")
      for kind in ("ed25519", "ecdsa", "rsa")],
    Case("bad client CertificateVerify signature", SERVER, A.decrypt_error,
         lambda: auth_pair(client_writes=on(HT.certificate_verify, flip_last_byte)).run(), "RFC 8446 §4.4.3"),
    Case("CertificateVerify scheme not offered", CLIENT, A.illegal_parameter,
         lambda: Pair(client(signature_schemes=(SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256)), server(),
                      server_writes=on(HT.certificate_verify, set_field("certificate_verify.algorithm", b"\x08\x04"))).run()),
    # A scheme the certificate's key cannot make: RFC 8446 §4.4.3 names no alert; illegal_parameter.
    Case("CertificateVerify scheme the key cannot make", CLIENT, A.illegal_parameter,
         lambda: Pair(client(), server(), server_writes=on(HT.certificate_verify, set_field(
             "certificate_verify.algorithm", b"\x04\x03"))).run()),
    Case("flipped bit in server Finished", CLIENT, A.decrypt_error,
         lambda: Pair(client(), server(), server_writes=on(HT.finished, flip_last_byte)).run(), "RFC 8446 §4.4.4"),
    Case("flipped bit in client Finished", SERVER, A.decrypt_error,
         lambda: Pair(client(), server(), client_writes=on(HT.finished, flip_last_byte)).run(), "RFC 8446 §4.4.4"),
    Case("altered transcript (EncryptedExtensions)", CLIENT, A.decrypt_error,
         lambda: Pair(client(alpn=("h2", "http/1.1")), server(alpn=("h2", "http/1.1")), server_writes=on(
             HT.encrypted_extensions, message(lambda ee: replace_extension(ee, Alpn((b"http/1.1",)))))).run()),
    # Resumption (RFC 8446 §4.2.9, §4.2.11)
    Case("flipped bit in the PSK binder", SERVER, A.decrypt_error,
         lambda: resume_pair(client_writes=on(HT.client_hello, flip_last_byte)).run()),
    Case("pre_shared_key not last", SERVER, A.illegal_parameter,
         lambda: resume_pair(client_writes=on(HT.client_hello, message(
             lambda ch: dataclasses.replace(ch, extensions=ch.extensions[-1:] + ch.extensions[:-1])))).run()),
    # §4.2.9: the server MUST abort; no alert is named: missing_extension (§9.2's word for it).
    Case("pre_shared_key without psk_key_exchange_modes", SERVER, A.missing_extension,
         lambda: resume_pair(client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.psk_key_exchange_modes)))).run()),
    Case("pre_shared_key without psk_key_exchange_modes, server without tickets", SERVER, A.missing_extension,
         lambda: Pair(client(seed=9, resume=ticket_pair()[1]), server(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.psk_key_exchange_modes)))).run()),
    Case("server selects a PSK identity not offered", CLIENT, A.illegal_parameter,
         lambda: resume_pair(server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, PreSharedKeyServerHello(1))))).run()),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_gets_the_rfc_alert(case: Case) -> None:
    check_alert(case.play(), case.side, case.alert, case.section, case.peer_answer)


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


# --- truncated and padded messages, at every length --------------------------------------------

# (who sends it, message type): every handshake message of a full handshake with client
# authentication and a ticket.
MESSAGES = [
    (CLIENT, HT.client_hello), (SERVER, HT.server_hello), (SERVER, HT.encrypted_extensions),
    (SERVER, HT.certificate_request), (SERVER, HT.certificate), (SERVER, HT.certificate_verify),
    (SERVER, HT.finished), (CLIENT, HT.certificate), (CLIENT, HT.certificate_verify),
    (CLIENT, HT.finished), (SERVER, HT.new_session_ticket),
]
# A hello cut right after its compression method(s) is a well-formed hello with no
# extensions, i.e. one that offers (or picks) TLS 1.2 only: protocol_version, not decode_error.
PREFIX_WITHOUT_EXTENSIONS = {HT.client_hello: "client_hello.legacy_compression_methods",
                             HT.server_hello: "server_hello.legacy_compression_method"}


def full_pair(side: str, rewrite: Rewrite) -> Pair:
    """A handshake with every message type, what `side` writes going through `rewrite`."""
    c, s = client(credential=STUDENT), server(client_auth="require", tickets=TicketStore())
    return Pair(c, s, client_writes=rewrite) if side == CLIENT else Pair(c, s, server_writes=rewrite)


@pytest.mark.parametrize(("side", "msg_type"), MESSAGES, ids=[f"{s}-{t.name}" for s, t in MESSAGES])
def test_truncated_or_padded_message_is_a_decode_error(side: str, msg_type: HT) -> None:
    """The message's body cut short at every length (up to 80 bytes, then every 13th), and
    one byte too long, its header's length made to match: decode_error from the peer."""
    pair = full_pair(side, passthrough).run()
    raw = next(e.raw for e in pair.events[side] if isinstance(e, MessageSent) and e.raw[:1] == bytes([msg_type]))
    prefix = PREFIX_WITHOUT_EXTENSIONS.get(msg_type)
    valid_cut = field_span(raw, prefix)[1] - 4 if prefix else None
    wrong = []
    cuts: list[int | str] = [*lengths(len(raw) - 4), "padded"]
    for cut in cuts:
        pair = full_pair(side, on(msg_type, cut_to(cut))).run()
        want = A.protocol_version if cut == valid_cut else A.decode_error
        got = [a.description for a in pair.alerts_sent(PEER[side])] + [a.description for a in pair.alerts_sent(side)]
        if got != [want]:
            wrong.append((cut, [g.name for g in got]))
            continue
        check_alert(pair, PEER[side], want)
    assert not wrong, f"{msg_type.name} of {len(raw) - 4} body bytes: {wrong[:10]}"


# --- what the alert rules say about alerts received ---------------------------------------------


@pytest.mark.parametrize("alert", [bytes([2, 200]), bytes([1, A.bad_record_mac]), bytes([2, A.handshake_failure])],
                         ids=["unknown description", "error alert at warning level", "fatal"])
def test_error_alert_received_closes_silently(alert: bytes) -> None:
    """RFC 8446 §6: unknown alerts and every §6.2 alert, whatever its level, are error
    alerts: the receiver closes without a word."""
    s = server()
    out = s.receive(plain_record(ContentType.alert, alert))
    assert out.data == b""
    assert [e for e in out.events if isinstance(e, AlertSent)] == []
    assert [e.description for e in out.events if isinstance(e, AlertReceived)] == [alert[1]]
    assert s.closed
    assert_silent(s)


def test_alert_in_the_clear_from_a_client_that_failed_on_the_server_hello() -> None:
    """A client that refuses the ServerHello has no key yet: its alert goes in the clear,
    while the server already reads under the client's handshake key. The server takes it
    (as OpenSSL does) rather than answering with unexpected_message; after the client's
    first protected record it would not (the row "plaintext alert after a protected record")."""
    pair = Pair(client(cipher_suites=(AES128,)), server(), server_writes=on(HT.server_hello, message(
        lambda sh: dataclasses.replace(sh, cipher_suite=AES256)))).run()
    assert pair.records_sent(CLIENT)[-1].protected_by is None
    assert pair.server.reader.protected_by == "client_handshake_traffic_secret"
    check_alert(pair, CLIENT, A.illegal_parameter)


def test_hello_retry_request_with_only_a_cookie_keeps_the_key_shares() -> None:
    """RFC 8446 §4.1.2: without key_share in the HelloRetryRequest, the second
    ClientHello carries the same shares (and the cookie); the retry is not a no-op."""
    c = client(key_share_groups=(X25519, P256))
    first = decode(next(e.raw for e in c.start().events if isinstance(e, MessageSent)))
    hrr = ServerHello(HELLO_RETRY_REQUEST_RANDOM, first.legacy_session_id, AES128,
                      (SupportedVersionsServerHello(ProtocolVersion.TLS1_3), Cookie(b"state")))
    out = c.receive(plain_record(ContentType.handshake, hrr.encode()))
    assert [e for e in out.events if isinstance(e, AlertSent)] == []
    second = next(e.message for e in out.events if isinstance(e, MessageSent) and isinstance(e.message, ClientHello))
    assert second.get(KeyShareClientHello) == first.get(KeyShareClientHello)
    assert second.get(Cookie) == Cookie(b"state")


# --- fuzzing: whatever arrives, receive() returns -------------------------------------------------

FUZZ_ROUNDS = 2000


def capture_flights() -> list[Flight]:
    """The flights of three handshakes. With client auth: ClientHello, the server's
    flight, the client's, then a ticket and application data from the server, a KeyUpdate
    and application data from the client. With a HelloRetryRequest: it, and the second
    ClientHello. Resumed: the ClientHello with its PSK, and the server's flight."""
    auth = Capture("auth", client(credential=STUDENT), server(client_auth="require", tickets=TicketStore()))
    c, s = auth.c, auth.s
    ticket = auth.across(CLIENT, auth.across(SERVER, auth.across(CLIENT, c.start().data)))
    assert not auth.across(SERVER, ticket + s.send_application_data(b"hello").data)
    auth.across(CLIENT, c.send("KeyUpdate", {"request_update": True}).data + c.send_application_data(b"bye").data)
    assert c.handshake_complete and s.handshake_complete and not c.closed and not s.closed

    hrr = Capture("hrr", client(key_share_groups=(X25519,)), server(groups=(P256,)))
    hrr.across(CLIENT, hrr.across(SERVER, hrr.across(CLIENT, hrr.c.start().data)))
    assert hrr.c.hello_retry is not None
    del hrr.flights[0]  # a first ClientHello: fuzzed above already

    store, kept = ticket_pair()
    resume = Capture("resume", client(seed=9, resume=kept), server(seed=10, tickets=store))
    resume.across(SERVER, resume.across(CLIENT, resume.c.start().data))
    assert resume.c.handshake_complete and resume.c.resumed
    return auth.flights + hrr.flights + resume.flights


FLIGHTS = capture_flights()


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")  # mangled serials
@pytest.mark.parametrize("flight", FLIGHTS, ids=[f.name for f in FLIGHTS])
def test_fuzzed_flight_never_raises(flight: Flight) -> None:
    """2,000 seeded mutations of the flight (see `engine_pair.fuzz`): receive() must return,
    never raise; an alert, if any, is one alert and the end."""
    outcomes = fuzz(flight, FUZZ_ROUNDS)
    assert len(outcomes) > 1, outcomes  # the mutations reach past the record layer
