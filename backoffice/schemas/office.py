"""Administration and the system routes on the wire (routes/admin.py, app.py)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from .wire import Wire


class HealthOut(Wire):
    status: Literal["ok"]
    database: str  # the SQL dialect: sqlite, postgresql


class ReadyOut(Wire):
    """200: the schema is at the latest migration (503 says otherwise)."""
    ready: bool
    revision: str
    head: str


class TokenOut(Wire):
    access_token: str
    token_type: Literal["bearer"]
    role: Literal["clerk", "approver", "supervisor", "admin"]
    department_code: str  # an approver's department; "" for other roles
    expires_at: dt.datetime


class QrKeyIdOut(Wire):
    key_id: str
    public_key: str  # raw, base64url
    current: bool


class QrKeyOut(Wire):
    alg: Literal["Ed25519"]
    format: Literal["CM1"]
    public_key: str  # raw, base64url: the key signing now
    pem: str
    key_id: str
    keys: list[QrKeyIdOut]


class WorkingDaysOut(Wire):
    start: dt.date
    end: dt.date
    count: int
    working_days: list[dt.date]


class OverrideOut(Wire):
    day: dt.date
    working: bool


class ArrangementImportedOut(Wire):
    year: int
    notice: str  # the notice's number (文号)
    days: int  # days the arrangement set
    kept_by_hand: int  # its days an administrator had already set by hand, left as they were
    cases_dated: int  # open cases whose dates waited for this year and now have them
    declared: Literal[True]


class OverrideDeletedOut(Wire):
    day: dt.date
    deleted: Literal[True]


class CalendarYearOut(Wire):
    year: int
    notice_number: str
    notice_issued: dt.date | None
    notice_title: str
    notice_url: str
    sha256: str  # of the imported file's JSON
    declared_by: str
    declared_at: dt.datetime


class CalendarDayOut(Wire):
    day: dt.date
    working: bool
    reason: str
    source: str  # "manual", or "arrangement:<year>"


class CalendarOut(Wire):
    """The county's calendar: how far ahead it knows every day, the imported years, the days."""
    today: dt.date
    horizon: dt.date | None  # the last day known without a gap from today; null: not even today's year
    next_year_known: bool
    years: list[CalendarYearOut]
    overrides: list[CalendarDayOut]


class AuditEntryOut(Wire):
    id: int
    at: dt.datetime
    actor: str  # staff:<username>, terminal:<id> or system
    action: str
    subject: str
    detail: dict[str, Any]
    hash: str


class AuditEntriesOut(Wire):
    entries: list[AuditEntryOut]


class SignedOutOut(Wire):
    signed_out: bool  # false when the token was no longer live


class StaffDisabledOut(Wire):
    username: str
    disabled: bool


class AuditVerifyOut(Wire):
    intact: bool
    checked: int
    first_broken_id: int | None
