"""Signatures: every scheme signs and verifies, reproducibly; RSA-PSS is our encoding, proven
by cryptography's and OpenSSL's verifiers; bad signatures are decrypt_error."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from engine.rng import SeededRandom
from engine.tls.alerts import DecryptError, IllegalParameter, InternalError
from engine.tls.certs import shipped_rsa_key
from engine.tls.constants import SignatureScheme as S
from engine.tls.signatures import (
    SUPPORTED_SCHEMES,
    PrivateKey,
    certificate_verify_content,
    emsa_pss_encode,
    schemes_for,
    sign,
    signed_params_content,
    verify,
)

KEYS: dict[str, PrivateKey] = {
    "ed25519": ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
    "p256": ec.derive_private_key(0xC0FFEE, ec.SECP256R1()),
    "p384": ec.derive_private_key(0xDECAF, ec.SECP384R1()),
    "rsa": shipped_rsa_key(0),
}
# scheme -> the key that signs with it (TLS 1.3 pairing)
SIGNERS = {
    S.ed25519: "ed25519",
    S.ecdsa_secp256r1_sha256: "p256",
    S.ecdsa_secp384r1_sha384: "p384",
    S.rsa_pss_rsae_sha256: "rsa",
    S.rsa_pss_rsae_sha384: "rsa",
    S.rsa_pkcs1_sha256: "rsa",
    S.rsa_pkcs1_sha384: "rsa",
}
TLS13_ONLY = {scheme: not scheme.name.startswith("rsa_pkcs1") for scheme in SIGNERS}
DATA = certificate_verify_content(bytes(range(32)), is_server=True)


def test_every_supported_scheme_has_a_test_key() -> None:
    assert set(SUPPORTED_SCHEMES) == set(SIGNERS)


@pytest.mark.parametrize("scheme", list(SIGNERS), ids=lambda scheme: scheme.name)
def test_signs_and_verifies(scheme: S) -> None:
    key = KEYS[SIGNERS[scheme]]
    signature = sign(scheme, key, DATA, SeededRandom(1, "sig"))
    verify(scheme, key.public_key(), DATA, signature, tls13=TLS13_ONLY[scheme])


@pytest.mark.parametrize("scheme", list(SIGNERS), ids=lambda scheme: scheme.name)
def test_same_seed_same_signature(scheme: S) -> None:
    key = KEYS[SIGNERS[scheme]]
    first = sign(scheme, key, DATA, SeededRandom(1, "sig"))
    assert sign(scheme, key, DATA, SeededRandom(1, "sig")) == first
    other_seed = sign(scheme, key, DATA, SeededRandom(2, "sig"))
    # only RSA-PSS draws from the rng (its salt); the rest are deterministic by construction
    assert (other_seed != first) == scheme.name.startswith("rsa_pss")


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("scheme", list(SIGNERS), ids=lambda scheme: scheme.name)
@pytest.mark.parametrize("where", ["signature", "data"])
def test_a_flipped_bit_is_decrypt_error(scheme: S, where: str) -> None:
    key = KEYS[SIGNERS[scheme]]
    signature = sign(scheme, key, DATA, SeededRandom(1))
    data = DATA
    if where == "signature":
        signature = _flip(signature, len(signature) // 2)
    else:
        data = _flip(DATA, 100)
    with pytest.raises(DecryptError, match="does not verify") as caught:
        verify(scheme, key.public_key(), data, signature, tls13=TLS13_ONLY[scheme])
    assert caught.value.section == ("RFC 8446 §4.4.3" if TLS13_ONLY[scheme] else "RFC 5246 §7.4.3")


def test_a_truncated_signature_is_decrypt_error() -> None:
    signature = sign(S.ed25519, KEYS["ed25519"], DATA, SeededRandom(1))
    with pytest.raises(DecryptError):
        verify(S.ed25519, KEYS["ed25519"].public_key(), DATA, signature[:-1])


# --- RSA-PSS: our encoding, their verifiers ----------------------------------------------


@pytest.mark.parametrize("scheme", [S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384], ids=lambda scheme: scheme.name)
def test_rsa_pss_verifies_with_cryptography_and_a_salt_as_long_as_the_hash(scheme: S) -> None:
    algorithm = hashes.SHA256() if scheme == S.rsa_pss_rsae_sha256 else hashes.SHA384()
    key = KEYS["rsa"]
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = sign(scheme, key, DATA, SeededRandom(5))
    pss = padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size)
    key.public_key().verify(signature, DATA, pss, algorithm)


def _mgf1_sha256(seed: bytes, length: int) -> bytes:
    blocks = (hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _recovered_salt(public_key: rsa.RSAPublicKey, signature: bytes) -> bytes:
    """EMSA-PSS-VERIFY (RFC 8017 §9.1.2) steps 1-10 for SHA-256, written independently."""
    numbers = public_key.public_numbers()
    em_bits = numbers.n.bit_length() - 1
    em_len = -(-em_bits // 8)
    em = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(em_len, "big")
    assert em[-1] == 0xBC
    masked_db, h = em[: em_len - 33], em[em_len - 33 : -1]
    db = bytes(a ^ b for a, b in zip(masked_db, _mgf1_sha256(h, len(masked_db))))
    db = bytes([db[0] & (0xFF >> (8 * em_len - em_bits))]) + db[1:]
    padding_string, one, salt = db.partition(b"\x01")
    assert one == b"\x01" and padding_string == bytes(len(padding_string))
    return salt


def test_rsa_pss_salt_is_drawn_from_the_seed() -> None:
    key = KEYS["rsa"]
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = sign(S.rsa_pss_rsae_sha256, key, DATA, SeededRandom(9, "server.certificate_verify"))
    assert _recovered_salt(key.public_key(), signature) == SeededRandom(9, "server.certificate_verify").bytes(32)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_pkeyutl_accepts_our_rsa_pss_signature(tmp_path: Path) -> None:
    key = KEYS["rsa"]
    signature = sign(S.rsa_pss_rsae_sha256, key, DATA, SeededRandom(3))
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "public.pem").write_bytes(public_pem)
    (tmp_path / "digest.bin").write_bytes(hashlib.sha256(DATA).digest())
    (tmp_path / "signature.bin").write_bytes(signature)
    options = ["-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:32"]
    result = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "public.pem", "-in", "digest.bin",
         "-sigfile", "signature.bin", *options],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature Verified Successfully" in result.stdout


def test_emsa_pss_refuses_a_key_too_small_for_hash_and_salt() -> None:
    with pytest.raises(ValueError, match="too small"):
        emsa_pss_encode(bytes(32), 8 * 64, bytes(32), hashes.SHA256())


# --- ECDSA: RFC 6979 nonces --------------------------------------------------------------


def test_ecdsa_p256_nonce_is_rfc_6979s() -> None:
    """RFC 6979 Appendix A.2.5, P-256 with SHA-256, message "sample"."""
    key = ec.derive_private_key(0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721, ec.SECP256R1())
    r, s = decode_dss_signature(sign(S.ecdsa_secp256r1_sha256, key, b"sample", SeededRandom(1)))
    assert r == 0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716
    assert s == 0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8


# --- which scheme for which key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "tls13", "expected"),
    [
        ("ed25519", True, [S.ed25519]),
        ("p256", True, [S.ecdsa_secp256r1_sha256]),
        ("p384", True, [S.ecdsa_secp384r1_sha384]),
        ("rsa", True, [S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384]),
        ("p256", False, [S.ecdsa_secp256r1_sha256, S.ecdsa_secp384r1_sha384]),
        ("rsa", False, [S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pkcs1_sha256, S.rsa_pkcs1_sha384]),
    ],
)
def test_schemes_for_a_key(key: str, tls13: bool, expected: list[S]) -> None:
    assert schemes_for(KEYS[key], tls13=tls13) == expected
    assert schemes_for(KEYS[key].public_key(), tls13=tls13) == expected


def test_a_scheme_the_peers_key_cannot_use_is_illegal_parameter() -> None:
    signature = sign(S.ecdsa_secp256r1_sha256, KEYS["p384"], DATA, SeededRandom(1))
    with pytest.raises(IllegalParameter, match="an ECDSA secp384r1 key cannot use"):
        verify(S.ecdsa_secp256r1_sha256, KEYS["p384"].public_key(), DATA, signature)
    verify(S.ecdsa_secp256r1_sha256, KEYS["p384"].public_key(), DATA, signature, tls13=False)
    with pytest.raises(IllegalParameter, match="an RSA-2048 key cannot use"):
        verify(S.ed25519, KEYS["rsa"].public_key(), DATA, bytes(64))
    with pytest.raises(IllegalParameter, match="an Ed448 key cannot use"):
        verify(S.ed25519, ed448.Ed448PrivateKey.generate().public_key(), DATA, bytes(64))


def test_pkcs1_is_refused_in_tls13() -> None:
    signature = sign(S.rsa_pkcs1_sha256, KEYS["rsa"], DATA, SeededRandom(1))
    with pytest.raises(IllegalParameter, match="rsa_pkcs1_sha256"):
        verify(S.rsa_pkcs1_sha256, KEYS["rsa"].public_key(), DATA, signature)


def test_an_unknown_scheme_is_illegal_parameter() -> None:
    with pytest.raises(IllegalParameter, match="ed448"):
        verify(S.ed448, KEYS["ed25519"].public_key(), DATA, bytes(114))
    with pytest.raises(IllegalParameter, match="0x0a0a"):
        verify(0x0A0A, KEYS["ed25519"].public_key(), DATA, bytes(64))


def test_signing_with_the_wrong_key_is_our_internal_error() -> None:
    with pytest.raises(InternalError, match="an Ed25519 key cannot make rsa_pss_rsae_sha256 signatures"):
        sign(S.rsa_pss_rsae_sha256, KEYS["ed25519"], DATA, SeededRandom(1))
    with pytest.raises(InternalError, match="an Ed25519 key cannot make ed25519 signatures"):
        sign(S.ed25519, KEYS["ed25519"].public_key(), DATA, SeededRandom(1))  # type: ignore[arg-type]


@pytest.mark.parametrize("scheme", list(SIGNERS))
def test_a_private_key_in_place_of_the_peers_public_key_is_illegal_parameter(scheme: S) -> None:
    """Keys are told apart by their class, remembered per class: a private key of the right
    kind is still no certificate's key."""
    private = KEYS[SIGNERS[scheme]]
    signature = sign(scheme, private, DATA, SeededRandom(1))
    verify(scheme, private.public_key(), DATA, signature, tls13=False)
    with pytest.raises(IllegalParameter, match="cannot use"):
        verify(scheme, private, DATA, signature, tls13=False)  # type: ignore[arg-type]


# --- what gets signed --------------------------------------------------------------------


@pytest.mark.parametrize(("is_server", "side"), [(True, b"server"), (False, b"client")])
def test_certificate_verify_content_is_rfc_8446_section_4_4_3s(is_server: bool, side: bytes) -> None:
    transcript_hash = hashlib.sha256(b"handshake").digest()
    content = certificate_verify_content(transcript_hash, is_server)
    assert content == b" " * 64 + b"TLS 1.3, " + side + b" CertificateVerify" + b"\x00" + transcript_hash
    assert len(content) == 64 + 33 + 1 + 32


def test_tls12_signed_params_are_both_randoms_then_the_params() -> None:
    assert signed_params_content(b"C" * 32, b"S" * 32, b"params") == b"C" * 32 + b"S" * 32 + b"params"
