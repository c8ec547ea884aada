"""Verifies the back office's signed QR codes on the kiosk, offline: the Ed25519 public
keys are fetched from /v1/keys/qr and kept, so a scan is checked even while the network
is down. A code no kept key verifies makes the verifier fetch the keys again (at most
every `refresh_every_s`): the back office may have rotated its key since."""
from __future__ import annotations

import functools
import json
import logging
import threading
import time
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain import tokens

log = logging.getLogger(__name__)

Keys = dict[str, str]  # key id -> raw public key, base64url; the one signing now first


class QrVerifier:
    def __init__(self, keys: Keys, refresh: Callable[[], Keys | None] | None = None,
                 refresh_every_s: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self._checks = _checks(keys)
        self._refresh = refresh
        self._refresh_every_s = refresh_every_s
        self._clock = clock
        self._refreshed_at: float | None = None
        self._lock = threading.Lock()

    @property
    def key_ids(self) -> list[str]:
        return list(self._checks)

    def verify(self, text: str, kind: str | None = None, now: int | None = None) -> tokens.Token:
        at = int(time.time()) if now is None else now
        try:
            return tokens.decode_with_keys(text, self._checks, at, kind)
        except tokens.TokenExpired:
            raise
        except tokens.TokenInvalid:
            if not self._refreshed_keys():
                raise
        return tokens.decode_with_keys(text, self._checks, at, kind)

    def _refreshed_keys(self) -> bool:
        """Fetches the keys again when allowed; True when they changed."""
        if self._refresh is None:
            return False
        with self._lock:
            now = self._clock()
            if self._refreshed_at is not None and now - self._refreshed_at < self._refresh_every_s:
                return False
            self._refreshed_at = now
            keys = self._refresh()
            if not keys or list(keys) == list(self._checks):
                return False
            self._checks = _checks(keys)
            log.info("QR keys refreshed", extra={"keys": list(keys)})
            return True


def _checks(keys: Keys) -> dict[str, Callable[[bytes, bytes], bool]]:
    return {kid: functools.partial(_verifies, Ed25519PublicKey.from_public_bytes(tokens.unb64url(raw)))
            for kid, raw in keys.items()}


def _verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def load_verifier(api, cache: Path) -> QrVerifier | None:
    """The keys from the back office (refreshing the cache) or, offline, from the cache."""

    def fetch() -> Keys | None:
        try:
            keys = api.qr_keys()
        except Exception:  # offline, or a broken answer: keep what is kept
            return None
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"keys": keys}))
        return keys

    keys = fetch() or _cached(cache)
    return QrVerifier(keys, refresh=fetch) if keys else None


def _cached(cache: Path) -> Keys | None:
    try:
        kept = json.loads(cache.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(kept, dict) and isinstance(kept.get("keys"), dict):
        return {str(k): str(v) for k, v in kept["keys"].items()}
    if isinstance(kept, dict) and "public_key" in kept:  # kept before keys had ids
        return {"": str(kept["public_key"])}
    return None
