"""The TLS 1.2 endpoints against a misbehaving peer: every fault gets the alert RFC 5246
(and RFC 8422, 7627, 5746, 5077, 7919) names, from the endpoint that saw it, and then silence.

As for TLS 1.3 (test_robustness13.py): an engine client and server talk in memory
(`engine_pair.Pair`), a man in the middle changes what one of them writes (before the
record layer seals it) or the bytes of a flight, and each row of `CASES` says who must
send which alert; `engine_pair.check_alert` asserts exactly that alert from that endpoint,
read by the other (or `peer_answer`, when the two no longer share keys), the alert last,
both endpoints CLOSED and the alerting one silent afterwards.

Where the RFC names no alert, or lets the implementation choose, the row says what was
chosen and why. Then: RSA decryption failures (RFC 5246 §7.4.7.1: no alert, one path);
extended_master_secret on resumption (RFC 7627 §5.3); an alert between the parts of a
handshake message (RFC 5246 §6.2.1); every handshake message cut at many lengths; and a
fuzzer over every flight of five handshakes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from engine.rng import SeededRandom
from engine.tls import groups, signatures
from engine.tls.alerts import AlertDescription as A, as_tls12_section
from engine.tls.client13 import TlsClient
from engine.tls.config import Session12, TicketStore
from engine.tls.constants import (
    CipherSuite,
    ContentType,
    ECPointFormat,
    ExtensionType,
    HandshakeType as HT,
    NamedGroup,
    ProtocolVersion,
    SignatureScheme,
)
from engine.tls.events import AlertReceived, MessageReceived, MessageSent, RecordSent
from engine.tls.extensions import Alpn, EcPointFormats, ExtendedMasterSecret, RenegotiationInfo
from engine.tls.keyschedule import SecretDerived
from engine.tls.message_base import DecodeContext
from engine.tls.messages import (
    Certificate12,
    CertificateRequest12,
    ClientKeyExchange,
    DheParams,
    EcdheParams,
    NewSessionTicket12,
    ServerKeyExchange,
)
from engine.tls.server13 import TlsServer
from engine.tls.suites import KeyExchange, suite_info
from tests.engine.tls.engine_pair import (
    CLIENT,
    OTHER_CA,
    PEER,
    SERVER,
    SERVER_CREDENTIALS,
    STRANGER,
    STUDENT,
    Capture,
    Flight,
    Item,
    Pair,
    Rewrite,
    Sealed,
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
    passthrough,
    plain_record,
    records,
    remove_extension,
    replace_extension,
    server,
    twice,
)

TLS12 = (ProtocolVersion.TLS1_2,)
ECDHE_ECDSA = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
ECDHE_RSA = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
DHE_RSA = CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
RSA = CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256
CHACHA = CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
CERTIFICATE_FOR: dict[int, str] = {ECDHE_ECDSA: "ecdsa", ECDHE_RSA: "rsa", DHE_RSA: "rsa", RSA: "rsa", CHACHA: "ecdsa"}
X25519, P256, P384 = NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1
P = groups.FFDHE2048.p
CCS = (ContentType.change_cipher_spec, b"\x01")
HANDSHAKE = ContentType.handshake
SECTION = {"ccs": "RFC 5246 §7.1", "order": "RFC 5246 §7.4", "finished": "RFC 5246 §7.4.9",
           "ske": "RFC 5246 §7.4.3", "cv": "RFC 5246 §7.4.8"}


@dataclass(frozen=True)
class Case:
    id: str
    side: str  # the endpoint that must send the alert
    alert: A
    play: Callable[[], Pair]
    section: str = ""  # where the rule is, when the alert alone would not show which check fired
    peer_answer: A | None = None  # see check_alert


# --- building blocks -------------------------------------------------------------------------


def client12(*suites: int, **overrides: Any) -> TlsClient:
    """A client that offers TLS 1.2 only, with `suites` (ECDHE_ECDSA by default)."""
    return client(versions=TLS12, tls12_suites=suites or (ECDHE_ECDSA,), **overrides)


def server12(suite: int = ECDHE_ECDSA, **overrides: Any) -> TlsServer:
    """A TLS 1.2 server for `suite`, with the certificate the suite needs."""
    return server(kind=CERTIFICATE_FOR[suite], versions=TLS12, tls12_suites=(suite,), **overrides)


def pair12(suite: int = ECDHE_ECDSA, **kw: Any) -> Pair:
    return Pair(client12(suite), server12(suite), **kw)


def context12(suite: int) -> DecodeContext:
    """How a TLS 1.2 message of `suite`'s handshake reads (ServerKeyExchange, ClientKeyExchange)."""
    return DecodeContext(ProtocolVersion.TLS1_2, suite_info(suite).key_exchange)


def message12(change: Callable[[Any], Any], suite: int = ECDHE_ECDSA) -> Callable[[bytes], list[Item]]:
    return message(change, context12(suite))


def before(*items: Item) -> Callable[[bytes], list[Item]]:
    return lambda raw: [*items, (HANDSHAKE, raw)]


def after(*items: Item) -> Callable[[bytes], list[Item]]:
    return lambda raw: [(HANDSHAKE, raw), *items]


def without_ccs() -> Rewrite:
    """The CCS left out, and Finished sent in the clear, as the keys never changed."""
    return chain(on_content(ContentType.change_cipher_spec, drop),
                 on(HT.finished, lambda raw: [Sealed(plain_record(ContentType.handshake, raw))]))


def flip_last_byte(raw: bytes) -> list[Item]:
    return records(raw[:-1] + bytes([raw[-1] ^ 0x01]))


def flip_record(index: int, at: int = -1) -> Callable[[list[bytes]], list[bytes]]:
    def change(rs: list[bytes]) -> list[bytes]:
        r = bytearray(rs[index])
        r[at] ^= 0x10
        return rs[:index] + [bytes(r)] + rs[index + 1 :]

    return change


