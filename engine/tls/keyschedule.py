"""The TLS 1.3 key schedule (RFC 8446 §7), one secret at a time, each one an event.

The functions at the top are the RFC's own: `hkdf_extract`, `hkdf_expand_label` and
`derive_secret`, with the labels written as the RFC writes them (b"c hs traffic"; the
b"tls13 " prefix is added inside `hkdf_expand_label`, RFC 8446 §7.1).

`KeySchedule` walks the schedule for one connection:

    early(psk) ─► handshake(shared_secret, H(ClientHello..ServerHello))
               ─► master(H(ClientHello..server Finished))
               ─► resumption(H(ClientHello..client Finished))

and on the side `binder_key`, `client_early_traffic`, `finished_key`,
`finished_verify_data`, `next_application_secret` (KeyUpdate), `resumption_psk` and
`traffic_keys`. Every value it computes is appended to `events` as a `SecretDerived` that
names the value, the inputs it came from and the RFC formula, so the UI can grow the
schedule as a tree, node by node, in the order the endpoint learns them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import cache, partial
from typing import Any, Literal, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from engine.tls.alerts import InternalError
from engine.tls.suites import SuiteInfo, TrafficKeys, digest_size, suite_info

__all__ = [
    "ApplicationSecrets",
    "KeySchedule",
    "SecretLog",
    "SecretDerived",
    "TrafficKeys",
    "TrafficSecrets",
    "derive_secret",
    "derive_traffic_keys",
    "hkdf_expand_label",
    "hkdf_extract",
    "hmac_digest",
    "keyed",
]

HashType = type[hashes.HashAlgorithm]
SCHEDULE = "RFC 8446 §7.1"
TRAFFIC_KEYS = "RFC 8446 §7.3"
FINISHED = "RFC 8446 §4.4.4"
KEY_UPDATE = "RFC 8446 §7.2"
TICKET_PSK = "RFC 8446 §4.6.1"
BINDER = "RFC 8446 §4.2.11.2"
ZEROS = "0"  # how the formulas write a string of Hash.length zero bytes


class SecretDerived(NamedTuple):
    """One value of the schedule became known.

    `name` is the RFC's name in snake case ("client_handshake_traffic_secret"), `inputs`
    the names of what it came from (other events' names, or a transcript hash written
    "H(ClientHello..ServerHello)"), `formula` the RFC's expression, `section` where it is
    defined, and `context` the transcript hash (or other context bytes) the formula used.

    A named tuple, not a dataclass: a handshake records some fifty of these, and a tuple
    is made in a quarter of the time (`SecretLog._record` makes it in one C call).
    """

    name: str
    value: bytes
    inputs: tuple[str, ...]
    formula: str
    section: str
    context: bytes = b""


class TrafficSecrets(NamedTuple):
    client: bytes
    server: bytes


class ApplicationSecrets(NamedTuple):
    client: bytes
    server: bytes
    exporter: bytes


# --- RFC 8446 §7.1 functions -------------------------------------------------------------


try:
    # The C HMAC that `hmac.new` wraps, for one-shot HMACs: without hmac's Python layer it
    # takes about half as long as `hmac.digest`.
    from _hashlib import hmac_new as _new_hmac
except ImportError:  # a Python built without OpenSSL: the same interface in Python
    _new_hmac = hmac.new  # type: ignore[assignment]

_OPAD = bytes(byte ^ 0x5C for byte in range(256))  # HMAC's key pads (RFC 2104 §2)
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_HASHLIB: dict[HashType, tuple[Callable[..., Any], int]] = {  # (hashlib's, block size)
    hashes.SHA256: (hashlib.sha256, 64),
    hashes.SHA384: (hashlib.sha384, 128),
}

# HMAC keyed once: hashlib hashes of (K ^ ipad) and of (K ^ opad), the inner and the outer.
# Each message continues copies of the two; the originals are never updated.
KeyedHmac = tuple[Any, Any]


@cache
def _name(hash: HashType) -> str:
    """hashlib's name of a hash ("sha256")."""
    return hash().name


