"""HTTP client for the county back office.

Every failure the network or the server can produce becomes one of three exceptions the
kiosk can explain to a citizen: unreachable, refused (a problem+json answer), or a broken
answer that does not parse. Nothing here logs an ID number.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from kiosk.domain.cases import CaseDetail, CaseStatus, CaseSummary, TimelineEntry


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


class BackofficeClient:
    def __init__(self, base_url: str, timeout: float = 5.0, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = session or requests.Session()

    def close(self) -> None:
        self._http.close()

    def health(self) -> dict[str, Any]:
        return self._get_json("/health")

    def list_cases(self, document_number: str) -> list[CaseSummary]:
        body = self._get_json("/v1/cases", params={"applicant": document_number})
        try:
            return [_summary(item) for item in body["cases"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"case list: {type(exc).__name__}") from None

    def get_case(self, number: str) -> CaseDetail:
        body = self._get_json(f"/v1/cases/{requests.utils.quote(number, safe='')}")
        try:
            return CaseDetail(
                **_summary_fields(body),
                item_code=str(body["item_code"]),
                applicant_masked=str(body["applicant_masked"]),
                timeline=tuple(_timeline_entry(e) for e in body["timeline"]),
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
    )


def _summary(item: dict) -> CaseSummary:
    return CaseSummary(**_summary_fields(item))


def _timeline_entry(entry: dict) -> TimelineEntry:
    return TimelineEntry(
        at=dt.datetime.fromisoformat(entry["at"]),
        status=CaseStatus(entry["status"]),
        department=str(entry["department"]),
        note=str(entry.get("note", "")),
    )
