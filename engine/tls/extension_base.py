"""What every TLS extension form shares (RFC 8446 §4.2): the `Extension` base, the
context that picks a form, the four shapes most extensions take, and where TLS 1.3
allows each extension type.

Concrete forms live in `engine.tls.extensions` (import them from there); the shapes here
let one line of class constants describe an extension instead of a hand-written pair of
encode and decode methods per extension.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Self

from engine.tls.alerts import IllegalParameter
from engine.tls.codec import (
    FastReader,
    Field,
    Reader,
    Writer,
    code_points,
    hex_preview,
    unnamed_fault,
)
from engine.tls.constants import ExtensionType, IdentityEnum, known, member_of, name
from engine.tls.events import fast_init

__all__ = [
    "TLS13_PLACEMENT",
    "CodesExtension",
    "EmptyExtension",
    "Extension",
    "ExtensionContext",
    "NumberExtension",
    "OpaqueExtension",
    "UnknownExtension",
    "check_tls13_placement",
    "extension_type_of",
    "rfc8446",
]


class ExtensionContext(IdentityEnum):
    """Which message an extension block belongs to; values are RFC 8446 §4.2's column
    letters. The form of key_share, supported_versions, pre_shared_key, server_name,
    early_data and status_request depends on it."""

    CLIENT_HELLO = "CH"
    SERVER_HELLO = "SH"
    HELLO_RETRY_REQUEST = "HRR"
    ENCRYPTED_EXTENSIONS = "EE"
    CERTIFICATE = "CT"
    CERTIFICATE_REQUEST = "CR"
    NEW_SESSION_TICKET = "NST"


class Extension:
    """Base of every extension form. `extension_type` is a class constant on the typed
    forms and a field of `UnknownExtension`."""

    __slots__ = ()
    extension_type: int

    def encode(self, w: Writer) -> None:
        """Write the extension_data: everything after the type and length."""
        raise NotImplementedError

    @classmethod
    def decode(cls, r: Reader) -> Self:
        """Read the extension_data; `r` is bounded to it and must be used up."""
        raise NotImplementedError

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        """`decode` of the extension_data at `start:stop` in a FastReader's bytes, for
        reading a block without a byte map: a fault raises unnamed. The shapes whose data
        is one flat field override it to read that field straight from the bytes."""
        r.pos, r.end = start, stop
        extension = cls.decode(r)
        if r.pos != stop:
            unnamed_fault()
        return extension

    def describe(self) -> str:
        """This extension's content in a few words ("x25519, secp256r1")."""
        return ""


def rfc8446(section: str) -> str:
    """"4.2.8" -> "RFC 8446 §4.2.8"."""
    return f"RFC 8446 §{section}"


# --- shapes shared by many extensions -------------------------------------------------------


class EmptyExtension(Extension):
    """An extension whose presence is the message: its extension_data is empty."""

    __slots__ = ()

    def encode(self, w: Writer) -> None:
        pass

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls()  # anything inside is left over: decode_error from the enclosing block

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        if start != stop:
            unnamed_fault()
        return _EMPTIES[cls]  # type: ignore[no-any-return]

    def describe(self) -> str:
        return "(empty)"


class _Empties(dict[type, Any]):
    """One instance of each empty form, made with `arguments` when first read: a form with
    no fields (or one empty value) is always equal to any other of its kind (and frozen),
    so one serves every block."""

    def __init__(self, *arguments: Any) -> None:
        super().__init__()
        self.arguments = arguments

    def __missing__(self, form: type) -> Any:
        empty = self[form] = form(*self.arguments)
        return empty


_EMPTIES = _Empties()
_EMPTY_VALUES = _Empties(b"")  # opaque forms whose value is empty (an initial renegotiation_info)


