"""What the key holder does with its keys, without the socket: sign a request, seal and
open outbox payloads, hash applicant numbers, take a new terminal secret. No operation
here returns a key.

It signs a request only if its timestamp is within `window_s` (the back office's
signature window, 300 s) of the back office's time as the key holder knows it: its own
clock plus the offset it learnt from the back office's last signed time. It hands out a
challenge (op `clock_challenge`), the kiosk asks the back office for its time over it
(GET /v1/terminals/{id}/time, answered under the terminal's secret) and brings the answer
back (op `clock`): a time the back office did not sign, or signed over another or a stale
challenge, is refused. So a taken-over kiosk process cannot have requests signed for an
hour ahead to send after it is fixed, while a kiosk whose clock is off keeps signing.
"""
from __future__ import annotations

import hmac
import logging
import math
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from domain import signing
from services.outbox_seal import LocalSealer, OutboxKeyError, load_or_create_key

from .protocol import (
    BAD_REQUEST,
    CLOCK_UNSIGNED,
    NO_SECRET,
    TIMESTAMP_OUT_OF_BOUNDS,
    UNOPENABLE,
    KeyHolderRefused,
)

log = logging.getLogger("keyholder")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
NONCE = re.compile(r"[0-9a-f]{16,64}")
# A secret as `kiosk-backoffice register-terminal` and the rotation hand them out.
SECRET = re.compile(r"[A-Za-z0-9_\-.~+/=]{32,256}")
WINDOW_S = 300.0  # the back office's signature_window_s (backoffice/settings.py)
CHALLENGE_TTL_S = 30.0  # a signed time older than this is not the time any more
MAX_CHALLENGES = 16  # outstanding at once: the kiosk asks for one at a time


