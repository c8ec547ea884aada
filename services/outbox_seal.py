"""How the outbox seals what it keeps: AES-GCM with a key derived from the outbox key,
bound to the row (associated data), and a keyed hash of applicant numbers for lookups.

Two holders of the key do the same arithmetic: `LocalSealer`, the key in the process
(the demo, `make run`, tests), and the key holder (services/keyholder/), a process of
its own user on an installed kiosk, reached through its client. The outbox sees only
the `OutboxSealer` interface, so the kiosk process need not hold the key at all.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class OutboxKeyError(Exception):
    """The payload cannot be opened: wrong key, or the row was tampered with."""


class OutboxSealer(Protocol):
    def seal(self, associated: bytes, plain: bytes) -> bytes:
        """nonce || ciphertext of `plain`, bound to `associated`."""

    def open(self, associated: bytes, sealed: bytes) -> bytes:
        """`plain` again; OutboxKeyError when the key or `associated` is not the sealer's."""

    def applicant_hash(self, normalised: str) -> str:
        """Hex HMAC-SHA256 of a normalised document number under the lookup key."""


class LocalSealer:
    """The outbox key held in this process."""

    def __init__(self, key: bytes):
        if len(key) != KEY_BYTES:
            raise OutboxKeyError(f"the outbox key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(hashlib.sha256(b"outbox payload\0" + key).digest())
        self._lookup_key = hashlib.sha256(b"outbox lookup\0" + key).digest()

    def seal(self, associated: bytes, plain: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, associated)

    def open(self, associated: bytes, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except (InvalidTag, ValueError):
            raise OutboxKeyError("payload does not open with this key") from None

    def applicant_hash(self, normalised: str) -> str:
        return hmac.new(self._lookup_key, normalised.encode(), hashlib.sha256).hexdigest()


def load_or_create_key(path: Path) -> bytes:
    """The outbox key: 32 random bytes in a 0600 file, created on first use. It sits with
    the terminal secret (in /etc on an installed kiosk), never in the outbox's directory."""
    try:
        key = bytes.fromhex(path.read_text().strip())
        if len(key) == KEY_BYTES:
            return key
        raise OutboxKeyError(f"{path}: not a {KEY_BYTES}-byte key")
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key