def resigned(s: TlsServer, change: Callable[[Any], Any]) -> Callable[[bytes], list[Item]]:
    """Change the server's ServerKeyExchange and sign it again with the server's own key:
    the parameters are bad, the signature over them is good."""

    def rewrite(raw: bytes) -> list[Item]:
        changed = change(decode(raw, context12(int(s.cipher_suite or 0))))
        credential = s.config.credential
        assert credential is not None
        content = signatures.signed_params_content(s.client_random, s.server_random, changed.params_bytes())
        signature = signatures.sign(changed.algorithm, credential.private_key, content, SeededRandom(99))
        return records(dataclasses.replace(changed, signature=signature).encode())

    return rewrite


def bad_params(suite: int, change: Callable[[Any], Any], **client_overrides: Any) -> Callable[[], Pair]:
    """A server whose ServerKeyExchange carries changed (and re-signed) parameters."""

    def play() -> Pair:
        s = server12(suite)
        return Pair(client12(suite, **client_overrides), s,
                    server_writes=on(HT.server_key_exchange, resigned(s, change))).run()

    return play


def ys(value: bytes) -> Callable[[ServerKeyExchange], ServerKeyExchange]:
    """The DHE ServerKeyExchange with Ys = `value`."""
    return lambda ske: dataclasses.replace(ske, params=DheParams(ske.params.p, ske.params.g, value))  # type: ignore[union-attr]


def point(value: bytes) -> Callable[[ServerKeyExchange], ServerKeyExchange]:
    """The ECDHE ServerKeyExchange with the public point `value`."""
    return lambda ske: dataclasses.replace(ske, params=EcdheParams(ske.params.group, value))  # type: ignore[union-attr]


