"""What a TLS endpoint reports upward, one dataclass per kind of happening.

The referee and the UI build the ladder, the byte breakdowns and the key schedule panel
from these; nothing else of the endpoint's internals is needed.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from engine.tls.alerts import AlertDescription

_C = TypeVar("_C", bound=type)


def fast_init(cls: _C) -> _C:
    """Give a frozen, slotted dataclass an `__init__` about twice as fast as the one
    `dataclass` writes: the same parameters and defaults, each field stored through its
    slot rather than through `object.__setattr__`. The class stays frozen (assigning to
    a field still raises FrozenInstanceError), equal, hashable and `replace`-able as
    before. Put it above `@dataclass(frozen=True, slots=True)`."""
    fields = dataclasses.fields(cls)
    parameters = list(inspect.signature(cls).parameters)
    if (not cls.__dataclass_params__.frozen or "__slots__" not in vars(cls)  # type: ignore[attr-defined]
            or hasattr(cls, "__post_init__") or parameters != [field.name for field in fields]
            or any(field.kw_only or field.default_factory is not dataclasses.MISSING for field in fields)):
        raise TypeError(f"fast_init wants a frozen, slotted dataclass with plain fields: {cls.__name__}")
    namespace: dict[str, Any] = {}
    arguments, lines = [], []
    for field in fields:
        slot = next(vars(klass)[field.name] for klass in cls.__mro__ if field.name in vars(klass))
        namespace[f"_set_{field.name}"] = slot.__set__
        if field.default is dataclasses.MISSING:
            arguments.append(field.name)
        else:
            namespace[f"_default_{field.name}"] = field.default
            arguments.append(f"{field.name}=_default_{field.name}")
        lines.append(f"    _set_{field.name}(self, {field.name})")
    source = f"def __init__(self, {', '.join(arguments)}):\n" + ("\n".join(lines) or "    pass")
    exec(source, namespace)  # noqa: S102 - made from the dataclass's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls


# The events every message and record makes (RecordSent, MessageSent, MessageReceived,
# StateChanged) are named tuples: a handshake makes dozens of them, and the endpoint makes
# each in one C call (`new_event`), a quarter of a dataclass's time.
new_event = tuple.__new__


class RecordSent(NamedTuple):
    """One record went out: `raw` is its bytes on the wire, `protected_by` the name of the
    traffic secret whose key encrypted it (None for a plaintext record)."""

    content_type: int
    raw: bytes
    plaintext: bytes
    protected_by: str | None


class MessageSent(NamedTuple):
    """A handshake message (or CCS, alert) this endpoint sent, and under which key."""

    message: Any
    raw: bytes  # the encoded handshake message (header included)
    protected_by: str | None


class MessageReceived(NamedTuple):
    message: Any
    raw: bytes
    protected_by: str | None


@fast_init
@dataclass(frozen=True, slots=True)
class AlertSent:
    description: AlertDescription
    reason: str
    section: str
    fatal: bool = True


@fast_init
@dataclass(frozen=True, slots=True)
class FaultFound:
    """A player's endpoint found a fault in what the peer sent: the alert it calls for is
    the player's next move."""

    description: AlertDescription
    reason: str
    section: str


@fast_init
@dataclass(frozen=True, slots=True)
class AlertReceived:
    description: AlertDescription
    fatal: bool


@fast_init
@dataclass(frozen=True, slots=True)
class HandshakeComplete:
    """The handshake is done. `peer` is the peer's leaf certificate (an
    `x509.Certificate`), or its subject as text, or None when the peer sent none; its
    subject is written out (RFC 4514) only when someone reads `peer_certificate_subject`."""

    version: int
    cipher_suite: int
    group: int | None
    alpn: str | None
    resumed: bool
    peer: Any

    @property
    def peer_certificate_subject(self) -> str | None:
        peer = self.peer
        return peer if peer is None or isinstance(peer, str) else str(peer.subject.rfc4514_string())


@fast_init
@dataclass(frozen=True, slots=True)
class ApplicationDataReceived:
    data: bytes


class StateChanged(NamedTuple):
    old: str
    new: str


TlsEvent = (
    RecordSent | MessageSent | MessageReceived | AlertSent | AlertReceived | HandshakeComplete
    | ApplicationDataReceived | StateChanged | Any
)
