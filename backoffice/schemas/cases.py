"""Cases on the wire (views.py builds them). Times are ISO 8601 in China Standard Time
(+08:00). Names are Chinese; each `*_en` beside one is its English name, "" when there is
none (the kiosk then shows the Chinese)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from domain.cases import CaseStatus
from domain.lifecycle import Action

from .wire import Wire

Light = Literal["red", "yellow", "green"]
Decision = Literal["", "approved", "denied", "partial"]  # "" until decided
MaterialForm = Literal["original", "copy", "electronic"]
# "rectification": a step of a bad rating's rectification (backoffice.rectifications)
# "tracking": a step of a posted result reported by the courier (backoffice.shipping)
TimelineAction = Literal[("submit", "rectification", "tracking", "notice", *(action.value for action in Action))]
DeliveryMethod = Literal["window", "post", "kiosk", "electronic"]
ShipmentStep = Literal["collected", "in_transit", "out_for_delivery", "delivered"]


class TimelineEntryOut(Wire):
    at: dt.datetime
    status: CaseStatus
    action: TimelineAction
    department: str
    department_en: str = ""
    note: str
    note_en: str = ""  # "" when staff wrote the note in Chinese only


class CaseSummaryOut(Wire):
    number: str
    item_code: str  # "" for a "一件事" bundle
    bundle_code: str  # "" for a single item
    item_name: str  # the item's, or a "一件事" bundle's
    item_name_en: str = ""
    status: CaseStatus
    decision: Decision
    department: str
    department_en: str = ""
    department_code: str
    received_at: dt.datetime
    promised_date: dt.date | None  # None while the working-day calendar of its year is unknown
    promised_date_pending: bool
    light: Light | None  # None once the promised-time clock no longer runs
    sms_notices: bool = False  # the applicant asked for texts about the case


class CasePartOut(Wire):
    """One item of a "一件事" bundle, reviewed by its own department."""
    item_code: str
    item_name: str
    item_name_en: str
    department_code: str
    status: Literal["pending", "in_review", "approved", "denied"]


class CaseMaterialOut(Wire):
    code: str  # "M01", or "ITEM-CODE/M01" in a bundle
    name: str
    name_en: str
    form: MaterialForm
    copies: int
    licence_id: str
    deferred: bool  # 容缺: to be supplied later
    supplied: bool  # a deferred material that came in
    has_content: bool  # a captured page is kept


class DeficiencyOut(Wire):
    material: str
    problem: str
    material_en: str
    problem_en: str


class CorrectionOut(Wire):
    deficiencies: list[DeficiencyOut]
    due: dt.date | None
    issued_at: dt.datetime


class DeferredMaterialOut(Wire):
    material: str
    name: str
    name_en: str


class NextStepOut(Wire):
    """What the applicant must do now: correct (items are deficiencies), supply the
    deferred materials (items are materials), or collect the result (no items)."""
    action: Literal["correct", "supply_deferred", "collect"]
    due: dt.date | None
    items: list[DeficiencyOut | DeferredMaterialOut]


class CaseLicenceOut(Wire):
    identifier: str
    name: str
    name_en: str
    status: str  # "valid" when issued


class CaseNoticeOut(Wire):
    """A text about the case to the applicant's phone (notices.py)."""
    event: str  # accept, request_correction, deferred_due_soon, complete, rating_callback, …
    template: str
    phone_masked: str
    status: str  # queued (waiting, e.g. for the quiet hours to end) | sending | sent | failed | expired
    queued_at: str
    sent_at: str | None
    receipt: str  # the carrier's: "" not yet known, delivered, undelivered
    delivered_at: str | None


class DeliveryOut(Wire):
    """How the result reaches the applicant; for post, the address as it may be shown."""
    method: DeliveryMethod
    town_code: str = ""  # post: the NBS codes chosen (GET /v1/addresses/towns)
    village_code: str = ""
    address_masked: str = ""  # post: "金江镇建国社区居委会****"
    recipient_masked: str = ""  # post: "王*"
    phone_masked: str = ""  # post: "139****1234"


class ShipmentStepOut(Wire):
    step: ShipmentStep
    at: dt.datetime
    place: str


class ShipmentOut(Wire):
    """A result by post handed to the courier at `deliver`."""
    courier: str  # ems
    waybill: str  # UPU S10, e.g. EA100000013CN
    status: Literal["created", "collected", "in_transit", "out_for_delivery", "delivered"]  # the furthest step
    created_at: dt.datetime
    steps: list[ShipmentStepOut]  # oldest first


class CaseDetailOut(CaseSummaryOut):
    applicant_masked: str
    applicant_id_masked: str
    phone_masked: str
    channel: str  # kiosk, window or what the clerk named
    # How the applicant was known: staff, sms_on_file, sms_carrier_checked, epassport_pa_aa
    # (a chip the back office verified), card_read (what a kiosk read, unverified), or ""
    # for a case made before it was recorded.
    presence_evidence: str
    applicant_unverified: bool  # card_read: staff are to check the applicant in person
    promised_days: int
    paused_working_days: int
    deferred_pending: bool
    deferred_due: dt.date | None
    correction: CorrectionOut | None
    parts: list[CasePartOut]  # empty for a single item
    materials: list[CaseMaterialOut]
    timeline: list[TimelineEntryOut]
    next_step: NextStepOut | None
    licences: list[CaseLicenceOut]
    tracking_token: str
    notices: list[CaseNoticeOut]  # what was texted, oldest first
    delivery: DeliveryOut | None  # None when the application did not say
    shipment: ShipmentOut | None  # a result by post once delivered to the courier


class CaseListOut(Wire):
    cases: list[CaseSummaryOut]  # the newest first, at most the search's limit
    total: int  # the applicant's cases in all


class ReceiptMaterialOut(Wire):
    name: str
    name_en: str
    form: MaterialForm
    copies: int
    licence_id: str


class ReceiptDeferredOut(Wire):
    name: str
    name_en: str
    due: dt.date | None


class ReceiptOut(Wire):
    """The 收件凭证, shaped like domain.receipts.ApplicationReceipt."""
    case_number: str
    received_at: dt.datetime
    terminal_id: str
    item_name: str
    item_name_en: str
    item_code: str  # the item's or the bundle's
    applicant_masked: str
    materials: list[ReceiptMaterialOut]
    deferred: list[ReceiptDeferredOut]
    commitment_signed: bool
    delivery_method: DeliveryMethod | Literal[""]  # "" when the application did not say
    delivery_address_masked: str  # post: "金江镇建国社区居委会****"; else ""
    promised_days: int
    promised_date: dt.date | None
    tracking_token: str
    hotline: str
    issuing_office: str
    issuing_office_en: str


class SubmissionOut(Wire):
    case: CaseDetailOut
    receipt: ReceiptOut


class CorrectionNoticeOut(Wire):
    """补正告知书: every deficiency at once."""
    case_number: str
    item_name: str
    item_name_en: str
    applicant_masked: str
    issued_at: dt.datetime | None
    deficiencies: list[DeficiencyOut]
    due: dt.date | None
    department: str
    department_en: str
    hotline: str
    issuing_office: str
