"""Wire formats. Times are ISO 8601 in China Standard Time (+08:00)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kiosk.domain.cases import CaseStatus

CST = dt.timezone(dt.timedelta(hours=8), "CST")


def to_cst(utc_naive: dt.datetime) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.timezone.utc).astimezone(CST)


class TimelineEntryOut(BaseModel):
    at: dt.datetime
    status: CaseStatus
    department: str
    note: str


class CaseSummaryOut(BaseModel):
    number: str
    item_code: str
    item_name: str
    status: CaseStatus
    department: str
    received_at: dt.datetime
    promised_date: dt.date | None


class CaseDetailOut(CaseSummaryOut):
    applicant_masked: str
    timeline: list[TimelineEntryOut]


class CaseListOut(BaseModel):
    cases: list[CaseSummaryOut]


class HealthOut(BaseModel):
    status: str
    database: str