def _hashlib_of(hash: HashType) -> tuple[Callable[..., Any], int]:
    """hashlib's constructor of a hash not in `_HASHLIB`, and its block size."""
    new = partial(hashlib.new, _name(hash))
    return new, new().block_size


def keyed(hash: HashType, key: bytes) -> KeyedHmac:
    """HMAC-Hash keyed with `key` (RFC 2104 §2), for a key that keys many HMACs, as the
    TLS 1.2 PRF's P_hash does: the padded key blocks are hashed once, here, and each
    message costs two copies of keyed hashes rather than the whole HMAC over again."""
    new, block = _HASHLIB.get(hash) or _hashlib_of(hash)
    if len(key) > block:
        key = new(key).digest()
    key = key.ljust(block, b"\0")
    return new(key.translate(_IPAD)), new(key.translate(_OPAD))


def hmac_digest(key: bytes, message: bytes, hash: HashType) -> bytes:
    """HMAC-Hash(key, message) (RFC 2104): H((K ^ opad) || H((K ^ ipad) || message)), K the
    key zero-padded to the hash's block (hashed first if longer), as OpenSSL computes it."""
    return _new_hmac(key, message, _name(hash)).digest()  # type: ignore[no-any-return]


def hkdf_extract(salt: bytes, ikm: bytes, hash: HashType) -> bytes:
    """HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2); an empty salt means
    HashLen zeros."""
    return hmac_digest(salt or bytes(digest_size(hash)), ikm, hash)


@cache
def _label_head(label: bytes, length: int) -> bytes:
    """The start of an HkdfLabel, up to its context: uint16 length, opaque label<7..255>."""
    full = b"tls13 " + label
    return length.to_bytes(2, "big") + len(full).to_bytes(1, "big") + full


def hkdf_label(label: bytes, context: bytes, length: int) -> bytes:
    """The HkdfLabel structure: uint16 length, opaque label<7..255> ("tls13 " + Label),
    opaque context<0..255>."""
    return _label_head(label, length) + len(context).to_bytes(1, "big") + context


def hkdf_expand_label(secret: bytes, label: bytes, context: bytes, length: int,
                      hash: HashType) -> bytes:
    """HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length).

    Every TLS 1.3 label asks for at most Hash.length bytes, which HKDF-Expand makes in
    one block, T(1) = HMAC-Hash(Secret, HkdfLabel || 0x01) (RFC 5869 §2.3): that one HMAC
    is taken directly; a longer output goes through cryptography's HKDFExpand."""
    info = _label_head(label, length) + len(context).to_bytes(1, "big") + context
    if 0 < length <= digest_size(hash):
        return hmac_digest(secret, info + b"\x01", hash)[:length]
    return HKDFExpand(hash(), length, info).derive(secret)


def derive_secret(secret: bytes, label: bytes, messages_hash: bytes, hash: HashType) -> bytes:
    """Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages) already taken."""
    return hkdf_expand_label(secret, label, messages_hash, digest_size(hash), hash)


@cache
def empty_hash(hash: HashType) -> bytes:
    """Transcript-Hash of no messages: Hash("") (a constant of the hash, taken once)."""
    digest = hashes.Hash(hash())
    return digest.finalize()


def derive_traffic_keys(secret: bytes, suite: SuiteInfo) -> TrafficKeys:
    """[sender]_write_key and [sender]_write_iv from a traffic secret (RFC 8446 §7.3)."""
    return TrafficKeys(
        key=hkdf_expand_label(secret, b"key", b"", suite.key_length, suite.hash),
        iv=hkdf_expand_label(secret, b"iv", b"", suite.iv_length, suite.hash),
        suite=suite,
    )


Step = tuple[str, bytes, int, tuple[str, ...], str]  # an HKDF-Expand-Label to record, see `_expand`

# The (name, label) pairs each Derive-Secret group makes from one base secret and transcript.
_EARLY_EXPORTER = (("early_exporter_master_secret", b"e exp master"), ("client_early_traffic_secret", b"c e traffic"))
_HANDSHAKE_TRAFFIC = (("client_handshake_traffic_secret", b"c hs traffic"),
                      ("server_handshake_traffic_secret", b"s hs traffic"))