class NumberExtension(Extension):
    """extension_data is one integer (a selected version, group, identity, a limit)."""

    __slots__ = ()
    _attr: ClassVar[str]
    _size: ClassVar[int]
    _field: ClassVar[Field]
    _codes: ClassVar[type[enum.IntEnum] | None] = None
    _code_of: ClassVar[Callable[[int], Any] | None] = None  # member_of(_codes), once per form

    if TYPE_CHECKING:
        def __init__(self, value: int, /) -> None: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._codes is not None:
            cls._code_of = member_of(cls._codes)

    def encode(self, w: Writer) -> None:
        w.buffer += getattr(self, self._attr).to_bytes(self._size, "big")

    @classmethod
    def decode(cls, r: Reader) -> Self:
        value = r.number(cls._size, cls._field)
        return cls(value if cls._codes is None else known(cls._codes, value))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        if stop - start != cls._size:
            unnamed_fault()
        value = int.from_bytes(r.data[start:stop], "big")
        code_of = cls._code_of
        return cls(value if code_of is None else code_of(value))

    def describe(self) -> str:
        value = getattr(self, self._attr)
        return str(value) if self._codes is None else name(value)


class CodesExtension(Extension):
    """extension_data is a vector of code points (groups, schemes, versions, modes)."""

    __slots__ = ()
    _attr: ClassVar[str]
    _item_size: ClassVar[int]
    _length_size: ClassVar[int]
    _minimum: ClassVar[int]
    _maximum: ClassVar[int]
    _codes: ClassVar[type[enum.IntEnum]]
    _list: ClassVar[Field]
    _item: ClassVar[Field]

    if TYPE_CHECKING:
        def __init__(self, values: tuple[Any, ...], /) -> None: ...

    def _values(self) -> tuple[int, ...]:
        values: tuple[int, ...] = getattr(self, self._attr)
        return values

    def encode(self, w: Writer) -> None:
        w.numbers(getattr(self, self._attr), self._item_size, self._length_size)

    @classmethod
    def decode(cls, r: Reader) -> Self:
        return cls(r.codes(cls._length_size, cls._item_size, cls._list, cls._item, cls._codes,
                           cls._minimum, cls._maximum))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        data, size = r.data, cls._item_size
        body = start + cls._length_size
        length = stop - body  # the vector's length must cover the rest of the data exactly
        if (int.from_bytes(data[start:body], "big") != length
                or not cls._minimum <= length <= cls._maximum or length % size):
            unnamed_fault()
        return cls(code_points(data, body, length, size, cls._codes))

    def describe(self) -> str:
        return ", ".join(name(value, 2 * self._item_size) for value in self._values())


class OpaqueExtension(Extension):
    """extension_data is one byte string: with a length prefix, or (size 0) all of it."""

    __slots__ = ()
    _attr: ClassVar[str]
    _length_size: ClassVar[int]
    _minimum: ClassVar[int] = 0
    _field: ClassVar[Field]

    if TYPE_CHECKING:
        def __init__(self, value: bytes, /) -> None: ...

    def _value(self) -> bytes:
        value: bytes = getattr(self, self._attr)
        return value

    def encode(self, w: Writer) -> None:
        value: bytes = getattr(self, self._attr)  # (`_value` and `Writer.vector` written out)
        size = self._length_size
        w.buffer += len(value).to_bytes(size, "big") + value if size else value

    @classmethod
    def decode(cls, r: Reader) -> Self:
        if cls._length_size:
            maximum = 2 ** (8 * cls._length_size) - 1
            return cls(r.opaque(cls._length_size, cls._field, cls._minimum, maximum))
        return cls(r.rest(cls._field))

    @classmethod
    def decode_at(cls, r: FastReader, start: int, stop: int) -> Self:
        data = r.data
        if cls._length_size:  # the length must cover the rest of the data exactly
            body = start + cls._length_size
            length = int.from_bytes(data[start:body], "big")
            if body + length != stop or length < cls._minimum:
                unnamed_fault()
            start = body
        if start == stop:
            return _EMPTY_VALUES[cls]  # type: ignore[no-any-return]
        return cls(data[start:stop])

    def describe(self) -> str:
        return hex_preview(self._value(), 8)