def big(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


# RFC 2409's 1024-bit Oakley group 2: a real safe prime, too small since Logjam.
OAKLEY2 = int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF"
              "9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386B"
              "FB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)


def dh_group(p: int) -> Callable[[ServerKeyExchange], ServerKeyExchange]:
    return lambda ske: dataclasses.replace(ske, params=DheParams(big(p), b"\x02", big(pow(2, 12345, p))))


def p256_point(seed: int) -> bytes:
    return groups.generate(P256, SeededRandom(seed)).public_bytes()


OFF_CURVE_P256 = p256_point(11)[:-1] + bytes([p256_point(11)[-1] ^ 1])
COMPRESSED_P256 = bytes([2 + (p256_point(11)[-1] & 1)]) + p256_point(11)[1:33]


def client_public(value: bytes, suite: int = ECDHE_ECDSA) -> Callable[[bytes], list[Item]]:
    """The client's ClientKeyExchange carries `value` as its public value."""
    kex = suite_info(suite).key_exchange
    assert kex is not None
    return lambda raw: records(ClientKeyExchange(kex, value).encode())


def bad_client_value(suite: int, value: bytes) -> Callable[[], Pair]:
    return lambda: pair12(suite, client_writes=on(HT.client_key_exchange, client_public(value, suite))).run()


def bad_signature(suite: int) -> Callable[[], Pair]:
    """A server whose ServerKeyExchange signature is bent."""
    return lambda: pair12(suite, server_writes=on(HT.server_key_exchange, flip_last_byte)).run()


def auth_pair12(suite: int = ECDHE_ECDSA, **kw: Any) -> Pair:
    """The server requires a client certificate; the client has one."""
    return Pair(client12(suite, credential=STUDENT), server12(suite, client_auth="require"), **kw)


def first_session(by: str = "id", **server_overrides: Any) -> tuple[TicketStore, Session12]:
    """A session from a first full handshake, kept for resumption by session id or by
    ticket, and the server's memory of it."""
    store = TicketStore()
    first = connected(Pair(client12(), server12(tickets=store, **server_overrides)))
    session = first.client.received_tickets12[0]
    keep = {"id": {"ticket": b""}, "ticket": {"session_id": b""}}[by]
    return store, dataclasses.replace(session, **keep)


def resume_pair12(by: str = "id", first: dict[str, Any] | None = None, client_ems: bool = True, **kw: Any) -> Pair:
    """A client resuming a first session (`first`: the first server's config)."""
    store, session = first_session(by, **(first or {}))
    return Pair(client12(seed=9, resume12=session, ems=client_ems), server12(seed=10, tickets=store), **kw)


def after_handshake12(pair: Pair, side: str, act: Callable[[Any], Any]) -> Pair:
    connected(pair)
    return pair.deliver(side, act(pair.endpoint(side)))


# --- the table -------------------------------------------------------------------------------

CASES = [
    # ChangeCipherSpec out of place (RFC 5246 §7.1; the flow of §7.3)
    Case("client CCS before ClientKeyExchange", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.client_key_exchange, before(CCS))).run(), SECTION["ccs"]),
    Case("client CCS instead of ClientKeyExchange", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.client_key_exchange, drop)).run(), SECTION["ccs"]),
    Case("client CCS before its Certificate", SERVER, A.unexpected_message,
         lambda: auth_pair12(client_writes=on(HT.certificate, before(CCS))).run(), SECTION["ccs"]),
    Case("client CCS before its CertificateVerify", SERVER, A.unexpected_message,
         lambda: auth_pair12(client_writes=on(HT.certificate_verify, drop)).run(), SECTION["ccs"]),
    Case("client CCS twice, the second under the new keys", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.finished, before(CCS))).run(), SECTION["ccs"]),
    # The second CCS comes in the clear after the keys changed: it cannot authenticate.
    Case("client CCS twice, both in the clear", SERVER, A.bad_record_mac,
         lambda: pair12(client_writes=on_content(ContentType.change_cipher_spec, lambda p: [CCS, CCS])).run(),
         "RFC 5246 §6.2.3.3"),
    Case("client Finished without CCS", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=without_ccs()).run(), SECTION["order"]),
    Case("server CCS before ServerHelloDone", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_hello_done, before(CCS))).run(), SECTION["ccs"]),
    Case("server CCS before the client's flight", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_hello_done, after(CCS))).run(), SECTION["ccs"]),
    Case("server CCS twice, the second under the new keys", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.finished, before(CCS))).run(), SECTION["ccs"]),
    Case("server Finished without CCS", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=without_ccs()).run(), SECTION["order"]),
    # Abbreviated handshake: the client's CCS is due only after the server's Finished.
    Case("resumed: client CCS before the server's Finished", SERVER, A.unexpected_message,
         lambda: resume_pair12(client_writes=on(HT.client_hello, after(CCS))).run(), SECTION["ccs"]),
    Case("resumed: server Finished without CCS", CLIENT, A.unexpected_message,
         lambda: resume_pair12(server_writes=without_ccs()).run(), SECTION["order"]),
    Case("CCS between the parts of a handshake message", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_key_exchange, lambda raw: [
             (HANDSHAKE, raw[:10]), CCS, (HANDSHAKE, raw[10:])])).run(), "RFC 5246 §6.2.1"),
    # Messages missing, twice or out of order (RFC 5246 §7.3, §7.4: "a fatal error")
    Case("ServerKeyExchange under RSA key exchange", CLIENT, A.unexpected_message,
         lambda: pair12(RSA, server_writes=on(HT.server_hello_done, before((HANDSHAKE, ServerKeyExchange(
             EcdheParams(X25519, bytes(range(32))), SignatureScheme.rsa_pkcs1_sha256, b"sig").encode())))).run(),
         SECTION["ske"]),
    Case("ServerKeyExchange missing (ECDHE)", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_key_exchange, drop)).run(), SECTION["order"]),
    Case("ServerKeyExchange missing (DHE)", CLIENT, A.unexpected_message,
         lambda: pair12(DHE_RSA, server_writes=on(HT.server_key_exchange, drop)).run(), SECTION["order"]),
    Case("ServerKeyExchange twice", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_key_exchange, twice)).run(), SECTION["order"]),
    Case("ServerHello twice", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_hello, twice)).run(), SECTION["order"]),
    Case("server Certificate twice", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.certificate, twice)).run(), SECTION["order"]),
    Case("ServerHelloDone twice", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.server_hello_done, twice)).run(), SECTION["order"]),
    Case("CertificateRequest after ServerHelloDone", CLIENT, A.unexpected_message,
         lambda: Pair(client12(credential=STUDENT), server12(client_auth="require"), server_writes=chain(
             on(HT.certificate_request, drop), on(HT.server_hello_done, after((HANDSHAKE, CertificateRequest12(
                 (1, 64), (SignatureScheme.ecdsa_secp256r1_sha256,)).encode()))))).run(), SECTION["order"]),
    Case("ClientHello twice", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.client_hello, twice)).run(), SECTION["order"]),
    Case("ClientKeyExchange twice", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.client_key_exchange, twice)).run(), SECTION["order"]),
    Case("client Certificate missing when requested", SERVER, A.unexpected_message,
         lambda: auth_pair12(client_writes=on(HT.certificate, drop)).run(), SECTION["order"]),
    Case("CertificateVerify after an empty client Certificate", SERVER, A.unexpected_message,
         lambda: Pair(client12(), server12(client_auth="request"), client_writes=on(
             HT.client_key_exchange, after((HANDSHAKE, bytes([HT.certificate_verify, 0, 0, 4, 4, 3, 0, 0]))))).run(),
         SECTION["order"]),
    # RFC 5077 §3.3: NewSessionTicket comes if, and only if, the ServerHello said so.
    Case("NewSessionTicket the ServerHello did not announce", CLIENT, A.unexpected_message,
         lambda: Pair(client12(session_tickets=False), server12(tickets=TicketStore()), server_writes=on_content(
             ContentType.change_cipher_spec, lambda p: [(HANDSHAKE, NewSessionTicket12(60, b"t" * 16).encode()), CCS])).run()),
    Case("NewSessionTicket announced but missing", CLIENT, A.unexpected_message,
         lambda: Pair(client12(), server12(tickets=TicketStore()), server_writes=on(HT.new_session_ticket, drop)).run(),
         SECTION["ccs"]),
    Case("NewSessionTicket before the client's flight", CLIENT, A.unexpected_message,
         lambda: Pair(client12(), server12(tickets=TicketStore()), server_writes=on(HT.server_hello_done, after(
             (HANDSHAKE, NewSessionTicket12(60, b"t" * 16).encode())))).run(), SECTION["order"]),
    # ClientKeyExchange of the wrong kind for the suite: its one vector's length prefix is
    # 2 bytes for RSA and DHE, 1 for ECDHE, so the wrong kind does not parse.
    Case("RSA ClientKeyExchange holding an ECDHE point", SERVER, A.decode_error,
         lambda: pair12(RSA, client_writes=on(HT.client_key_exchange, lambda raw: records(
             ClientKeyExchange(KeyExchange.ECDHE_RSA, p256_point(12)).encode()))).run()),
    Case("ECDHE ClientKeyExchange holding an encrypted pre-master", SERVER, A.decode_error,
         lambda: pair12(client_writes=on(HT.client_key_exchange, lambda raw: records(
             ClientKeyExchange(KeyExchange.RSA, bytes(range(256))).encode()))).run()),
    Case("DHE ClientKeyExchange holding an ECDHE point", SERVER, A.decode_error,
         lambda: pair12(DHE_RSA, client_writes=on(HT.client_key_exchange, lambda raw: records(
             ClientKeyExchange(KeyExchange.ECDHE_RSA, p256_point(12)).encode()))).run()),
    Case("RSA ClientKeyExchange without its length prefix", SERVER, A.decode_error,
         lambda: pair12(RSA, client_writes=on(HT.client_key_exchange, body(lambda b: b[2:]))).run()),
    Case("ECDHE ClientKeyExchange with an empty point", SERVER, A.decode_error,
         lambda: pair12(client_writes=on(HT.client_key_exchange, body(lambda b: b"\x00"))).run()),
    Case("ECDHE ClientKeyExchange with a byte after the point", SERVER, A.decode_error,
         lambda: pair12(client_writes=on(HT.client_key_exchange, body(lambda b: b + b"\x00"))).run()),
    Case("DHE ClientKeyExchange with an empty Yc", SERVER, A.decode_error,
         lambda: pair12(DHE_RSA, client_writes=on(HT.client_key_exchange, body(lambda b: b"\x00\x00"))).run()),
    # Invalid ECDHE points (RFC 8422 §5.4, §5.11; the rule RFC 5246 §7.2.2 calls
    # illegal_parameter: "a field ... out of range or inconsistent with other fields")
    Case("client x25519 point all zeros", SERVER, A.illegal_parameter,
         lambda: pair12(client_writes=on(HT.client_key_exchange, client_public(bytes(32)))).run()),
    Case("client x25519 point of 31 bytes", SERVER, A.illegal_parameter,
         lambda: pair12(client_writes=on(HT.client_key_exchange, client_public(bytes(range(31))))).run()),
    Case("client P-256 point not on the curve", SERVER, A.illegal_parameter,
         lambda: Pair(client12(groups=(P256,)), server12(), client_writes=on(
             HT.client_key_exchange, client_public(OFF_CURVE_P256))).run()),
    Case("client P-256 point compressed", SERVER, A.illegal_parameter,
         lambda: Pair(client12(groups=(P256,)), server12(), client_writes=on(
             HT.client_key_exchange, client_public(COMPRESSED_P256))).run()),
    Case("server x25519 point all zeros", CLIENT, A.illegal_parameter, bad_params(ECDHE_ECDSA, point(bytes(32)))),
    Case("server P-256 point not on the curve", CLIENT, A.illegal_parameter,
         bad_params(ECDHE_ECDSA, point(OFF_CURVE_P256), groups=(P256,))),
    Case("server P-256 point compressed", CLIENT, A.illegal_parameter,
         bad_params(ECDHE_ECDSA, point(COMPRESSED_P256), groups=(P256,))),
    Case("ServerKeyExchange on a curve not offered", CLIENT, A.illegal_parameter,
         bad_params(ECDHE_ECDSA, lambda ske: dataclasses.replace(ske, params=EcdheParams(
             P384, groups.generate(P384, SeededRandom(3)).public_bytes())), groups=(X25519, P256)), "RFC 8422 §5.4"),
    Case("ServerKeyExchange with an explicit curve", CLIENT, A.illegal_parameter,
         lambda: pair12(server_writes=on(HT.server_key_exchange, body(lambda b: b"\x01" + b[1:]))).run(),
         "RFC 8422 §5.4"),
    # Finite-field DH values out of range (RFC 7919 §5.1: 1 < Y < p-1)
    *[Case(f"server DH Ys = {name}", CLIENT, A.illegal_parameter, bad_params(DHE_RSA, ys(value)), "RFC 7919 §5.1")
      for name, value in (("0", b"\x00"), ("1", b"\x01"), ("p-1", big(P - 1)), ("p", big(P)))],
    *[Case(f"client DH Yc = {name}", SERVER, A.illegal_parameter, bad_client_value(DHE_RSA, value), "RFC 7919 §5.1")
      for name, value in (("0", b"\x00"), ("1", b"\x01"), ("p-1", big(P - 1)))],
    # A client refusing the server's group says handshake_failure, as OpenSSL does ("dh key
    # too small"): RFC 5246 §7.2.2 keeps insufficient_security for a *server* that "requires
    # ciphers more secure than those supported by the client", and RFC 7919 names none here.
    Case("server DH prime of 1024 bits", CLIENT, A.handshake_failure, bad_params(DHE_RSA, dh_group(OAKLEY2))),
    Case("server DH prime even", CLIENT, A.illegal_parameter, bad_params(DHE_RSA, dh_group(OAKLEY2 + 1))),
    # Signatures (RFC 5246 §7.4.3, §7.4.8) and Finished (§7.4.9)
    *[Case(f"bad ServerKeyExchange signature ({suite.name})", CLIENT, A.decrypt_error, bad_signature(suite), SECTION["ske"])
      for suite in (ECDHE_ECDSA, ECDHE_RSA, DHE_RSA)],
    Case("ServerKeyExchange signed with a scheme not offered", CLIENT, A.illegal_parameter,
         bad_params(ECDHE_ECDSA, lambda ske: dataclasses.replace(ske, algorithm=SignatureScheme.ecdsa_secp384r1_sha384),
                    signature_schemes=(SignatureScheme.ecdsa_secp256r1_sha256,)), SECTION["ske"]),
    # RFC 5246 §7.4.3 names no alert for a scheme the certificate's key cannot make.
    Case("ServerKeyExchange signed with a scheme the key cannot make", CLIENT, A.illegal_parameter,
         lambda: pair12(server_writes=on(HT.server_key_exchange, message12(
             lambda ske: dataclasses.replace(ske, algorithm=SignatureScheme.rsa_pss_rsae_sha256)))).run()),
    Case("bad client CertificateVerify signature", SERVER, A.decrypt_error,
         lambda: auth_pair12(client_writes=on(HT.certificate_verify, flip_last_byte)).run()),
    Case("client CertificateVerify scheme not offered", SERVER, A.illegal_parameter,
         lambda: auth_pair12(client_writes=on(HT.certificate_verify, lambda raw: records(
             raw[:4] + bytes([8, 9]) + raw[6:]))).run(), SECTION["cv"]),
    Case("flipped bit in client Finished", SERVER, A.decrypt_error,
         lambda: pair12(client_writes=on(HT.finished, flip_last_byte)).run(), SECTION["finished"]),
    Case("flipped bit in server Finished", CLIENT, A.decrypt_error,
         lambda: pair12(server_writes=on(HT.finished, flip_last_byte)).run(), SECTION["finished"]),
    Case("resumed: flipped bit in server Finished", CLIENT, A.decrypt_error,
         lambda: resume_pair12(server_writes=on(HT.finished, flip_last_byte)).run(), SECTION["finished"]),
    Case("resumed: flipped bit in client Finished", SERVER, A.decrypt_error,
         lambda: resume_pair12(client_writes=on(HT.finished, flip_last_byte)).run(), SECTION["finished"]),
    # An altered ClientHello: without EMS the keys still agree and Finished catches it;
    # with EMS (RFC 7627 §4) the master secret hashes the transcript, so the keys differ
    # and the server cannot even read the client's Finished.
    Case("altered ClientHello, no EMS", SERVER, A.decrypt_error,
         lambda: Pair(client12(ems=False), server12(), client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.server_name)))).run(), SECTION["finished"]),
    Case("altered ClientHello, EMS", SERVER, A.bad_record_mac,
         lambda: pair12(client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.server_name)))).run()),
    Case("ServerHello random changed (RSA)", SERVER, A.bad_record_mac,
         lambda: pair12(RSA, server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, random=bytes(32))))).run()),
    # Hellos (RFC 5246 §7.4.1)
    Case("server chooses a suite not offered", CLIENT, A.illegal_parameter,
         lambda: pair12(server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, cipher_suite=ECDHE_RSA)))).run(), "RFC 5246 §7.4.1.3"),
    Case("server chooses a TLS 1.3 suite in a TLS 1.2 ServerHello", CLIENT, A.illegal_parameter,
         lambda: pair12(server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, cipher_suite=CipherSuite.TLS_AES_128_GCM_SHA256)))).run()),
    Case("ServerHello extension the client never asked for", CLIENT, A.unsupported_extension,
         lambda: pair12(server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, Alpn((b"h2",)))))).run(), "RFC 5246 §7.4.1.4"),
    Case("extended_master_secret from a server the client did not ask", CLIENT, A.unsupported_extension,
         lambda: Pair(client12(ems=False), server12(), server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, ExtendedMasterSecret())))).run(), "RFC 5246 §7.4.1.4"),
    # RFC 8422 §5.1.2 (server) and OpenSSL's WRONG_CERTIFICATE_TYPE (client; RFC 5246 §7.4.2
    # requires the key to fit the key exchange but names no alert).
    Case("ec_point_formats without uncompressed", SERVER, A.illegal_parameter,
         lambda: pair12(client_writes=on(HT.client_hello, message(
             lambda ch: replace_extension(ch, EcPointFormats((ECPointFormat.ansiX962_compressed_prime,)))))).run(),
         "RFC 8422 §5.1.2"),
    Case("certificate key does not fit the suite", CLIENT, A.illegal_parameter,
         lambda: Pair(client12(ECDHE_RSA, ECDHE_ECDSA), server12(), server_writes=on(HT.server_hello, message(
             lambda sh: dataclasses.replace(sh, cipher_suite=ECDHE_RSA)))).run(), "RFC 5246 §7.4.2"),
    Case("no common suite", SERVER, A.handshake_failure,
         lambda: Pair(client12(ECDHE_RSA), server12()).run()),
    Case("no common curve", SERVER, A.handshake_failure,
         lambda: Pair(client12(groups=(P384,)), server12(groups=(X25519,))).run()),
    # RFC 5746 §3.4 (client), §3.6 (server): an initial handshake has nothing to renegotiate.
    Case("renegotiation_info not empty in ServerHello", CLIENT, A.handshake_failure,
         lambda: pair12(server_writes=on(HT.server_hello, message(
             lambda sh: replace_extension(sh, RenegotiationInfo(bytes(24)))))).run(), "RFC 5746 §3.4"),
    Case("renegotiation_info not empty in ClientHello", SERVER, A.handshake_failure,
         lambda: pair12(client_writes=on(HT.client_hello, message(
             lambda ch: replace_extension(ch, RenegotiationInfo(bytes(12)))))).run(), "RFC 5746 §3.6"),
    # extended_master_secret on resumption (RFC 7627 §5.3; §5.2: "abort" is handshake_failure)
    Case("resumption without EMS, the session had it", SERVER, A.handshake_failure,
         lambda: resume_pair12(client_ems=False).run(), "RFC 7627 §5.3"),
    Case("resumption without EMS, by ticket", SERVER, A.handshake_failure,
         lambda: resume_pair12("ticket", client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.extended_master_secret)))).run(), "RFC 7627 §5.3"),
    Case("server resumes an EMS session without EMS", CLIENT, A.handshake_failure,
         lambda: resume_pair12(server_writes=on(HT.server_hello, message(
             lambda sh: remove_extension(sh, ExtensionType.extended_master_secret)))).run(), "RFC 7627 §5.3"),
    Case("server resumes a session without EMS with EMS", CLIENT, A.handshake_failure,
         lambda: resume_pair12(first={"ems": False}, client_writes=on(HT.client_hello, message(
             lambda ch: remove_extension(ch, ExtensionType.extended_master_secret))), server_writes=on(
             HT.server_hello, message(lambda sh: replace_extension(sh, ExtendedMasterSecret())))).run(), "RFC 7627 §5.3"),
    Case("resumed session with another suite", CLIENT, A.illegal_parameter,
         lambda: Pair(client12(ECDHE_ECDSA, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, seed=9,
                               resume12=first_session()[1]),
                      server12(tickets=first_session()[0]), server_writes=on(HT.server_hello, message(
                          lambda sh: dataclasses.replace(sh, cipher_suite=CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)))).run(),
         "RFC 5246 §7.4.1.3"),
    # Certificates (RFC 5246 §7.4.2, §7.4.6, the alerts of §7.2.2)
    Case("certificate for the wrong name", CLIENT, A.bad_certificate,
         lambda: Pair(client12(server_name="example.org"), server12()).run()),
    Case("expired server certificate", CLIENT, A.certificate_expired,
         lambda: Pair(client12(now=expired_clock()), server12()).run()),
    Case("unknown CA", CLIENT, A.unknown_ca,
         lambda: Pair(client12(trust_anchors=(OTHER_CA.certificate,)), server12()).run()),
    Case("server certificate that is not DER", CLIENT, A.bad_certificate,
         lambda: pair12(server_writes=on(HT.certificate, lambda raw: records(
             Certificate12((b"\x30\x03\x02\x01\x00",)).encode()))).run()),
    # RFC 5246 names no alert for an empty server Certificate; a field out of range.
    Case("empty server Certificate", CLIENT, A.illegal_parameter,
         lambda: pair12(server_writes=on(HT.certificate, lambda raw: records(Certificate12(()).encode()))).run()),
    Case("client certificate from an unknown CA", SERVER, A.unknown_ca,
         lambda: Pair(client12(credential=STRANGER), server12(client_auth="require")).run()),
    Case("expired client certificate", SERVER, A.certificate_expired,
         lambda: Pair(client12(credential=STUDENT), server12(client_auth="require", now=expired_clock())).run()),
    Case("no client certificate when required", SERVER, A.handshake_failure,
         lambda: Pair(client12(), server12(client_auth="require")).run(), "RFC 5246 §7.4.6"),
    # Records and application data (RFC 5246 §6.2.3.3, §7.4.9)
    Case("application data before the client's CCS", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.client_key_exchange, after((ContentType.application_data, b"GET /")))).run(),
         SECTION["finished"]),
    Case("application data before the client's Finished", SERVER, A.unexpected_message,
         lambda: pair12(client_writes=on(HT.finished, lambda raw: [(ContentType.application_data, b"GET /")])).run(),
         SECTION["finished"]),
    Case("application data before the server's Finished", CLIENT, A.unexpected_message,
         lambda: pair12(server_writes=on(HT.finished, lambda raw: [(ContentType.application_data, b"early")])).run(),
         SECTION["finished"]),
    Case("flipped bit in the client's Finished record", SERVER, A.bad_record_mac,
         lambda: pair12(to_server=on_records(flip_record(-1), 1)).run(), "RFC 5246 §6.2.3.3"),
    Case("flipped bit in the server's Finished record", CLIENT, A.bad_record_mac,
         lambda: pair12(to_client=on_records(flip_record(-1), 1)).run(), "RFC 5246 §6.2.3.3"),
    Case("ChaCha20 record with a flipped bit", CLIENT, A.bad_record_mac,
         lambda: pair12(CHACHA, to_client=on_records(flip_record(-1, 7), 1)).run()),
    Case("application data record replayed", SERVER, A.bad_record_mac,
         lambda: after_handshake12(pair12(to_server=lambda n, d: d + d if n == 2 else d), CLIENT,
                                   lambda c: c.send_application_data(b"GET /"))),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_gets_the_rfc_alert(case: Case) -> None:
    check_alert(case.play(), case.side, case.alert, case.section, case.peer_answer)


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