_APPLICATION_TRAFFIC = (("client_application_traffic_secret_0", b"c ap traffic"),
                        ("server_application_traffic_secret_0", b"s ap traffic"),
                        ("exporter_master_secret", b"exp master"))
_RESUMPTION = (("resumption_master_secret", b"res master"),)


@cache
def _derive_steps(base: str, transcript: str, length: int,
                  outputs: tuple[tuple[str, bytes], ...]) -> tuple[Step, ...]:
    """Derive-Secret(base, label, transcript) for each (name, label) of `outputs`, as steps
    (the same for every connection)."""
    return tuple((name, _label_head(label, length), length, (base, f"H({transcript})"),
                  f'Derive-Secret({base}, "{label.decode()}", {transcript})') for name, label in outputs)


class _MainLine(NamedTuple):
    """The Derive-Secret steps of the main line under one Hash.length: each stage's salt
    for the next HKDF-Extract, and the secrets each stage derives over its transcript."""

    handshake_salt: tuple[Step, ...]
    handshake_traffic: tuple[Step, ...]
    master_salt: tuple[Step, ...]
    application_traffic: tuple[Step, ...]
    resumption: tuple[Step, ...]


@cache
def _main_line(length: int) -> _MainLine:
    return _MainLine(
        _derive_steps("early_secret", '""', length, (("derived_secret_for_handshake", b"derived"),)),
        _derive_steps("handshake_secret", "ClientHello...ServerHello", length, _HANDSHAKE_TRAFFIC),
        _derive_steps("handshake_secret", '""', length, (("derived_secret_for_master", b"derived"),)),
        _derive_steps("master_secret", "ClientHello...server Finished", length, _APPLICATION_TRAFFIC),
        _derive_steps("master_secret", "ClientHello...client Finished", length, _RESUMPTION),
    )


class _WithoutPsk(NamedTuple):
    early_secret: SecretDerived
    derived_secret_for_handshake: SecretDerived


@cache
def _without_psk(hash: HashType) -> _WithoutPsk:
    """The Early Secret when there is no PSK, HKDF-Extract(0, 0), and the salt
    Derive-Secret(it, "derived", "") made from it, as the events that record them: constants
    of the hash, as RFC 8448 §3 lists them, so made once rather than in every handshake."""
    zeros = bytes(digest_size(hash))
    early = hmac_digest(zeros, zeros, hash)
    salt = derive_secret(early, b"derived", empty_hash(hash), hash)
    ((name, _, _, inputs, formula),) = _main_line(len(zeros)).handshake_salt
    return _WithoutPsk(
        SecretDerived("early_secret", early, (ZEROS,), f"HKDF-Extract(salt={ZEROS}, IKM={ZEROS})", SCHEDULE),
        SecretDerived(name, salt, inputs, formula, SCHEDULE, empty_hash(hash)),
    )


@cache
def _traffic_steps(name: str, code: int) -> tuple[Step, ...]:
    """The write key and IV of traffic secret `name` under the suite with code point `code`
    ("client_handshake_key", "client_handshake_iv"). (Keyed by the code point: hashing the
    SuiteInfo itself means hashing all its fields.)"""
    suite = suite_info(code)
    if max(suite.key_length, suite.iv_length) > digest_size(suite.hash):
        raise InternalError(f"{suite.name}: a key longer than its hash", SCHEDULE)
    return tuple((name.replace("_traffic_secret", f"_{part}"), _label_head(part.encode(), length), length,
                  (name,), f'HKDF-Expand-Label({name}, "{part}", "", {part}_length)')
                 for part, length in (("key", suite.key_length), ("iv", suite.iv_length)))


@cache
def _finished_words(base_name: str, length: int,
                    transcript: str) -> tuple[tuple[Step], str, tuple[str, ...], str, str]:
    """The finished key's steps (one) from a Finished or binder BaseKey, and the name, inputs, formula
    and section of the verify_data made with it over H(`transcript`):
    'client_handshake_traffic_secret' -> client_finished_key, client_verify_data;
    'binder_key' -> binder_finished_key, binder_verify_data (the PSK binder)."""
    prefix = base_name.removesuffix("_traffic_secret").removesuffix("_handshake").removesuffix("_key")
    key_name = f"{prefix}_finished_key"
    key_step = (key_name, _label_head(b"finished", length), length, (base_name,),
                f'HKDF-Expand-Label({base_name}, "finished", "", Hash.length)')
    return ((key_step,), f"{prefix}_verify_data", (key_name, f"H({transcript})"),
            f"HMAC({key_name}, H({transcript}))", BINDER if base_name == "binder_key" else FINISHED)


