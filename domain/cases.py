"""Case (办件) states and the records the kiosk and the back office exchange about them.

States follow the Administrative Licensing Law's lifecycle (art. 32-45). The labels here
are English message ids; the kiosk translates them through gettext (zh_CN first).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum

from domain.i18n import N_, in_language


class CaseStatus(str, Enum):
    RECEIVED = "received"                # 收件
    ACCEPTED = "accepted"                # 受理
    CORRECTION_REQUIRED = "correction_required"  # 补正
    NOT_ACCEPTED = "not_accepted"        # 不予受理
    IN_REVIEW = "in_review"              # 审查
    SUSPENDED = "suspended"              # 特别程序
    DECIDED = "decided"                  # 决定
    COMPLETED = "completed"              # 办结
    DELIVERED = "delivered"              # 出件/送达
    WITHDRAWN = "withdrawn"              # 撤回
    TERMINATED = "terminated"            # 终止

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        return self in CLOSED_STATUSES


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: N_("Received"),
    CaseStatus.ACCEPTED: N_("Accepted"),
    CaseStatus.CORRECTION_REQUIRED: N_("Correction required"),
    CaseStatus.NOT_ACCEPTED: N_("Not accepted"),
    CaseStatus.IN_REVIEW: N_("Under review"),
    CaseStatus.SUSPENDED: N_("Suspended"),
    CaseStatus.DECIDED: N_("Decided"),
    CaseStatus.COMPLETED: N_("Completed"),
    CaseStatus.DELIVERED: N_("Delivered"),
    CaseStatus.WITHDRAWN: N_("Withdrawn"),
    CaseStatus.TERMINATED: N_("Terminated"),
}

CLOSED_STATUSES = frozenset(
    {CaseStatus.NOT_ACCEPTED, CaseStatus.DELIVERED, CaseStatus.WITHDRAWN, CaseStatus.TERMINATED}
)


@dataclass(frozen=True)
class TimelineEntry:
    at: _dt.datetime
    status: CaseStatus
    department: str
    note: str = ""
    department_en: str = ""
    note_en: str = ""  # "" when staff wrote only Chinese

    def department_in(self, language: str) -> str:
        return in_language(self.department, self.department_en, language)

    def note_in(self, language: str) -> str:
        return in_language(self.note, self.note_en, language)


@dataclass(frozen=True)
class NextStep:
    """What the applicant must do now: correct (补正), supply a deferred (容缺) material,
    or collect the result; `items` names each thing, once and completely."""

    action: str  # "correct" | "supply_deferred" | "collect"
    due: _dt.date | None = None
    items: tuple[str, ...] = ()
    items_en: tuple[str, ...] = ()  # the same items in English, each falling back to its Chinese

    def items_in(self, language: str) -> tuple[str, ...]:
        return self.items_en if language == "en" and self.items_en else self.items


@dataclass(frozen=True)
class LicenceRef:
    """An e-licence (电子证照) a case produced: what the kiosk prints when it is collected."""

    identifier: str  # GB/T 36904
    name: str
    status: str = "valid"
    name_en: str = ""

    def name_in(self, language: str) -> str:
        return in_language(self.name, self.name_en, language)


# A posted result's tracking steps (the back office's courier adapter), as the citizen reads them.
SHIPMENT_STEPS: dict[str, str] = {
    "created": N_("Handed to EMS"),
    "collected": N_("Collected by EMS"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "delivered": N_("Delivered to the recipient"),
}


@dataclass(frozen=True)
class ShipmentStep:
    step: str  # a key of SHIPMENT_STEPS
    at: _dt.datetime
    place: str = ""

    @property
    def label(self) -> str:
        return SHIPMENT_STEPS.get(self.step, N_("In transit"))


@dataclass(frozen=True)
class Shipment:
    """A result by post handed to the courier: its waybill and the steps so far, oldest first."""

    courier: str
    waybill: str  # UPU S10, e.g. EA100000013CN
    status: str  # the furthest step, or "created"
    steps: tuple[ShipmentStep, ...] = ()

    @property
    def label(self) -> str:
        return SHIPMENT_STEPS.get(self.status, N_("In transit"))


@dataclass(frozen=True)
class CaseSummary:
    number: str
    item_name: str
    status: CaseStatus
    department: str
    received_at: _dt.datetime
    promised_date: _dt.date | None
    light: str = ""  # "green" | "yellow" (<= 2 working days left) | "red" (overdue) | "" (clock stopped)
    item_name_en: str = ""
    department_en: str = ""
    sms_notices: bool = False  # the applicant asked for texts about the case

    def item_name_in(self, language: str) -> str:
        return in_language(self.item_name, self.item_name_en, language)

    def department_in(self, language: str) -> str:
        return in_language(self.department, self.department_en, language)


class CaseList(list[CaseSummary]):
    """An applicant's newest cases, newest first, and how many there are in all (the back
    office sends a screenful; the rest are seen at the staffed window)."""

    def __init__(self, cases=(), total: int | None = None):
        super().__init__(cases)
        self.total = len(self) if total is None else max(total, len(self))

    @property
    def more(self) -> int:
        """How many older cases were not sent."""
        return self.total - len(self)


@dataclass(frozen=True)
class CaseDetail(CaseSummary):
    item_code: str = ""
    applicant_masked: str = ""
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)
    tracking_token: str = ""  # what a receipt's or slip's QR code carries (a signed CM1 token)
    next_step: NextStep | None = None
    licences: tuple[LicenceRef, ...] = field(default_factory=tuple)
    phone_masked: str = ""  # where texts about the case go
    delivery_method: str = ""  # how the result comes (window, post, kiosk, electronic), "" when not said
    delivery_address_masked: str = ""  # post: "金江镇建国社区居委会****", never the house
    shipment: Shipment | None = None  # a posted result once handed to the courier
