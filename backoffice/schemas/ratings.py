"""好差评 and 统一督办 on the wire (routes/ratings.py, routes/supervision.py)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .cases import CaseSummaryOut
from .wire import Wire

RectificationStatus = Literal["open", "called_back", "rectified", "appealed", "closed"]


class RectificationOut(Wire):
    id: int
    status: RectificationStatus
    callback_due: dt.date | None  # None while the working-day calendar is unknown
    rectify_due: dt.date | None
    called_back: bool
    rectified: bool
    response: str
    appeal_reason: str
    appeal_decision: Literal["", "upheld", "overturned"]
    level: int = Field(ge=1, le=5)
    department_code: str


class RectificationsOut(Wire):
    rectifications: list[RectificationOut]


class RatingOut(Wire):
    case_id: int
    level: int = Field(ge=1, le=5)
    label: Literal["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    reasons: list[str]
    comment: str
    channel: Literal["kiosk", "window"]
    rectification: RectificationOut | None  # opened by a bad rating (level 1 or 2)


class DepartmentFiguresOut(Wire):
    department_code: str
    department: str
    open: int
    at_risk: int  # yellow
    overdue: int  # red
    completed: int
    on_time: int
    on_time_rate: float | None  # None before anything was completed
    average_working_days: float | None


class SupervisionSummaryOut(Wire):
    departments: list[DepartmentFiguresOut]


class SupervisedCasesOut(Wire):
    cases: list[CaseSummaryOut]


class SweepOut(Wire):
    """Either the sweep ran, with its counts, or another was running (`reason`)."""
    ran: bool
    reason: str = Field(default="", description="Only when the sweep did not run")
    overdue: int = Field(default=0, description="Only when the sweep ran")
    terminated: int = 0
    alerts: int = 0
    nonces_pruned: int = 0
    tokens_pruned: int = 0
    login_failures_pruned: int = 0
    idempotency_pruned: int = 0
    presence_codes_pruned: int = 0
    passport_challenges_pruned: int = 0
    presence_grants_pruned: int = 0
    face_challenges_pruned: int = 0
    face_references_pruned: int = Field(default=0, description="Passports' proven faces whose face step never came")
    face_frames_pruned: int = 0
    sms_sent: int = Field(default=0, description="Texts the sweep sent that were waiting for a retry")
    sms_failed: int = Field(default=0, description="Texts given up on (expired codes, wrong numbers)")
    sms_receipts: int = Field(default=0, description="Carriers' receipts learnt: delivered or not")
    sms_reminders: int = Field(default=0, description="Reminders texted: 容缺 materials due soon, appointments "
                                                      "tomorrow")
    alerts_delivered: int = Field(default=0, description="Alerts the sweep sent to staff that were still waiting")
    shipment_steps: int = Field(default=0, description="New tracking steps of results by post, from the courier")
    courier_unreachable: int = Field(default=0, description="Shipments whose tracking the courier did not give now")


class AlertOut(Wire):
    id: int
    kind: str  # case_overdue, terminal_silent, paper_out, disk_low, device_not_ready, calendar_year_missing, ...
    subject: str  # a case number or terminal id
    message: str
    department_code: str
    raised_at: dt.datetime
    cleared: bool


class AlertsOut(Wire):
    alerts: list[AlertOut]