# TLS 1.3-only rules that bind a TLS 1.2 peer as well: there is no RFC 5246 section to cite.
RFC8446_RULES_FOR_TLS12 = ("RFC 8446 §4.1.3", "RFC 8446 §4.2.1")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_tls12_faults_cite_the_tls12_rfc(case: Case) -> None:
    """A rule both versions share is cited where RFC 5246 states it, never by its RFC 8446
    twin (e.g. a bad record MAC is RFC 5246 §6.2.3, not RFC 8446 §5.2)."""
    pair = case.play()
    sections = [a.section for side in (CLIENT, SERVER) for a in pair.alerts_sent(side)]
    cited = [part.strip() for section in sections for part in section.split(",") if "8446" in part]
    assert [c for c in cited if not c.startswith(RFC8446_RULES_FOR_TLS12)] == [], sections


def test_rfc8446_sections_map_to_their_rfc5246_twins() -> None:
    assert as_tls12_section("RFC 8446 §5.2") == "RFC 5246 §6.2.3"
    assert as_tls12_section("RFC 5280 §6.1, RFC 8446 §6.2") == "RFC 5280 §6.1, RFC 5246 §7.2.2"
    assert as_tls12_section("RFC 8446 §4.1.3") == "RFC 8446 §4.1.3"  # the sentinel: 1.3's own rule
    assert as_tls12_section("RFC 7627 §5.3") == "RFC 7627 §5.3"
    assert as_tls12_section("RFC 7919 §5.1, RFC 8446 §4.2.8.1") == "RFC 7919 §5.1"