class Keys:
    def __init__(self, secret_file: Path, outbox_key_file: Path, window_s: float = WINDOW_S,
                 clock=time.time):
        self.secret_file = secret_file
        self.window_s = window_s
        self.clock = clock
        self._offset_s = 0.0  # the back office's time minus this clock, as it last signed it
        self._challenges: dict[str, float] = {}  # challenge -> when made (time.monotonic)
        self._sealer = LocalSealer(load_or_create_key(outbox_key_file))
        self._lock = threading.Lock()
        self._secret = ""
        self._secret_seen: tuple[int, int] | None = None

    def answer(self, request: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
        """The answer to one request; KeyHolderRefused when it cannot be done."""
        op = request.get("op")
        if op == "sign":
            return {"ok": True, "signature": self.sign(request)}, b""
        if op == "seal":
            return {"ok": True}, self._sealer.seal(_associated(request), data)
        if op == "open":
            try:
                return {"ok": True}, self._sealer.open(_associated(request), data)
            except OutboxKeyError as exc:
                raise KeyHolderRefused(UNOPENABLE, str(exc)) from None
        if op == "applicant_hash":
            return {"ok": True, "hash": self._sealer.applicant_hash(_text(request, "value", 256))}, b""
        if op == "install_secret":
            self.install_secret(_text(request, "secret", 256))
            return {"ok": True}, b""
        if op == "clock_challenge":
            return {"ok": True, "challenge": self.clock_challenge()}, b""
        if op == "clock":
            self.note_signed_time(request)
            return {"ok": True}, b""
        if op == "status":
            return {"ok": True, "terminal_secret": bool(self._current_secret())}, b""
        raise KeyHolderRefused(BAD_REQUEST, f"no op {op!r}")

    def sign(self, request: dict[str, Any]) -> str:
        method = _text(request, "method", 10).upper()
        path, query = _text(request, "path", 8192), _text(request, "query", 8192)
        timestamp, nonce = _text(request, "timestamp", 20), _text(request, "nonce", 64)
        body_sha256 = _text(request, "body_sha256", 64)
        if method not in METHODS or not path.startswith("/") or not timestamp.isdigit() \
                or not NONCE.fullmatch(nonce) or not HEX_DIGEST.fullmatch(body_sha256):
            raise KeyHolderRefused(BAD_REQUEST, "not a request the kiosk makes")
        self._check_timestamp(int(timestamp))
        secret = self._current_secret()
        if not secret:
            raise KeyHolderRefused(NO_SECRET, f"no terminal secret in {self.secret_file}")
        return signing.sign_digest(secret, method, path, query, timestamp, nonce, body_sha256)

    def clock_challenge(self) -> str:
        challenge = secrets.token_hex(16)
        with self._lock:
            self._challenges[challenge] = time.monotonic()
            while len(self._challenges) > MAX_CHALLENGES:
                self._challenges.pop(next(iter(self._challenges)))
        return challenge

    def note_signed_time(self, request: dict[str, Any]) -> None:
        """The back office's time over one of this key holder's challenges, signed under
        the terminal secret; the offset is learnt from it. Logged when it moves the offset
        by more than the window (a clock set, or the back office's moved)."""
        terminal, challenge = _text(request, "terminal", 64), _text(request, "challenge", 32)
        server_time, signatures = _text(request, "server_time", 32), request.get("signatures")
        with self._lock:
            made = self._challenges.pop(challenge, None)
        if made is None or time.monotonic() - made > CHALLENGE_TTL_S:
            raise KeyHolderRefused(CLOCK_UNSIGNED, "not a fresh challenge of this key holder's")
        try:
            told = float(server_time)
        except ValueError:
            told = math.nan
        secret = self._current_secret()
        if not math.isfinite(told) or not secret or not isinstance(signatures, list) or not any(
                isinstance(given, str) and hmac.compare_digest(
                    given.encode(), signing.sign_server_time(secret, terminal, challenge, server_time).encode())
                for given in signatures[:4]):
            log.warning("refused a time the back office did not sign")
            raise KeyHolderRefused(CLOCK_UNSIGNED, "the time is not signed under the terminal secret")
        offset = told - self.clock()
        with self._lock:
            before, self._offset_s = self._offset_s, offset
        if abs(offset - before) > self.window_s:
            log.warning("the back office's time is %.0f s from this clock (it was %.0f s)", offset, before)

    def _check_timestamp(self, timestamp: int) -> None:
        expected = self.clock() + self._offset_s
        if abs(timestamp - expected) > self.window_s:
            log.warning("refused to sign a request %.0f s off the back office's time", timestamp - expected)
            raise KeyHolderRefused(TIMESTAMP_OUT_OF_BOUNDS, (
                f"timestamp {timestamp} is {timestamp - expected:+.0f} s from the back office's time as the key "
                f"holder knows it; it signs within {self.window_s:.0f} s"))

    def install_secret(self, secret: str) -> None:
        """Kept on disk (atomically, 0600) before it is used, as the kiosk did itself."""
        if not SECRET.fullmatch(secret):
            raise KeyHolderRefused(BAD_REQUEST, "not a terminal secret")
        with self._lock:
            _write_private(self.secret_file, secret + "\n")
            self._secret = secret
            self._secret_seen = _seen(self.secret_file)

    def _current_secret(self) -> str:
        """Read again whenever the file changed: a technician may write the secret by hand
        after the install, and the key holder need not be restarted for it."""
        with self._lock:
            seen = _seen(self.secret_file)
            if seen != self._secret_seen:
                try:
                    self._secret = self.secret_file.read_text().strip()
                except OSError:
                    self._secret = ""
                self._secret_seen = seen
            return self._secret


def _seen(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_ino


def _text(request: dict[str, Any], name: str, limit: int) -> str:
    value = request.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise KeyHolderRefused(BAD_REQUEST, f"{name}: text of at most {limit} characters")
    return value


def _associated(request: dict[str, Any]) -> bytes:
    return _text(request, "associated", 1024).encode()


def _write_private(path: Path, text: str) -> None:
    """A crash leaves the old file or the new one, never half; readable by this user only."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply to a stale temp file
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