@fast_init
@dataclass(frozen=True, slots=True)
class UnknownExtension(Extension):
    """An extension kept verbatim: a type we have no form for in this message."""

    extension_type: int
    data: bytes

    def encode(self, w: Writer) -> None:
        w.bytes(self.data)

    def describe(self) -> str:
        return hex_preview(self.data, 8)


_CH, _SH, _HRR, _EE, _CT, _CR, _NST = ExtensionContext  # in definition order

# --- where TLS 1.3 allows each extension (RFC 8446 §4.2, RFC 8449 §4) ----------------------

TLS13_PLACEMENT: dict[ExtensionType, frozenset[ExtensionContext]] = {
    extension_type: frozenset(contexts) for extension_type, contexts in {
        ExtensionType.server_name: (_CH, _EE),
        ExtensionType.max_fragment_length: (_CH, _EE),
        ExtensionType.status_request: (_CH, _CR, _CT),
        ExtensionType.supported_groups: (_CH, _EE),
        ExtensionType.signature_algorithms: (_CH, _CR),
        ExtensionType.use_srtp: (_CH, _EE),
        ExtensionType.heartbeat: (_CH, _EE),
        ExtensionType.application_layer_protocol_negotiation: (_CH, _EE),
        ExtensionType.signed_certificate_timestamp: (_CH, _CR, _CT),
        ExtensionType.client_certificate_type: (_CH, _EE),
        ExtensionType.server_certificate_type: (_CH, _EE),
        ExtensionType.padding: (_CH,),
        ExtensionType.record_size_limit: (_CH, _EE),
        ExtensionType.key_share: (_CH, _SH, _HRR),
        ExtensionType.pre_shared_key: (_CH, _SH),
        ExtensionType.psk_key_exchange_modes: (_CH,),
        ExtensionType.early_data: (_CH, _EE, _NST),
        ExtensionType.cookie: (_CH, _HRR),
        ExtensionType.supported_versions: (_CH, _SH, _HRR),
        ExtensionType.certificate_authorities: (_CH, _CR),
        ExtensionType.oid_filters: (_CR,),
        ExtensionType.post_handshake_auth: (_CH,),
        ExtensionType.signature_algorithms_cert: (_CH, _CR),
    }.items()
}
_TLS12_ONLY = frozenset({_CH})  # ec_point_formats, extended_master_secret, ...: only as
                                # part of a ClientHello that also offers TLS 1.2


_NAMED_TYPES = frozenset(ExtensionType._value2member_map_)
# Each extension's type, as one C call (for `map` over a block: superset and duplicate checks).
extension_type_of = attrgetter("extension_type")


@cache
def _allowed_in(context: ExtensionContext) -> frozenset[int]:
    """The named extension types TLS 1.3 allows in `context` (worked out once)."""
    return frozenset(t for t in _NAMED_TYPES if context in TLS13_PLACEMENT.get(ExtensionType(t), _TLS12_ONLY))


def check_tls13_placement(extensions: Sequence[Extension], context: ExtensionContext) -> None:
    """Raise illegal_parameter for a known extension in a TLS 1.3 message that RFC 8446
    §4.2 does not allow it in ("If an implementation receives an extension which it
    recognizes and which is not specified for the message in which it appears, it MUST
    abort the handshake with an illegal_parameter alert"). Unknown types pass."""
    allowed_here = _allowed_in(context)
    if allowed_here.issuperset(map(extension_type_of, extensions)):  # the usual case, in one C call
        return
    for index, extension in enumerate(extensions):
        if extension.extension_type in allowed_here or extension.extension_type not in _NAMED_TYPES:
            continue
        extension_type = ExtensionType(extension.extension_type)
        allowed = TLS13_PLACEMENT.get(extension_type, _TLS12_ONLY)
        where = ", ".join(sorted(c.value for c in allowed))
        raise IllegalParameter(f"extensions[{index}]: {extension_type.name} is not allowed "
                               f"in {context.value} in TLS 1.3 (only in {where})",
                               rfc8446("4.2"))
