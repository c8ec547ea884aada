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


class QrKeyOut(Wire):
    alg: Literal["Ed25519"]
    format: Literal["CM1"]
    public_key: str  # raw, base64
    pem: str


class WorkingDaysOut(Wire):
    start: dt.date
    end: dt.date
    count: int
    working_days: list[dt.date]


class OverrideOut(Wire):
    day: dt.date
    working: bool


class YearDeclaredOut(Wire):
    year: int
    declared: bool


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


class AuditVerifyOut(Wire):
    intact: bool
    checked: int
    first_broken_id: int | None
