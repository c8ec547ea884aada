"""Verifying an ISO/IEC 9796-2 digital signature scheme 1 signature made with an RSA key,
in the form ICAO Doc 9303 Part 11 (6.1) has a chip use for Active Authentication. The
chip signs the message representative

    F = 0x6A || M1 || Hash(M1 || M2) || trailer

where M1 is the chip's own random bytes, recovered from the signature, and M2 is the
verifier's challenge, which the verifier supplies. The trailer is 0xBC (SHA-1 implied) or
an ISO/IEC 10118-3 hash-function identifier followed by 0xCC.

Only the public operation, on the key's numbers as Python ints: no key parsing, no HTTP.
Any failure raises SignatureInvalid (or KeyUnsupported for the key), never another
exception.
"""
from __future__ import annotations

import hashlib
import hmac

# Leading bits 01, partial recovery (M2 is not in F), no padding nibbles: ICAO's one form.
HEADER = 0x6A
IMPLICIT_SHA1 = 0xBC
EXPLICIT = 0xCC
# ISO/IEC 10118-3 dedicated hash-function identifiers, as the two-byte trailer names them.
HASH_IDENTIFIERS = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
# A shorter modulus can be factored, and then the chip cloned with its own key.
MIN_MODULUS_BITS = 1024


class KeyUnsupported(Exception):
    """The public key is not one this verifier takes."""


class SignatureInvalid(Exception):
    """The signature does not verify; the message names the step that failed."""


def check_key(modulus: int, exponent: int) -> None:
    bits = modulus.bit_length()
    if bits < MIN_MODULUS_BITS:
        raise KeyUnsupported(f"an RSA key of {bits} bits is too short")
    if bits % 8:
        # F is a whole number of bytes led by bits 01: other sizes would shift every field.
        raise KeyUnsupported(f"an RSA key of {bits} bits is not a whole number of bytes")
    if exponent < 3 or exponent % 2 == 0 or modulus % 2 == 0:
        raise KeyUnsupported("only odd RSA exponents and moduli are supported")


def verify(modulus: int, exponent: int, signature: bytes, m2: bytes) -> bytes:
    """M1, recovered, if `signature` signs M1 || `m2`; raises SignatureInvalid otherwise."""
    check_key(modulus, exponent)
    representative = recover(modulus, exponent, signature)
    hash_name, trailer_length = _trailer(representative)
    digest_size = hashlib.new(hash_name).digest_size
    end_of_m1 = len(representative) - trailer_length - digest_size
    if end_of_m1 < 1:
        raise SignatureInvalid("no room for the hash")
    m1 = representative[1:end_of_m1]
    recovered_hash = representative[end_of_m1 : len(representative) - trailer_length]
    if not hmac.compare_digest(hashlib.new(hash_name, m1 + m2).digest(), recovered_hash):
        raise SignatureInvalid("the hash of M1 and the challenge is not the one signed")
    return m1


def recover(modulus: int, exponent: int, signature: bytes) -> bytes:
    """F from the signature by the public operation, its header checked."""
    size = modulus.bit_length() // 8
    if len(signature) != size:
        raise SignatureInvalid(f"a signature of {len(signature)} bytes for a key of {size}")
    value = int.from_bytes(signature, "big")
    if not 0 < value < modulus:
        raise SignatureInvalid("the signature is out of the key's range")
    result = pow(value, exponent, modulus)
    # The signer may send n - s instead of s (9796-2's alternative), which turns F into
    # n - F: F ends in nibble C and n is odd, so exactly one of the two can end in C.
    candidate = result if result & 0xF == 0xC else modulus - result
    representative = candidate.to_bytes(size, "big")
    if representative[0] != HEADER:
        raise SignatureInvalid("the recovered message does not start with header 6A")
    return representative


def _trailer(representative: bytes) -> tuple[str, int]:
    """The hash function the trailer names, and the trailer's length."""
    if representative[-1] == IMPLICIT_SHA1:
        return "sha1", 1
    if representative[-1] == EXPLICIT and representative[-2] in HASH_IDENTIFIERS:
        return HASH_IDENTIFIERS[representative[-2]], 2
    raise SignatureInvalid(f"trailer {representative[-2:].hex().upper()} names no known hash")