# --- RSA decryption failures (RFC 5246 §7.4.7.1) ----------------------------------------------

RSA_PUBLIC: rsa.RSAPublicNumbers = SERVER_CREDENTIALS["rsa"].leaf.public_key().public_numbers()  # type: ignore[union-attr,assignment]
RSA_SIZE = (RSA_PUBLIC.n.bit_length() + 7) // 8
PRE_MASTER = b"\x03\x03" + bytes(range(1, 47))
WRONG_VERSION = b"\x03\x01" + PRE_MASTER[2:]


def rsa_encrypt(message: bytes, block_type: int = 2, separator: int = 0) -> bytes:
    """Textbook RSA over a hand-made PKCS #1 v1.5 block: 00 || block_type || PS || separator || message."""
    block = bytes([0, block_type]) + b"\xa5" * (RSA_SIZE - len(message) - 3) + bytes([separator]) + message
    return pow(int.from_bytes(block, "big"), RSA_PUBLIC.e, RSA_PUBLIC.n).to_bytes(RSA_SIZE, "big")


# name: (the pre-master secret the client makes its keys from, what its ClientKeyExchange carries)
RSA_KEY_EXCHANGES = {
    "good padding, right version": (PRE_MASTER, rsa_encrypt(PRE_MASTER)),
    "bad padding (block type 1)": (PRE_MASTER, rsa_encrypt(PRE_MASTER, block_type=1)),
    "bad padding (no zero after the padding string)": (PRE_MASTER, rsa_encrypt(b"\x03\x03" + b"\xa5" * 46, separator=0xA5)),
    "good padding, wrong version": (WRONG_VERSION, rsa_encrypt(WRONG_VERSION)),
    "good padding, 47 bytes": (PRE_MASTER, rsa_encrypt(PRE_MASTER[:47])),
    "ciphertext a byte short": (PRE_MASTER, rsa_encrypt(PRE_MASTER)[1:]),
}
FAILING = [name for name in RSA_KEY_EXCHANGES if name != "good padding, right version"]


