"""Key shares: seeded, agreeing, shaped as the RFCs say, and refusing bad peer values."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from engine.rng import SeededRandom
from engine.tls.alerts import HandshakeFailure, IllegalParameter
from engine.tls.constants import NamedGroup
from engine.tls.groups import (
    FFDHE2048,
    FFDHE3072,
    SUPPORTED_GROUPS,
    EcdhShare,
    FfdheGroup,
    FfdheShare,
    X25519Share,
    ffdhe_group_for,
    generate,
    generate_ffdhe,
)

# group -> (public value length, shared secret length)
SIZES = {
    NamedGroup.x25519: (32, 32),
    NamedGroup.secp256r1: (65, 32),
    NamedGroup.secp384r1: (97, 48),
    NamedGroup.ffdhe2048: (256, 256),
    NamedGroup.ffdhe3072: (384, 384),
}


@pytest.mark.parametrize("group", SUPPORTED_GROUPS, ids=lambda group: group.name)
def test_both_sides_agree_on_a_secret_of_the_groups_size(group: NamedGroup) -> None:
    alice, bob = generate(group, SeededRandom(1, "alice")), generate(group, SeededRandom(1, "bob"))
    secret = alice.exchange(bob.public_bytes())
    assert secret == bob.exchange(alice.public_bytes())
    assert (len(alice.public_bytes()), len(secret)) == SIZES[group]
    assert alice.group == group and alice.name == group.name


@pytest.mark.parametrize("group", SUPPORTED_GROUPS, ids=lambda group: group.name)
def test_the_seed_decides_the_share(group: NamedGroup) -> None:
    first = generate(group, SeededRandom(7, "client.key_share")).public_bytes()
    assert generate(group, SeededRandom(7, "client.key_share")).public_bytes() == first
    assert generate(group, SeededRandom(8, "client.key_share")).public_bytes() != first


def test_x25519_matches_rfc_7748_section_6_1() -> None:
    alice = X25519Share(bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
    bob = X25519Share(bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
    assert alice.public_bytes().hex() == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
    assert bob.public_bytes().hex() == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
    shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
    assert alice.exchange(bob.public_bytes()).hex() == shared == bob.exchange(alice.public_bytes()).hex()


@pytest.mark.parametrize("group", [NamedGroup.secp256r1, NamedGroup.secp384r1], ids=lambda group: group.name)
def test_ecdhe_secret_is_the_x_coordinate_of_the_product_point(group: NamedGroup) -> None:
    curve = ec.SECP256R1() if group == NamedGroup.secp256r1 else ec.SECP384R1()
    a, b = 0x1234567890ABCDEF, 0xFEDCBA0987654321
    alice, bob = EcdhShare(group, a), EcdhShare(group, b)
    product = ec.derive_private_key(a * b % curve.group_order, curve).public_key().public_numbers()
    assert alice.exchange(bob.public_bytes()) == product.x.to_bytes(alice.coordinate_size, "big")
    public = alice.public_bytes()
    assert public[0] == 0x04
    point = ec.derive_private_key(a, curve).public_key().public_numbers()
    size = alice.coordinate_size
    assert public[1:] == point.x.to_bytes(size, "big") + point.y.to_bytes(size, "big")


def test_ffdhe_secret_is_g_to_the_product_padded_for_tls13() -> None:
    alice, bob = FfdheShare(FFDHE2048, 0xA11CE), FfdheShare(FFDHE2048, 0xB0B)
    expected = pow(2, 0xA11CE * 0xB0B, FFDHE2048.p).to_bytes(256, "big")
    assert alice.public_bytes() == pow(2, 0xA11CE, FFDHE2048.p).to_bytes(256, "big")
    assert alice.exchange(bob.public_bytes()) == expected


def _exponent_with_a_leading_zero_in_the_secret(peer: FfdheShare) -> int:
    y = int.from_bytes(peer.public_bytes(), "big")
    return next(e for e in range(2, 100_000) if pow(y, e, FFDHE2048.p) < 1 << (8 * 255))


def test_ffdhe_secret_keeps_leading_zeros_in_tls13_and_drops_them_in_tls12() -> None:
    peer = FfdheShare(FFDHE2048, 0xC0FFEE)
    ours = FfdheShare(FFDHE2048, _exponent_with_a_leading_zero_in_the_secret(peer))
    padded = ours.exchange(peer.public_bytes())
    stripped = ours.exchange(peer.public_bytes(), tls12=True)
    assert len(padded) == 256 and padded[0] == 0
    assert stripped == padded.lstrip(b"\x00") and len(stripped) < 256


def test_tls12_accepts_an_unpadded_public_value_that_tls13_refuses() -> None:
    ours = FfdheShare(FFDHE2048, 0xC0FFEE)
    unpadded = (12345).to_bytes(2, "big")
    expected = pow(12345, 0xC0FFEE, FFDHE2048.p).to_bytes(256, "big").lstrip(b"\0")
    assert ours.exchange(unpadded, tls12=True) == expected
    with pytest.raises(IllegalParameter, match="is 256 bytes, this one is 2"):
        ours.exchange(unpadded)


P256_POINT_OFF_CURVE = b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big")
BAD_SHARES = [
    (NamedGroup.x25519, bytes(31), "32 bytes"),
    (NamedGroup.x25519, bytes(33), "32 bytes"),
    (NamedGroup.x25519, bytes(32), "low-order point"),
    (NamedGroup.x25519, b"\x01" + bytes(31), "low-order point"),
    (NamedGroup.secp256r1, P256_POINT_OFF_CURVE[:-1], "65 bytes starting 0x04"),
    (NamedGroup.secp256r1, b"\x02" + bytes(32), "uncompressed point"),
    (NamedGroup.secp256r1, b"\x05" + P256_POINT_OFF_CURVE[1:], "starting 0x05"),
    (NamedGroup.secp256r1, P256_POINT_OFF_CURVE, "not on the curve secp256r1"),
    (NamedGroup.secp256r1, b"", "this one is 0 bytes"),
    (NamedGroup.secp384r1, generate(NamedGroup.secp256r1, SeededRandom(1)).public_bytes(), "97 bytes"),
    (NamedGroup.ffdhe2048, bytes(256), "between 2 and p-2"),
    (NamedGroup.ffdhe2048, (1).to_bytes(256, "big"), "between 2 and p-2"),
    (NamedGroup.ffdhe2048, (FFDHE2048.p - 1).to_bytes(256, "big"), "between 2 and p-2"),
    (NamedGroup.ffdhe2048, FFDHE2048.p.to_bytes(256, "big"), "between 2 and p-2"),
    (NamedGroup.ffdhe2048, b"\x00" + (2).to_bytes(256, "big"), "this one is 257"),
    (NamedGroup.ffdhe3072, (2).to_bytes(256, "big"), "384 bytes"),
]


@pytest.mark.parametrize(("group", "peer", "reason"), BAD_SHARES, ids=lambda value: str(value)[:24])
def test_an_invalid_peer_share_is_illegal_parameter(group: NamedGroup, peer: bytes, reason: str) -> None:
    share = generate(group, SeededRandom(3))
    with pytest.raises(IllegalParameter, match=reason) as caught:
        share.exchange(peer)
    assert caught.value.section.startswith("RFC")


@pytest.mark.parametrize("tls12", [False, True])
def test_ffdhe_bounds_hold_in_both_versions(tls12: bool) -> None:
    share = generate_ffdhe(FFDHE2048, SeededRandom(3))
    for value in (b"\x01", (FFDHE2048.p - 1).to_bytes(256, "big")):
        with pytest.raises(IllegalParameter, match="between 2 and p-2"):
            share.exchange(value.rjust(256, b"\0"), tls12=tls12)


def test_an_unsupported_group_is_illegal_parameter() -> None:
    with pytest.raises(IllegalParameter, match="x448"):
        generate(NamedGroup.x448, SeededRandom(1))


# --- RFC 7919 parameters -----------------------------------------------------------------

# Transcribed from RFC 7919 Appendix A.1 (ffdhe2048): the first and last lines of p.
RFC7919_FFDHE2048_FIRST_LINE = "FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1"
RFC7919_FFDHE2048_LAST_LINE = "886B4238 61285C97 FFFFFFFF FFFFFFFF"
# Appendix A.2 (ffdhe3072): the last line of p.
RFC7919_FFDHE3072_LAST_LINE = "3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF"


def _rfc_words(value: int) -> str:
    text = f"{value:X}"
    return " ".join(text[i : i + 8] for i in range(0, len(text), 8))


def test_ffdhe2048_prime_starts_and_ends_as_in_the_rfc() -> None:
    words = _rfc_words(FFDHE2048.p)
    assert words.startswith(RFC7919_FFDHE2048_FIRST_LINE)
    assert words.endswith(RFC7919_FFDHE2048_LAST_LINE)
    assert _rfc_words(FFDHE3072.p).endswith(RFC7919_FFDHE3072_LAST_LINE)


def _floor_e_times_two_to_the(k: int) -> int:
    """floor(2^k * e) by summing 2^k / i! with 64 guard bits."""
    total, term, i = 0, 1 << (k + 64), 0
    while term:
        total += term
        i += 1
        term //= i
    return total >> 64


@pytest.mark.parametrize(("group", "bits", "x"), [(FFDHE2048, 2048, 560316), (FFDHE3072, 3072, 2625351)])
def test_ffdhe_primes_follow_the_rfc_formula(group: FfdheGroup, bits: int, x: int) -> None:
    """p = 2^b - 2^{b-64} + {[2^{b-130} e] + X} * 2^64 - 1 (RFC 7919 Appendix A)."""
    assert group.p == 2**bits - 2 ** (bits - 64) + (_floor_e_times_two_to_the(bits - 130) + x) * 2**64 - 1
    assert group.g == 2 and group.size == bits // 8


def _probably_prime(n: int, bases: tuple[int, ...] = (2, 3, 5)) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for base in bases:
        x = pow(base, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def test_ffdhe2048_is_a_safe_prime() -> None:
    assert _probably_prime(FFDHE2048.p) and _probably_prime((FFDHE2048.p - 1) // 2)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
@pytest.mark.parametrize("group", [FFDHE2048, FFDHE3072], ids=lambda group: group.name)
def test_ffdhe_primes_equal_openssls_built_in_groups(group: FfdheGroup) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_parameters  # warns: FFDH deprecated

    pem = subprocess.run(
        ["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", f"group:{group.name}"],
        capture_output=True, check=True,
    ).stdout
    numbers = load_pem_parameters(pem).parameter_numbers()
    assert (numbers.p, numbers.g) == (group.p, group.g)


def test_a_tls12_server_group_is_recognised_by_its_numbers() -> None:
    assert ffdhe_group_for(FFDHE2048.p, 2) is FFDHE2048
    custom = ffdhe_group_for(FFDHE2048.p, 5)
    assert custom.code is None and custom.exponent_bits == 2047
    share = generate_ffdhe(custom, SeededRandom(1))
    other = generate_ffdhe(custom, SeededRandom(2))
    assert share.exchange(other.public_bytes(), tls12=True) == other.exchange(share.public_bytes(), tls12=True)


def test_a_weak_or_malformed_tls12_server_group_is_refused() -> None:
    with pytest.raises(HandshakeFailure, match="1024-bit DH prime is too small"):
        ffdhe_group_for(FFDHE2048.p >> 1024 | 1, 2)
    with pytest.raises(IllegalParameter, match="malformed"):
        ffdhe_group_for(FFDHE3072.p + 1, 2)
    with pytest.raises(IllegalParameter, match="malformed"):
        ffdhe_group_for(FFDHE3072.p, FFDHE3072.p - 1)
