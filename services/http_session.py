"""The requests session the kiosk reaches the back office through: the county's CA and
certificate pin (services/transport.py's settings), the server's time learnt from every
answer, and a request refused as stale signed again and sent once more.

Imported with the client's first request, not with the kiosk: requests and urllib3 take
tens of milliseconds to import, which the kiosk's first frame does not wait for."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import requests
from requests.adapters import HTTPAdapter

from domain import signing

from .transport import PIN_MISMATCH, UNTRUSTED_CERTIFICATE, ServerClock, TransportSettings, normalise_pin

RequestException = requests.RequestException


def make_session(settings: TransportSettings, clock: ServerClock, auth: Callable | None = None,
                 session: requests.Session | None = None) -> requests.Session:
    """A session (or the one given) set up to talk to the back office, signing with `auth`."""
    session = session if session is not None else requests.Session()
    secure_session(session, settings, clock)
    if auth is not None:
        session.auth = auth
    return session


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
        self.session.auth(again)  # type: ignore[operator]  # our TerminalSignature: a fresh timestamp from the corrected clock, a new nonce
        retried = response.connection.send(again, **send_kwargs)
        retried.history.append(response)
        retried.request = again
        self.clock.note_date_header(retried.headers.get("Date"))
        return retried


def _refused_as_stale(response: requests.Response) -> bool:
    return (response.status_code == 401 and signing.HEADER_SIGNATURE in response.request.headers
            and "stale timestamp" in response.text)