def rsa_pair(name: str) -> Pair:
    """A client whose ClientKeyExchange carries RSA_KEY_EXCHANGES[name]."""
    pre_master, encrypted = RSA_KEY_EXCHANGES[name]
    c = client12(RSA)
    c.rsa_encrypt_pre_master = lambda: (pre_master, encrypted)  # type: ignore[method-assign]
    return Pair(c, server12(RSA)).run()


def server_trace(pair: Pair) -> list[tuple[Any, ...]]:
    """What the server did, without the values that differ by chance (the random pre-master
    secret and what follows from it, the ciphertext's length)."""
    def shape(event: Any) -> tuple[Any, ...]:
        if isinstance(event, SecretDerived):
            return ("derived", event.name, event.inputs, event.formula, event.section, len(event.value))
        if isinstance(event, MessageReceived | MessageSent):
            return (type(event).__name__, type(event.message).__name__)
        if isinstance(event, RecordSent):
            return ("record", event.content_type, event.protected_by, len(event.raw))
        return (type(event).__name__, repr(event))  # AlertSent, StateChanged, AlertReceived

    return [shape(e) for e in pair.events[SERVER]]


def test_rsa_key_exchange_made_by_hand_completes() -> None:
    """The control for the rows below: the same hand-made ClientKeyExchange, done right, works."""
    pair = rsa_pair("good padding, right version")
    assert pair.client.handshake_complete and pair.server.handshake_complete


