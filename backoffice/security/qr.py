"""Ed25519 signing of QR tokens (format in domain.tokens). Terminals verify offline with
the public keys published at /v1/keys/qr.

Keys have ids (a digest of the public key, so nothing needs naming) and every token
carries its key's id. A key is rotated with an overlap: the new seed signs, the old one
is kept as retired, still verifying the codes already printed, until it is dropped."""
from __future__ import annotations

import functools
import hashlib
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain import tokens


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return tokens.b64url(hashlib.sha256(raw).digest()[:6])


def raw_b64(public_key: Ed25519PublicKey) -> str:
    return tokens.b64url(public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


class QrSigner:
    def __init__(self, seed: bytes, retired: tuple[bytes, ...] = ()):
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key()
        self.key_id = key_id(self.public_key)
        # The current key first: it verifies nearly every token.
        self.verifying: dict[str, Ed25519PublicKey] = {self.key_id: self.public_key}
        for old in retired:
            public = Ed25519PrivateKey.from_private_bytes(old).public_key()
            self.verifying.setdefault(key_id(public), public)

    def public_key_raw_b64(self) -> str:
        return raw_b64(self.public_key)

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def published(self) -> list[dict[str, object]]:
        """Every key that verifies, the current one first and marked."""
        return [{"key_id": kid, "public_key": raw_b64(key), "current": kid == self.key_id}
                for kid, key in self.verifying.items()]

    def issue(self, kind: str, subject: str, ttl_s: int | None = None, **claims) -> str:
        now = int(time.time())
        return tokens.encode(kind, subject, now, self._key.sign,
                             expires_at=now + ttl_s if ttl_s else None, kid=self.key_id, **claims)

    def verify(self, token: str, kind: str | None = None) -> tokens.Token:
        checks = {kid: functools.partial(verifies, key) for kid, key in self.verifying.items()}
        return tokens.decode_with_keys(token, checks, int(time.time()), kind)


def verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False