def _next_generation(name: str) -> str:
    """'client_application_traffic_secret_0' -> 'client_application_traffic_secret_1'."""
    stem, _, generation = name.rpartition("_")
    if not generation.isdigit():
        raise InternalError(f"{name} is not an application traffic secret", KEY_UPDATE)
    return f"{stem}_{int(generation) + 1}"


_new_tuple = tuple.__new__  # a named tuple made without its Python-level __new__
_LENGTH_BYTE = tuple(bytes((n,)) for n in range(256))  # a context's one-byte length prefix, by length


class KeyedMacs(dict[bytes, KeyedHmac]):
    """HMAC-Hash keyed by each secret it is asked for (`macs[secret]`, see `keyed`), the
    padded key blocks hashed when a secret is first asked for (a TLS 1.2 master secret
    keys the PRF of the key block and of both Finished). A miss is handled in
    `__missing__`, so a hit is one dict lookup."""

    __slots__ = ("hash",)

    def __init__(self, hash: HashType) -> None:
        super().__init__()
        self.hash = hash

    def __missing__(self, key: bytes) -> KeyedHmac:
        mac = self[key] = keyed(self.hash, key)
        return mac

    def __deepcopy__(self, memo: dict[int, object]) -> KeyedMacs:
        """A fork shares the keyed hashes (which cannot be copied deeply): they are only
        ever copied, never updated, so sharing them is safe."""
        fork = KeyedMacs(self.hash)
        fork.update(self)
        return fork


_SUITE_FACTS: dict[int, tuple[SuiteInfo, HashType, int, str]] = {}  # by code point, see `_suite_facts`


def _suite_facts(suite: SuiteInfo | int) -> tuple[SuiteInfo, HashType, int, str]:
    """A suite's facts as a key schedule keeps them (the suite, its hash, Hash.length and
    hashlib's name of the hash), found once per suite."""
    info = suite if isinstance(suite, SuiteInfo) else suite_info(suite)
    facts = _SUITE_FACTS[info.code] = (info, info.hash, digest_size(info.hash), _name(info.hash))
    return facts


class SecretLog:
    """One connection's key derivations under its cipher suite: the events in order, and
    each value by name. Subclasses fix the TLS `version` and the default `section`."""

    section = SCHEDULE
    version = "1.3"

    def __init__(self, suite: SuiteInfo | int) -> None:
        facts = _SUITE_FACTS.get(suite.code if isinstance(suite, SuiteInfo) else suite) or _suite_facts(suite)
        if facts[0].version != self.version:
            raise InternalError(f"{facts[0].name} is not a TLS {self.version} suite", self.section)
        self.suite, self.hash, self.hash_length, self.hash_name = facts
        self.events: list[SecretDerived] = []
        self.secrets: dict[str, bytes] = {}

    def _record(self, name: str, value: bytes, inputs: tuple[str, ...], formula: str,
                section: str = "", context: bytes = b"") -> bytes:
        self.events.append(_new_tuple(SecretDerived, (name, value, inputs, formula, section or self.section,
                                                      context)))
        self.secrets[name] = value
        return value

    def _require(self, name: str, step: str) -> bytes:
        try:
            return self.secrets[name]
        except KeyError:
            raise InternalError(f"{step} needs {name}, which is not derived yet",
                                self.section) from None

    def name_of(self, secret: bytes) -> str:
        """The name under which `secret` was first derived here."""
        for event in self.events:
            if event.value == secret:
                return event.name
        raise InternalError("that secret was not derived by this key schedule", self.section)


