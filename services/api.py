"""HTTP client for the county back office.

Every failure the network or the server can produce becomes one of three exceptions the
kiosk can explain to a citizen: unreachable, refused (a problem+json answer), or a broken
answer that does not parse. Nothing here logs an ID number.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from kiosk.domain import signing
from kiosk.domain.cases import CaseDetail, CaseStatus, CaseSummary, NextStep, TimelineEntry


class BackofficeError(Exception):
    """Base class: the request did not produce the data the kiosk asked for."""


class BackofficeUnavailable(BackofficeError):
    """No answer: network down, server stopped, or a timeout."""


class BackofficeRefused(BackofficeError):
    def __init__(self, status: int, title: str):
        super().__init__(f"{status} {title}")
        self.status = status
        self.title = title


class BackofficeBadResponse(BackofficeError):
    """The server answered, but not with what the API promises."""


class TerminalSignature(requests.auth.AuthBase):
    """Signs every request as the back office requires: HMAC-SHA256 over method, path,
    query, timestamp, a one-time nonce and the body's hash."""

    def __init__(self, terminal_id: str, secret: str, clock=time.time):
        self.terminal_id = terminal_id
        self.secret = secret
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        request.headers[signing.HEADER_TERMINAL] = self.terminal_id
        request.headers[signing.HEADER_TIMESTAMP] = timestamp
        request.headers[signing.HEADER_NONCE] = nonce
        request.headers[signing.HEADER_SIGNATURE] = signing.sign(
            self.secret, request.method, unquote(url.path), url.query, timestamp, nonce, body)
        return request


class BackofficeClient:
    def __init__(self, base_url: str, timeout: float = 5.0, session: requests.Session | None = None,
                 terminal_id: str = "", secret: str = ""):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = session or requests.Session()
        if terminal_id and secret:
            self._http.auth = TerminalSignature(terminal_id, secret)

    def close(self) -> None:
        self._http.close()

    def health(self) -> dict[str, Any]:
        return self._get_json("/health")

    def qr_public_key(self) -> str:
        body = self._get_json("/v1/keys/qr")
        try:
            return str(body["public_key"])
        except (KeyError, TypeError):
            raise BackofficeBadResponse("key: no public_key") from None

    def track(self, token: str) -> CaseDetail:
        """The masked detail of the case a receipt's QR code names (no card needed)."""
        return self._detail(self._get_json("/v1/track", params={"token": token}))

    def list_cases(self, document_number: str) -> list[CaseSummary]:
        body = self._get_json("/v1/cases", params={"applicant": document_number})
        try:
            return [_summary(item) for item in body["cases"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"case list: {type(exc).__name__}") from None

    def get_case(self, number: str) -> CaseDetail:
        return self._detail(self._get_json(f"/v1/cases/{requests.utils.quote(number, safe='')}"))

    def _detail(self, body: Any) -> CaseDetail:
        try:
            return CaseDetail(
                **_summary_fields(body),
                item_code=str(body["item_code"]),
                applicant_masked=str(body["applicant_masked"]),
                tracking_token=str(body.get("tracking_token", "")),
                timeline=tuple(_timeline_entry(e) for e in body["timeline"]),
                next_step=_next_step(body.get("next_step")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"case detail: {type(exc).__name__}") from None

    def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:
            response = self._http.get(self.base_url + path, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BackofficeUnavailable(type(exc).__name__) from None
        if response.status_code >= 400:
            title = ""
            try:
                title = str(response.json().get("title", ""))
            except ValueError:
                pass
            raise BackofficeRefused(response.status_code, title or response.reason or "")
        try:
            return response.json()
        except ValueError:
            raise BackofficeBadResponse("body is not JSON") from None


def _summary_fields(item: dict) -> dict:
    promised = item.get("promised_date")
    return dict(
        number=str(item["number"]),
        item_name=str(item["item_name"]),
        status=CaseStatus(item["status"]),
        department=str(item["department"]),
        received_at=dt.datetime.fromisoformat(item["received_at"]),
        promised_date=dt.date.fromisoformat(promised) if promised else None,
        light=str(item.get("light") or ""),
    )


def _summary(item: dict) -> CaseSummary:
    return CaseSummary(**_summary_fields(item))


def _next_step(step: dict | None) -> NextStep | None:
    if not step:
        return None
    items = []
    for entry in step.get("items") or []:
        if entry.get("problem"):
            items.append(f"{entry.get('material', '')}：{entry['problem']}" if entry.get("material") else entry["problem"])
        else:
            items.append(str(entry.get("name") or entry.get("material", "")))
    due = step.get("due")
    return NextStep(str(step["action"]), dt.date.fromisoformat(due) if due else None, tuple(items))


def _timeline_entry(entry: dict) -> TimelineEntry:
    return TimelineEntry(
        at=dt.datetime.fromisoformat(entry["at"]),
        status=CaseStatus(entry["status"]),
        department=str(entry["department"]),
        note=str(entry.get("note", "")),
    )
