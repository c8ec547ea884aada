"""The ICAO 9303 Part 11 primitives over `cryptography`: key derivation, 3DES-CBC with a
zero IV, ISO 9797-1 padding (method 2) and the retail MAC (MAC algorithm 3)."""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, modes

try:  # cryptography >= 43 keeps 3DES among the "decrepit" algorithms
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

ENC, MAC = 1, 2  # KDF counters (Part 11, 9.7.1)
ZERO_IV = bytes(8)


def adjust_parity(key: bytes) -> bytes:
    """DES keys carry odd parity in each byte's lowest bit."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") % 2 == 0))
    return bytes(out)


def kdf(seed: bytes, counter: int) -> bytes:
    return adjust_parity(hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()[:16])


def key_seed(mrz_information: str) -> bytes:
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]


def pad(data: bytes) -> bytes:
    return data + b"\x80" + bytes((-len(data) - 1) % 8)


def unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("bad padding")
    return end[:-1]


def _three_key(key: bytes) -> bytes:
    """8- and 16-byte keys as the equivalent 24-byte 3DES key (K K K, K1 K2 K1)."""
    return key * 3 if len(key) == 8 else key[:16] + key[:8]


def _cipher(key: bytes) -> Cipher:
    return Cipher(TripleDES(_three_key(key)), modes.CBC(ZERO_IV))


def encrypt(key: bytes, data: bytes) -> bytes:
    enc = _cipher(key).encryptor()
    return enc.update(data) + enc.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    dec = _cipher(key).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """MAC over already padded `data`: single-DES CBC with K1, 3DES (K1 K2 K1) on the last block."""
    k1 = key[:8]
    h = ZERO_IV
    if len(data) > 8:
        h = encrypt(k1, data[:-8])[-8:]
    last = bytes(a ^ b for a, b in zip(h, data[-8:]))
    enc = Cipher(TripleDES(_three_key(key[:16])), modes.ECB()).encryptor()
    return enc.update(last) + enc.finalize()
