"""Personal data at rest: AES-GCM encryption and keyed (HMAC) lookup hashes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

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


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
