"""Wire formats. Times are ISO 8601 in China Standard Time (+08:00). Names are Chinese;
each `*_en` beside one is its English name, "" when there is none (the kiosk then shows
the Chinese)."""
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
    department_en: str = ""
    note: str
    note_en: str = ""  # "" when staff wrote the note in Chinese only


class CaseSummaryOut(BaseModel):
    number: str
    item_code: str
    item_name: str  # the item's, or a "一件事" bundle's
    item_name_en: str = ""
    status: CaseStatus
    department: str
    department_en: str = ""
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