@pytest.mark.parametrize("name", FAILING)
def test_rsa_decryption_failure_is_no_alert_until_finished(name: str) -> None:
    """RFC 5246 §7.4.7.1: the server MUST NOT alert at ClientKeyExchange; it carries on with
    client_version || 46 random bytes (or, for a 48-byte M of the wrong version, with
    client_version || M[2..47]), which is not the client's. The client's Finished, sealed under
    keys the server does not share, then fails to authenticate: bad_record_mac, sent in the
    clear (the server has not changed its keys) and read by the client."""
    pair = rsa_pair(name)
    check_alert(pair, SERVER, A.bad_record_mac, "RFC 5246 §6.2.3.3")
    received = [type(e.message).__name__ for e in pair.events[SERVER] if isinstance(e, MessageReceived)]
    assert received == ["ClientHello", "ClientKeyExchange", "ChangeCipherSpec"]  # nothing said until Finished
    assert pair.server.schedule is not None
    pre_master = pair.server.schedule.secrets["pre_master_secret"]
    assert pre_master[:2] == b"\x03\x03" and pre_master != RSA_KEY_EXCHANGES[name][0]


def test_rsa_decryption_failures_take_one_path() -> None:
    """No oracle: a bad-padding ClientKeyExchange and a good-padding one with the wrong version
    (and every other failure) leave the same trace at the server: the same events in the same
    order, the same derivation steps, the same alert with the same words at the same moment.
    The code has one path: M's version is never compared, and OpenSSL 3.2+ answers bad padding
    with a synthetic M (RFC 8017 implicit rejection) rather than an error; only a ciphertext that
    is not the size of the modulus, which is public, takes the error branch."""
    traces = {name: server_trace(rsa_pair(name)) for name in FAILING}
    assert traces["bad padding (block type 1)"] == traces["good padding, wrong version"]
    assert all(trace == traces["good padding, wrong version"] for trace in traces.values()), traces


# --- extended_master_secret on resumption (RFC 7627 §5.3) -------------------------------------


def test_resumption_keeps_the_extended_master_secret() -> None:
    pair = connected(resume_pair12())
    assert pair.client.abbreviated and pair.server.abbreviated and pair.client.use_ems


def test_session_without_ems_is_not_resumed_for_a_client_offering_it() -> None:
    """RFC 7627 §5.3: the server MUST NOT resume a session made without the extended master
    secret when the new ClientHello offers it; it SHOULD go on with a full handshake."""
    pair = connected(resume_pair12(first={"ems": False}))
    assert not pair.client.abbreviated and not pair.server.abbreviated
    assert pair.client.use_ems and pair.server.use_ems


# --- an alert between the parts of a handshake message (RFC 5246 §6.2.1) ------------------------


def test_alert_between_the_parts_of_a_handshake_message_is_read() -> None:
    """RFC 5246 §6.2.1: "Data of different TLS Record layer content types MAY be interleaved."
    A fatal alert between two parts of the ServerKeyExchange is read, and the client closes
    without a word (in TLS 1.3 the same is unexpected_message, RFC 8446 §5.1)."""
    alert = (ContentType.alert, bytes([2, A.handshake_failure]))
    pair = pair12(server_writes=on(HT.server_key_exchange, lambda raw: [
        (HANDSHAKE, raw[:10]), alert, (HANDSHAKE, raw[10:])])).run()
    assert pair.alerts_sent(CLIENT) == []
    assert pair.alerts_received(CLIENT) == [AlertReceived(A.handshake_failure, True)]
    assert pair.client.closed
    assert_silent(pair.client)


# --- truncated and padded messages, at every length --------------------------------------------

# (suite, who sends it, message type): every message of a full ECDHE handshake with client
# authentication and a ticket, and the key exchange messages of RSA and DHE.
FULL = [HT.client_hello, HT.server_hello, HT.certificate, HT.server_key_exchange, HT.certificate_request,
        HT.server_hello_done, HT.certificate, HT.client_key_exchange, HT.certificate_verify, HT.finished,
        HT.new_session_ticket, HT.finished]
FULL_SIDES = [CLIENT, SERVER, SERVER, SERVER, SERVER, SERVER, CLIENT, CLIENT, CLIENT, CLIENT, SERVER, SERVER]
MESSAGES12 = [
    *[(ECDHE_ECDSA, side, msg_type) for side, msg_type in zip(FULL_SIDES, FULL)],
    (RSA, CLIENT, HT.client_key_exchange),
    (DHE_RSA, SERVER, HT.server_key_exchange),
    (DHE_RSA, CLIENT, HT.client_key_exchange),
]
# A hello cut right after its compression method(s) is a well-formed hello without
# extensions: the handshake goes on, and the first check over the transcript, the client's
# CertificateVerify, finds the two sides saw different hellos.
PREFIX_WITHOUT_EXTENSIONS = {HT.client_hello: "client_hello.legacy_compression_methods",
                             HT.server_hello: "server_hello.legacy_compression_method"}


