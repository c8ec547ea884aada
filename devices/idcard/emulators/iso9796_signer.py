"""The chip's side of RSA Active Authentication (ICAO Doc 9303 Part 11, 6.1): an ISO/IEC
9796-2 scheme 1 signature over the terminal's challenge, made with the raw private
operation on

    F = 0x6A || M1 || Hash(M1 || challenge) || trailer

M1 is fresh random bytes filling F; the trailer is 0xBC for SHA-1 (what most passports
use) or the ISO/IEC 10118-3 identifier of the hash and 0xCC. Written apart from the back
office's verifier so that each checks the other. For the emulator and tests only: the
private operation is Python's pow, not a constant-time one.
"""
from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives.asymmetric import rsa

TRAILERS = {"sha1": b"\xbc", "sha224": b"\x38\xcc", "sha256": b"\x34\xcc", "sha384": b"\x36\xcc",
            "sha512": b"\x35\xcc"}


def representative(size: int, challenge: bytes, hash_name: str = "sha1", m1: bytes | None = None) -> bytes:
    """F for a key of `size` bytes; `m1` given fixes the chip's random part (for tests)."""
    trailer = TRAILERS[hash_name]
    m1_size = size - 1 - hashlib.new(hash_name).digest_size - len(trailer)
    m1 = os.urandom(m1_size) if m1 is None else m1
    if len(m1) != m1_size:
        raise ValueError(f"M1 is {m1_size} bytes for this key")
    return b"\x6a" + m1 + hashlib.new(hash_name, m1 + challenge).digest() + trailer


def sign(key: rsa.RSAPrivateKey, challenge: bytes, hash_name: str = "sha1", m1: bytes | None = None) -> bytes:
    numbers = key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    s = pow(int.from_bytes(representative(size, challenge, hash_name, m1), "big"), d, n)
    # 9796-2 has the signer send the smaller of s and n - s; the verifier takes either.
    return min(s, n - s).to_bytes(size, "big")
