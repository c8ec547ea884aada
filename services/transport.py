"""How the kiosk reaches the back office: TLS, the county's CA, an optional certificate pin,
no plain HTTP beyond loopback, and a clock kept in step with the server's.

A terminal's signed requests carry its own timestamp and the back office refuses ones too
far from its clock, so the client signs with local time plus the offset learnt from the
server (every answer's Date header, the heartbeat's server_time, and a refusal as stale,
after which the request is signed again and sent once more).

This module holds the settings, the URL rules and the clock; the requests session that
applies them is services/http_session.py, imported with the client's first request.
"""
from __future__ import annotations

import email.utils
import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

CLOCK_WARNING_S = 30.0  # far below the back office's window, so someone looks before it bites
DATE_RESOLUTION_S = 1.0  # an HTTP Date names the second, not the instant
PIN_MISMATCH = "certificate pin mismatch"
UNTRUSTED_CERTIFICATE = "server certificate not trusted"


class PlainHttpRefused(ValueError):
    """The configured URL would send terminal traffic unencrypted over a network."""


@dataclass(frozen=True)
class TransportSettings:
    ca_file: Path | None = None  # PEM bundle of the county's CA; None: the system's store
    pin_sha256: str = ""  # hex SHA-256 of the server's certificate (DER), colons allowed
    allow_plain_http: bool = False


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, allow_plain_http: bool = False) -> str:
    """The URL if the kiosk may use it; PlainHttpRefused (a ValueError) if not."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return url
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"[backoffice] url must be https://host[:port], not {parts.scheme or 'no'} scheme")
    if is_loopback(parts.hostname) or allow_plain_http:
        return url
    raise PlainHttpRefused(
        f"[backoffice] url is plain http to {parts.hostname}: terminal traffic would cross the "
        "network unencrypted; use https://, or set [backoffice] allow_plain_http = true")


def normalise_pin(text: str) -> str:
    """Lower-case hex without separators; ValueError unless it is a SHA-256 digest."""
    digest = text.strip().replace(":", "").lower()
    if not digest:
        return ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("[backoffice] pin_sha256 must be the 64 hex digits of a SHA-256 fingerprint")
    return digest


class ServerClock:
    """The back office's time as the kiosk best knows it: local time plus a learnt offset."""

    def __init__(self, local: Callable[[], float] = time.time, warn_after_s: float = CLOCK_WARNING_S):
        self.local = local
        self.warn_after_s = warn_after_s
        self.offset_s = 0.0  # server minus kiosk; positive: the kiosk is behind
        self.known = False  # nothing heard from the server yet
        self._warned = False
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.local() + self.offset_s

    def note_server_time(self, epoch_seconds: float) -> None:
        """The server's own reading, e.g. the heartbeat answer's server_time."""
        self._learn(float(epoch_seconds) - self.local(), "server_time", precise=True)

    def note_date_header(self, value: str | None) -> bool:
        """True if the Date header moved the offset."""
        try:
            stamp = email.utils.parsedate_to_datetime(value).timestamp() if value else None
        except (TypeError, ValueError):
            stamp = None
        if stamp is None:
            return False
        # The server's instant lies within the named second: take its middle.
        return self._learn(stamp + DATE_RESOLUTION_S / 2 - self.local(), "Date header", precise=False)

    def _learn(self, offset: float, source: str, precise: bool) -> bool:
        with self._lock:
            # A whole-second Date must not undo a precise reading it agrees with.
            if not precise and self.known and abs(offset - self.offset_s) <= DATE_RESOLUTION_S:
                return False
            self.offset_s, self.known = offset, True
            warn = abs(offset) > self.warn_after_s and not self._warned
            self._warned = self._warned or warn
        if warn:
            log.warning("kiosk clock differs from the back office's",
                        extra={"offset_s": round(offset, 1), "source": source})
        return True
