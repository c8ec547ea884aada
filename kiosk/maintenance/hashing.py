"""Salted scrypt hashes of short secrets (the maintenance PIN, maintenance card UIDs).

Encoded as `$scrypt$n=16384,r=8,p=1$<salt>$<hash>` (base64 without padding), so the
parameters travel with the hash and can be raised later without breaking stored ones.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

PREFIX = "scrypt"
SALT_BYTES = 16
KEY_BYTES = 32


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2**14
    r: int = 8
    p: int = 1

    def check(self) -> None:
        # Bounds refuse a tampered hash string that would make verifying eat the memory.
        if not (2**10 <= self.n <= 2**20 and self.n & (self.n - 1) == 0):
            raise ValueError("scrypt n must be a power of two between 2**10 and 2**20")
        if not (1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise ValueError("scrypt r or p out of range")

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        maxmem = 128 * self.r * (self.n + self.p + 2) + 1024 * 1024
        return hashlib.scrypt(secret, salt=salt, n=self.n, r=self.r, p=self.p,
                              maxmem=maxmem, dklen=KEY_BYTES)


DEFAULT_PARAMS = ScryptParams()


def hash_secret(secret: bytes, params: ScryptParams = DEFAULT_PARAMS) -> str:
    params.check()
    salt = os.urandom(SALT_BYTES)
    key = params.derive(secret, salt)
    return f"${PREFIX}$n={params.n},r={params.r},p={params.p}${_b64(salt)}${_b64(key)}"


def verify_secret(secret: bytes, encoded: str) -> bool:
    """False for a wrong secret; ValueError for a hash string that is not ours."""
    params, salt, expected = parse(encoded)
    return hmac.compare_digest(params.derive(secret, salt), expected)


def parse(encoded: str) -> tuple[ScryptParams, bytes, bytes]:
    parts = encoded.strip().split("$")
    if len(parts) != 5 or parts[0] or parts[1] != PREFIX:
        raise ValueError("not a $scrypt$ hash string")
    try:
        fields = dict(item.split("=", 1) for item in parts[2].split(","))
        params = ScryptParams(n=int(fields["n"]), r=int(fields["r"]), p=int(fields["p"]))
        salt, key = _unb64(parts[3]), _unb64(parts[4])
    except (KeyError, ValueError) as exc:
        raise ValueError("malformed $scrypt$ hash string") from exc
    params.check()
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("scrypt salt or hash too short")
    return params, salt, key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
