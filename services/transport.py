"""How the kiosk reaches the back office: TLS, the county's CA, an optional certificate pin,
no plain HTTP beyond loopback, and a clock kept in step with the server's.

A terminal's signed requests carry its own timestamp and the back office refuses ones too
far from its clock, so the client signs with local time plus the offset learnt from the
server (every answer's Date header, the heartbeat's server_time, and a refusal as stale,
after which the request is signed again and sent once more).
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

import requests
from requests.adapters import HTTPAdapter

from kiosk.domain import signing

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


class CountyTlsAdapter(HTTPAdapter):
    """TLS to the back office: verified against the county's CA when one is configured
    (over REQUESTS_CA_BUNDLE and the like, which requests would otherwise let win), and,
    with a pin, only a server whose certificate has that SHA-256 fingerprint (checked by
    urllib3 after the handshake, on top of the CA check)."""

    def __init__(self, ca_file: Path | None = None, pin_sha256: str = "", **kwargs):
        self.ca_file = str(ca_file) if ca_file is not None else None
        self.pin_sha256 = normalise_pin(pin_sha256)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        if self.pin_sha256:
            kwargs["assert_fingerprint"] = self.pin_sha256
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args, **kwargs):
        if self.pin_sha256:
            kwargs["assert_fingerprint"] = self.pin_sha256
        return super().proxy_manager_for(*args, **kwargs)

    def send(self, request, **kwargs):
        if self.ca_file is not None:
            kwargs["verify"] = self.ca_file
        return super().send(request, **kwargs)


def failure_reason(exc: requests.RequestException) -> str:
    """Short words for why no answer came, a pin mismatch told apart from the rest."""
    text = str(exc)
    if "Fingerprints did not match" in text:
        return PIN_MISMATCH
    if isinstance(exc, requests.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in text:
        return UNTRUSTED_CERTIFICATE
    return type(exc).__name__


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


def secure_session(session: requests.Session, settings: TransportSettings, clock: ServerClock) -> None:
    """The CA, the pin and the clock keeping on a session that talks to the back office."""
    if settings.ca_file is not None or settings.pin_sha256:
        session.mount("https://", CountyTlsAdapter(settings.ca_file, settings.pin_sha256))
    session.hooks["response"].append(_ClockKeeper(session, clock))


class _ClockKeeper:
    """A response hook: learns the server's time from every answer, and re-signs and
    re-sends once a signed request the server refused as stale, if that taught it better."""

    def __init__(self, session: requests.Session, clock: ServerClock):
        self.session = session
        self.clock = clock

    def __call__(self, response: requests.Response, **send_kwargs) -> requests.Response:
        moved = self.clock.note_date_header(response.headers.get("Date"))
        if not (moved and _refused_as_stale(response) and self.session.auth is not None):
            return response
        response.content  # read it all so the connection goes back to the pool
        response.close()
        again = response.request.copy()
        self.session.auth(again)  # a fresh timestamp from the corrected clock, a new nonce
        retried = response.connection.send(again, **send_kwargs)
        retried.history.append(response)
        retried.request = again
        self.clock.note_date_header(retried.headers.get("Date"))
        return retried


def _refused_as_stale(response: requests.Response) -> bool:
    return (response.status_code == 401 and signing.HEADER_SIGNATURE in response.request.headers
            and "stale timestamp" in response.text)
