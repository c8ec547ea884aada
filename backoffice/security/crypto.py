"""Personal data at rest: AES-GCM encryption and keyed (HMAC) lookup hashes; staff
password hashes."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.ids import normalize_resident_id


class Vault:
    def __init__(self, data_key: bytes, lookup_key: bytes):
        self._aead = AESGCM(data_key)
        self._lookup_key = lookup_key

    def encrypt(self, plaintext: str, context: str = "") -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str, context: str = "") -> str:
        raw = base64.b64decode(token)
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()

    def encrypt_bytes(self, data: bytes, context: str = "") -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, context.encode())

    def decrypt_bytes(self, sealed: bytes, context: str = "") -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], context.encode())

    def lookup(self, document_number: str) -> str:
        """The same person always gives the same hash; the hash gives nothing back."""
        normalized = normalize_resident_id(document_number)
        return hmac.new(self._lookup_key, normalized.encode(), hashlib.sha256).hexdigest()


# Staff passwords: Argon2id at OWASP's recommended minimum (19 MiB, two passes, one lane).
# Hashes made before it (scrypt, N=2^14) are still checked, and replaced at the next
# successful sign-in.
PASSWORDS = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


def check_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return PASSWORDS.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _check_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    return not stored.startswith("$argon2") or PASSWORDS.check_needs_rehash(stored)


def _check_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)


@functools.cache
def unknown_user_hash() -> str:
    """Checked against when the username is unknown or disabled, so that answer costs the
    same time as a wrong password for a real account (no guessing who works here)."""
    return hash_password(os.urandom(16).hex())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