def full_pair12(suite: int, side: str, rewrite: Rewrite) -> Pair:
    c, s = client12(suite, credential=STUDENT), server12(suite, client_auth="require", tickets=TicketStore())
    return Pair(c, s, client_writes=rewrite) if side == CLIENT else Pair(c, s, server_writes=rewrite)


@pytest.mark.parametrize(("suite", "side", "msg_type"), MESSAGES12,
                         ids=[f"{suite_info(s).key_exchange.value}-{side}-{t.name}" for s, side, t in MESSAGES12])  # type: ignore[union-attr]
def test_truncated_or_padded_message_is_a_decode_error(suite: int, side: str, msg_type: HT) -> None:
    """The message's body cut short at every length (up to 80 bytes, then every 13th), and
    one byte too long, its header's length made to match: decode_error from the peer."""
    pair = full_pair12(suite, side, passthrough).run()
    assert pair.client.handshake_complete and pair.server.handshake_complete
    raw = next(e.raw for e in pair.events[side] if isinstance(e, MessageSent) and e.raw[:1] == bytes([msg_type]))
    prefix = PREFIX_WITHOUT_EXTENSIONS.get(msg_type)
    valid_cut = field_span(raw, prefix)[1] - 4 if prefix else None
    wrong = []
    cuts: list[int | str] = [*lengths(len(raw) - 4), "padded"]
    for cut in cuts:
        pair = full_pair12(suite, side, on(msg_type, cut_to(cut))).run()
        want = (SERVER, A.decrypt_error) if cut == valid_cut else (PEER[side], A.decode_error)
        got = [(s, a.description) for s in (CLIENT, SERVER) for a in pair.alerts_sent(s)]
        if got != [want]:
            wrong.append((cut, [(s, g.name) for s, g in got]))
            continue
        check_alert(pair, *want)
    assert not wrong, f"{msg_type.name} of {len(raw) - 4} body bytes: {wrong[:10]}"


# --- fuzzing: whatever arrives, receive() returns -------------------------------------------------

FUZZ_ROUNDS = 2000


def capture_flights12() -> list[Flight]:
    """The flights of five TLS 1.2 handshakes. ECDHE with client auth and a ticket:
    ClientHello, the server's flight, the client's, the server's NewSessionTicket, CCS and
    Finished with application data, and the client's application data. RSA and DHE: the
    server's flight, the client's (its ClientKeyExchange), the server's last. Resumed by
    session id and by ticket: the ClientHello, the server's ServerHello, CCS and Finished, and
    the client's CCS and Finished."""
    ecdhe = Capture("ecdhe-auth", client12(credential=STUDENT), server12(client_auth="require", tickets=TicketStore()))
    c, s = ecdhe.c, ecdhe.s
    last = ecdhe.across(CLIENT, ecdhe.across(SERVER, ecdhe.across(CLIENT, c.start().data)))
    assert not ecdhe.across(SERVER, last + s.send_application_data(b"hello").data)
    ecdhe.across(CLIENT, c.send_application_data(b"bye").data)
    assert c.handshake_complete and s.handshake_complete and not c.closed and not s.closed
    flights = ecdhe.flights
    for name, suite in (("rsa", RSA), ("dhe", DHE_RSA)):
        full = Capture(name, client12(suite), server12(suite))
        full.across(SERVER, full.across(CLIENT, full.across(SERVER, full.across(CLIENT, full.c.start().data))))
        assert full.c.handshake_complete and full.s.handshake_complete
        flights += full.flights[1:]  # its ClientHello is like the one above
    for by in ("id", "ticket"):
        store, session = first_session(by)
        resume = Capture(f"resume-{by}", client12(seed=9, resume12=session), server12(seed=10, tickets=store))
        resume.across(CLIENT, resume.across(SERVER, resume.across(CLIENT, resume.c.start().data)))
        assert resume.c.handshake_complete and resume.s.handshake_complete and resume.c.abbreviated
        flights += resume.flights
    return flights


FLIGHTS = capture_flights12()


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")  # mangled serials
@pytest.mark.parametrize("flight", FLIGHTS, ids=[f.name for f in FLIGHTS])
def test_fuzzed_flight_never_raises(flight: Flight) -> None:
    """2,000 seeded mutations of the flight (see `engine_pair.fuzz`): receive() must return,
    never raise; an alert, if any, is one alert and the end."""
    outcomes = fuzz(flight, FUZZ_ROUNDS)
    assert len(outcomes) > 1, outcomes  # the mutations reach past the record layer


# --- HelloRequest (RFC 5246 §7.4.1.1) ------------------------------------------------------------

HELLO_REQUEST = bytes(4)  # type 0 (hello_request), empty body


def test_hello_request_during_the_handshake_is_ignored() -> None:
    """"This message will be ignored by the client if the client is currently negotiating a
    session", and it is not part of the transcript: the handshake completes."""
    connected(pair12(server_writes=on(HT.server_hello_done, before((HANDSHAKE, HELLO_REQUEST)))))


def test_hello_request_after_the_handshake_is_ignored() -> None:
    """A client that does not renegotiate MAY ignore it: the connection stays up."""
    pair = connected(pair12())
    out = pair.client.receive(pair.server.writer.write(HANDSHAKE, HELLO_REQUEST)[0].raw)
    assert (out.data, out.events) == (b"", [])
    assert pair.client.handshake_complete


def test_hello_request_from_the_client_is_unexpected() -> None:
    check_alert(pair12(client_writes=on(HT.client_key_exchange, before((HANDSHAKE, HELLO_REQUEST)))).run(),
                SERVER, A.unexpected_message)
