"""Ed25519 signing of QR tokens (format in domain.tokens). Terminals verify offline
with the public key published at /v1/keys/qr."""
from __future__ import annotations

import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain import tokens


class QrSigner:
    def __init__(self, seed: bytes):
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key()

    def public_key_raw_b64(self) -> str:
        raw = self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return tokens.b64url(raw)

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def issue(self, kind: str, subject: str, ttl_s: int | None = None, **claims) -> str:
        now = int(time.time())
        return tokens.encode(kind, subject, now, self._key.sign,
                             expires_at=now + ttl_s if ttl_s else None, **claims)

    def verify(self, token: str, kind: str | None = None) -> tokens.Token:
        def check(signature: bytes, message: bytes) -> bool:
            try:
                self.public_key.verify(signature, message)
                return True
            except InvalidSignature:
                return False

        return tokens.decode(token, check, int(time.time()), kind)
