"""backoffice/iso9796.py against signatures made here by hand: the representative written
out byte by byte from ICAO 9303 Part 11's F = 6A || M1 || Hash(M1 || challenge) || trailer
and raised to the private exponent with pow, not with the emulator's signer. Every
malformed signature or key is refused by name, never with another exception."""
from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.iso9796 import KeyUnsupported, SignatureInvalid, check_key, recover, verify
from devices.idcard.emulators import iso9796_signer

CHALLENGE = bytes.fromhex("0011223344556677")


def key_with_small_top_byte() -> rsa.RSAPrivateKey:
    """A modulus below D4 00.. 00, so an F led by 6A is larger than n/2."""
    for _ in range(64):
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        if key.public_key().public_numbers().n >> 1016 < 0xD4:
            return key
    raise AssertionError("no such key in 64 tries")


KEY = key_with_small_top_byte()
N, E = KEY.public_key().public_numbers().n, KEY.public_key().public_numbers().e
D = KEY.private_numbers().d
M1 = bytes(range(106))  # 128 - 1 - 20 - 1 bytes for SHA-1 with trailer BC


def by_hand(f: bytes) -> int:
    return pow(int.from_bytes(f, "big"), D, N)


def sha1_representative(m1: bytes = M1, challenge: bytes = CHALLENGE) -> bytes:
    return b"\x6a" + m1 + hashlib.sha1(m1 + challenge).digest() + b"\xbc"


def test_a_sha1_signature_made_by_hand_verifies_and_gives_back_m1():
    f = sha1_representative()
    assert int.from_bytes(f, "big") > N // 2  # the case a rule of "above n/2, take n - J" gets wrong
    assert verify(N, E, by_hand(f).to_bytes(128, "big"), CHALLENGE) == M1


def test_the_alternative_signature_n_minus_s_verifies_too():
    s = by_hand(sha1_representative())
    assert verify(N, E, (N - s).to_bytes(128, "big"), CHALLENGE) == M1


@pytest.mark.parametrize("name,identifier", [("sha1", 0x33), ("sha224", 0x38), ("sha256", 0x34), ("sha384", 0x36),
                                             ("sha512", 0x35)])
def test_a_two_byte_trailer_names_the_hash(name, identifier):
    size = hashlib.new(name).digest_size
    m1 = bytes(128 - 1 - size - 2)
    f = b"\x6a" + m1 + hashlib.new(name, m1 + CHALLENGE).digest() + bytes([identifier, 0xCC])
    assert verify(N, E, by_hand(f).to_bytes(128, "big"), CHALLENGE) == m1


def test_the_emulators_signer_and_the_verifier_agree():
    for name in iso9796_signer.TRAILERS:
        assert len(verify(N, E, iso9796_signer.sign(KEY, CHALLENGE, name), CHALLENGE)) > 0
    assert iso9796_signer.representative(128, CHALLENGE, m1=M1) == sha1_representative()


def refusal(signature: bytes, challenge: bytes = CHALLENGE) -> str:
    with pytest.raises(SignatureInvalid) as refused:
        verify(N, E, signature, challenge)
    return str(refused.value)


def test_a_signature_over_another_challenge_is_refused():
    signature = by_hand(sha1_representative()).to_bytes(128, "big")
    assert "hash" in refusal(signature, challenge=bytes(8))


def test_a_signature_of_the_wrong_length_is_refused():
    signature = by_hand(sha1_representative()).to_bytes(128, "big")
    for wrong in (b"", signature[:-1], b"\x00" + signature, signature + b"\x00"):
        assert "bytes" in refusal(wrong)


def test_a_representative_out_of_range_is_refused():
    for value in (0, N, N + 1, (1 << 1024) - 1):
        assert "range" in refusal(value.to_bytes(128, "big"))


@pytest.mark.parametrize("header", [0x4A, 0x6B, 0x2A, 0xEA, 0x00])
def test_a_bad_header_is_refused(header):
    f = bytes([header]) + sha1_representative()[1:]
    assert "header" in refusal(by_hand(f).to_bytes(128, "big"))


@pytest.mark.parametrize("trailer", [b"\xbd", b"\x37\xcc", b"\x34\xcd", b"\x00\xcc"])
def test_a_bad_trailer_is_refused(trailer):
    f = sha1_representative()[: 128 - len(trailer)] + trailer
    assert refusal(by_hand(f).to_bytes(128, "big"))


def test_a_trailer_naming_another_hash_than_the_one_used_is_refused():
    m1 = bytes(128 - 1 - 20 - 2)
    f = b"\x6a" + m1 + hashlib.sha1(m1 + CHALLENGE).digest() + b"\x34\xcc"  # SHA-1's hash, SHA-256's name
    assert "hash" in refusal(by_hand(f).to_bytes(128, "big"))


def test_a_signature_that_is_no_signature_is_refused():
    assert refusal(sha1_representative())  # F itself, never raised to d


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(signature=st.one_of(st.binary(min_size=0, max_size=130), st.binary(min_size=128, max_size=128)),
       challenge=st.binary(max_size=16))
def test_any_bytes_are_a_verdict_never_a_crash(signature, challenge):
    try:
        verify(N, E, signature, challenge)
    except SignatureInvalid:
        pass


def test_keys_the_verifier_does_not_take_are_said_so():
    with pytest.raises(KeyUnsupported, match="too short"):
        check_key((1 << 511) + 1, 65537)
    with pytest.raises(KeyUnsupported, match="whole number of bytes"):
        check_key((1 << 1027) + 1, 65537)
    with pytest.raises(KeyUnsupported, match="odd"):
        check_key(N, 65536)
    with pytest.raises(KeyUnsupported):
        verify((1 << 511) + 1, 3, bytes(64), CHALLENGE)  # verify checks the key before anything else


def test_recover_gives_the_representative_whichever_of_s_and_n_minus_s_was_sent():
    s = by_hand(sha1_representative())
    assert recover(N, E, s.to_bytes(128, "big")) == recover(N, E, (N - s).to_bytes(128, "big")) == sha1_representative()


@pytest.mark.parametrize("bits", [1536, 2048, 3072])
def test_longer_keys_verify_with_m1_filling_the_rest(bits):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    n, d = key.public_key().public_numbers().n, key.private_numbers().d
    size = bits // 8
    m1 = bytes(size - 1 - 32 - 2)
    f = b"\x6a" + m1 + hashlib.sha256(m1 + CHALLENGE).digest() + b"\x34\xcc"
    signature = pow(int.from_bytes(f, "big"), d, n).to_bytes(size, "big")
    assert verify(n, 65537, signature, CHALLENGE) == m1
    with pytest.raises(SignatureInvalid):
        verify(n, 65537, signature[:128], CHALLENGE)  # a 1024-bit key's length
