"""Verifies the back office's signed QR codes on the kiosk, offline: the Ed25519 public key
is fetched once from /v1/keys/qr and kept, so a scan is checked even while the network
is down."""
from __future__ import annotations

import json
import time
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain import tokens


class QrVerifier:
    def __init__(self, public_key_b64: str):
        self._key = Ed25519PublicKey.from_public_bytes(tokens.unb64url(public_key_b64))

    def verify(self, text: str, kind: str | None = None, now: int | None = None) -> tokens.Token:
        def check(signature: bytes, message: bytes) -> bool:
            try:
                self._key.verify(signature, message)
                return True
            except (InvalidSignature, ValueError):
                return False

        return tokens.decode(text, check, int(time.time()) if now is None else now, kind)


def load_verifier(api, cache: Path) -> QrVerifier | None:
    """The key from the back office (refreshing the cache) or, offline, from the cache."""
    try:
        key = api.qr_public_key()
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"public_key": key}))
        return QrVerifier(key)
    except Exception:  # offline, or a broken answer: fall back to the kept key
        try:
            return QrVerifier(json.loads(cache.read_text())["public_key"])
        except (OSError, ValueError, KeyError):
            return None