class KeySchedule(SecretLog):
    """The TLS 1.3 key schedule of one connection, under the hash of its cipher suite."""

    def _expand(self, secret: bytes, context: bytes, section: str, steps: tuple[Step, ...]) -> list[bytes]:
        """HKDF-Expand-Label(secret, label, context, length) for each step (name, HkdfLabel
        head, length, inputs, formula), each recorded with `section` and `context`. Every
        label here asks for at most Hash.length bytes, which HKDF-Expand makes in one block,
        T(1) = HMAC-Hash(secret, HkdfLabel || 0x01) (RFC 5869 §2.3): one OpenSSL HMAC each.
        (A secret keys at most four of these; keying it once and copying the keyed hashes
        per label costs as much, in far more Python.)"""
        tail = _LENGTH_BYTE[len(context)] + context + b"\x01" if context else b"\x00\x01"
        hash_name, events, secrets, values = self.hash_name, self.events, self.secrets, []
        for name, head, length, inputs, formula in steps:
            value = _new_hmac(secret, head + tail, hash_name).digest()[:length]
            events.append(_new_tuple(SecretDerived, (name, value, inputs, formula, section, context)))
            secrets[name] = value
            values.append(value)
        return values

    def _derive(self, base: str, transcript: str, transcript_hash: bytes,
                outputs: tuple[tuple[str, bytes], ...]) -> list[bytes]:
        """Record Derive-Secret(base, label, transcript) under each (name, label) of `outputs`."""
        steps = _derive_steps(base, transcript, self.hash_length, outputs)
        return self._expand(self.secrets[base], transcript_hash, SCHEDULE, steps)

    # --- the main line ---------------------------------------------------------------------

    def early(self, psk: bytes | None = None) -> bytes:
        """Early Secret = HKDF-Extract(0, PSK), with HashLen zeros when there is no PSK."""
        if psk is None:  # a constant, recorded as `_record` would (its event made once)
            event = _without_psk(self.hash).early_secret
            self.events.append(event)
            self.secrets["early_secret"] = event.value
            return event.value
        self._record("psk", psk, (), "the pre-shared key (external, or from a NewSessionTicket)",
                     TICKET_PSK)
        value = hkdf_extract(b"", psk, self.hash)
        return self._record("early_secret", value, ("psk",), f"HKDF-Extract(salt={ZEROS}, IKM=psk)")

    def binder_key(self, kind: Literal["external", "resumption"]) -> bytes:
        """binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", "")."""
        self._require("early_secret", "binder_key")
        label = b"ext binder" if kind == "external" else b"res binder"
        return self._derive("early_secret", '""', empty_hash(self.hash), (("binder_key", label),))[0]

    def client_early_traffic(self, transcript_hash_ch: bytes) -> bytes:
        """client_early_traffic_secret and early_exporter_master_secret from H(ClientHello)."""
        self._require("early_secret", "client_early_traffic")
        return self._derive("early_secret", "ClientHello", transcript_hash_ch, _EARLY_EXPORTER)[1]

    def handshake(self, shared_secret: bytes | None,
                  transcript_hash_ch_sh: bytes) -> TrafficSecrets:
        """Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""),
        (EC)DHE), then the two handshake traffic secrets. `shared_secret` None is psk_ke
        mode (no (EC)DHE): HashLen zeros."""
        secrets = self.secrets
        if "early_secret" not in secrets:
            self.early(None)
        line = _main_line(self.hash_length)
        if "psk" in secrets:
            salt = self._expand(secrets["early_secret"], empty_hash(self.hash), SCHEDULE, line.handshake_salt)[0]
        else:  # from the Early Secret of no PSK the salt is a constant, recorded as `_record` would
            event = _without_psk(self.hash).derived_secret_for_handshake
            self.events.append(event)
            salt = secrets[event.name] = event.value
        if shared_secret is None:
            ikm, ikm_name = bytes(self.hash_length), ZEROS
        else:
            ikm, ikm_name = shared_secret, "shared_secret"
            self._record("shared_secret", shared_secret, (),
                         "(EC)DHE of our private key and the peer's key share", "RFC 8446 §7.4")
        value = _new_hmac(salt, ikm, self.hash_name).digest()  # HKDF-Extract(salt, IKM)
        self._record("handshake_secret", value, ("derived_secret_for_handshake", ikm_name),
                     f"HKDF-Extract(salt=derived_secret_for_handshake, IKM={ikm_name})")
        traffic = self._expand(value, transcript_hash_ch_sh, SCHEDULE, line.handshake_traffic)
        return _new_tuple(TrafficSecrets, traffic)  # type: ignore[no-any-return]

    def master(self, transcript_hash_ch_to_server_finished: bytes) -> ApplicationSecrets:
        """Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0),
        then the application traffic secrets and the exporter master secret."""
        base = self._require("handshake_secret", "master")
        line = _main_line(self.hash_length)
        salt = self._expand(base, empty_hash(self.hash), SCHEDULE, line.master_salt)[0]
        value = _new_hmac(salt, bytes(self.hash_length), self.hash_name).digest()  # HKDF-Extract(salt, 0)
        self._record("master_secret", value, ("derived_secret_for_master", ZEROS),
                     f"HKDF-Extract(salt=derived_secret_for_master, IKM={ZEROS})")
        secrets = self._expand(value, transcript_hash_ch_to_server_finished, SCHEDULE, line.application_traffic)
        return _new_tuple(ApplicationSecrets, secrets)  # type: ignore[no-any-return]

    def resumption(self, transcript_hash_to_client_finished: bytes) -> bytes:
        """resumption_master_secret = Derive-Secret(Master Secret, "res master",
        ClientHello..client Finished)."""
        base = self._require("master_secret", "resumption")
        return self._expand(base, transcript_hash_to_client_finished, SCHEDULE, _main_line(self.hash_length).resumption)[0]

    def resumption_psk(self, ticket_nonce: bytes) -> bytes:
        """The PSK a NewSessionTicket stands for: HKDF-Expand-Label(resumption_master_secret,
        "resumption", ticket_nonce, Hash.length)."""
        base = self._require("resumption_master_secret", "resumption_psk")
        step = ("resumption_psk", _label_head(b"resumption", self.hash_length), self.hash_length,
                ("resumption_master_secret", "ticket_nonce"),
                'HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)')
        return self._expand(base, ticket_nonce, TICKET_PSK, (step,))[0]

    # --- Finished, KeyUpdate, traffic keys -----------------------------------------------

    def finished_key(self, base: bytes, base_name: str | None = None) -> bytes:
        """finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)."""
        base_name = base_name or self.name_of(base)
        key_steps, *_, section = _finished_words(base_name, self.hash_length, "Handshake Context")
        return self._expand(base, b"", section, key_steps)[0]

    def finished_verify_data(self, base: bytes, transcript_hash: bytes, base_name: str | None = None,
                             transcript: str = "Handshake Context") -> bytes:
        """verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*,
        CertificateVerify*)); the same formula makes a PSK binder over the partial ClientHello.
        `transcript` names the hashed messages for the UI ("ClientHello...CertificateVerify")."""
        base_name = base_name or self.name_of(base)
        key_steps, name, inputs, formula, section = _finished_words(base_name, self.hash_length, transcript)
        finished_key = self._expand(base, b"", section, key_steps)[0]
        value = _new_hmac(finished_key, transcript_hash, self.hash_name).digest()  # HMAC(finished_key, ...)
        return self._record(name, value, inputs, formula, section, transcript_hash)

    def next_application_secret(self, secret: bytes) -> bytes:
        """application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N,
        "traffic upd", "", Hash.length) (KeyUpdate)."""
        name = self.name_of(secret)
        step = (_next_generation(name), _label_head(b"traffic upd", self.hash_length), self.hash_length, (name,),
                f'HKDF-Expand-Label({name}, "traffic upd", "", Hash.length)')
        return self._expand(secret, b"", KEY_UPDATE, (step,))[0]

    def traffic_keys(self, secret: bytes, secret_name: str | None = None) -> TrafficKeys:
        """The write key and IV of a traffic secret, each recorded as an event
        ("client_handshake_key", "client_handshake_iv")."""
        suite = self.suite
        key, iv = self._expand(secret, b"", TRAFFIC_KEYS, _traffic_steps(secret_name or self.name_of(secret), suite.code))
        return _new_tuple(TrafficKeys, (key, iv, suite))  # type: ignore[no-any-return]
