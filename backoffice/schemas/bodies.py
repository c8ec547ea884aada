"""Request bodies. Each model lists what its route reads, with the bounds of where it is
stored; a body that does not fit is refused as problem+json 422 before the route runs.
Members the route checks itself (an ID number, a level's meaning, a phone number) keep
their default here, so the route still says everything wrong at once (一次性告知)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from .fleet import Command, Number, Outcome
from .wire import RequestBody

INT32 = 2**31 - 1  # an Integer column on PostgreSQL


class ApplicantIn(RequestBody):
    kind: Literal["person", "company"] = "person"
    document_kind: str = Field("resident_id", max_length=32)  # resident_id, passport, …
    document_number: str = Field("", max_length=64)  # an ID number or a unified social credit code
    name: str = Field("", max_length=200)


class SubmittedMaterialIn(RequestBody):
    code: str = Field(max_length=96)  # "M01", or "ITEM-CODE/M01" in a bundle
    form: str = Field("copy", max_length=16)  # original, copy or electronic
    copies: int = Field(1, ge=0, le=1000)
    licence_id: str = Field("", max_length=128)  # a GB/T 36904 e-licence instead of paper
    content_b64: str = ""  # a captured page, at most 5 MB decoded
    content_type: str = "image/jpeg"


class DeliveryIn(RequestBody):
    """How the result reaches the applicant. For `post`, where to: a town and one of its
    villages or communities from GET /v1/addresses/towns (12-digit NBS codes), the street,
    house and room (2-60 characters), the recipient (1-30) and an 11-digit mobile number.
    Stored encrypted; shown only as the town and village with the rest masked."""
    method: str = Field("", max_length=16, description="window, post, kiosk or electronic")
    town_code: str = Field("", max_length=12, description="post: a town's 12-digit code")
    village_code: str = Field("", max_length=12, description="post: a village's or community's 12-digit code")
    detail: str = Field("", max_length=200, description="post: the street, house and room, 2-60 characters")
    recipient: str = Field("", max_length=100, description="post: who receives it, 1-30 characters")
    phone: str = Field("", max_length=32, description="post: the recipient's 11-digit mobile number")


class SubmissionIn(RequestBody):
    """An application: `item_code`, or `bundle_code` for a "一件事" bundle."""
    item_code: str = Field("", max_length=64)
    bundle_code: str = Field("", max_length=16)
    applicant: ApplicantIn = ApplicantIn()
    contact_phone: str = Field("", max_length=32)
    answers: dict[str, Any] = {}  # the item's form, by field code
    materials: list[SubmittedMaterialIn] = []
    deferred: list[str] = []  # 容缺: material codes to be supplied later
    commitment_signed: bool = False  # the credit commitment deferred materials need
    channel: str = Field("window", min_length=1, max_length=16)  # a clerk's; a terminal's is kiosk
    sms_notices: bool = False  # the applicant asked for texts about the case (notices.py)
    notice_language: Literal["zh_CN", "en"] = "zh_CN"  # the texts' language
    # The result's delivery; its method agrees with the form's `delivery` answer where the
    # item's form asks, and `post` needs the address (refused with every problem at once).
    delivery: DeliveryIn | None = None


class DeficiencyIn(RequestBody):
    material: str = ""
    problem: str = ""
    material_en: str = ""
    problem_en: str = ""


class SuppliedMaterialIn(RequestBody):
    code: str = Field(max_length=96)
    name: str = Field("", max_length=200)
    form: Literal["original", "copy", "electronic"] = "copy"
    copies: int = Field(1, ge=0, le=1000)
    licence_id: str = Field("", max_length=128)


class ActionIn(RequestBody):
    """What an action may carry: a `note` (a refusal's or termination's reason), the
    `deficiencies` of a correction request, the `materials` supplied, the department a
    case is routed to, the bundle `part` decided."""
    note: str = ""
    note_en: str = ""
    deficiencies: list[DeficiencyIn] = []
    due_days: int = Field(5, ge=1, le=365)  # working days to answer a correction notice
    materials: list[SuppliedMaterialIn] = []
    department_code: str = Field("", max_length=16)
    part: str = Field("", max_length=64)


class RatingIn(RequestBody):
    level: int = Field(ge=1, le=5)  # 5 非常满意 … 1 非常不满意
    reasons: list[str] = []  # at least one for level 1 or 2
    comment: str = ""


class RectificationStepIn(RequestBody):
    response: str = ""  # rectify: what was done
    reason: str = ""  # appeal
    decision: str = ""  # review: upheld or overturned
    note: str = ""  # callback, review: a note for the case's timeline


class BookingApplicantIn(RequestBody):
    document_number: str = Field("", max_length=64)
    name: str = Field("", max_length=200)


class BookingIn(RequestBody):
    item_code: str = Field("", max_length=64)
    applicant: BookingApplicantIn = BookingApplicantIn()
    slot_start: str = Field("", max_length=64, description="ISO 8601; China Standard Time when no offset is given")
    contact_phone: str = Field("", max_length=32, description="An 11-digit mobile number for the reminder")
    sms_reminder: bool = Field(False, description="Text a reminder the day before (needs contact_phone)")


class CheckInIn(RequestBody):
    token: str = Field("", max_length=4096)  # the appointment QR code


class LicenceVerificationIn(RequestBody):
    identifier: str = Field("", max_length=128)
    token: str = Field("", max_length=4096)  # a printed licence's verification QR code


class TerminalRegistrationIn(RequestBody):
    id: str = Field("", max_length=200)  # 3-64 characters once trimmed
    name: str = Field("", max_length=100)
    location: str = Field("", max_length=200)


class TerminalDisabledIn(RequestBody):
    disabled: StrictBool
    reason: str = Field("", max_length=200)  # why, for the audit log and the fleet view


class StaffDisabledIn(RequestBody):
    disabled: StrictBool
    reason: str = Field("", max_length=200)  # why, for the audit log


class OutboxIn(RequestBody):
    pending: Number | None = None
    parked: Number | None = None
    oldest_pending_s: Number | None = None


class HeartbeatIn(RequestBody):
    """A terminal's state; the fleet view keeps it."""
    app_version: str = ""
    uptime_s: Number = Field(0, ge=0, le=INT32)
    outbox_length: Number = Field(0, ge=0, le=INT32)
    devices: dict[str, Any] = {}  # device name -> its state ({"media": "out"}: paper out)
    outbox: OutboxIn | None = None
    in_service: bool | None = None
    screen: str = ""
    ui_responsive: bool | None = None
    heartbeat_s: Number | None = None
    commands_waiting: list[str] = []
    disk_free_mb: Number | None = Field(None, ge=0)  # under the kiosk's var folder: pages, PDFs, the outbox
    catalogue_version: int | None = Field(None, ge=0, le=INT32)  # of the kiosk's copy; None: no copy yet


class CommandIn(RequestBody):
    command: Command
    argument: str = Field("", max_length=32)  # update: the published release's version


class RolloutIn(RequestBody):
    ring: Literal["0", "all"]
    terminal: str = Field("", max_length=64)  # ring 0's one kiosk


class AckIn(RequestBody):
    result: str = "done"
    outcome: Outcome = "done"


class SignInIn(RequestBody):
    username: str = Field("", max_length=64)
    password: str = Field("", max_length=1024)
    totp: str = Field("", max_length=16)  # the authenticator's six digits, for roles that need them


class CaseSearchIn(RequestBody):
    """Whose cases: an ID number is never put in a URL (URLs reach proxies' and servers' logs)."""
    applicant: str = Field(min_length=6, max_length=32)
    # A kiosk lists a screenful; a company's agent with years of filings gets the newest.
    limit: int = Field(50, ge=1, le=200)


class ArrangementIn(RequestBody):
    """The State Council's holiday arrangement for a year, in the file format of
    deploy/calendar/README.md; checked in full by the route (every problem at once)."""
    format: str = Field("", max_length=64)
    year: int | None = None
    notice: dict[str, Any] = {}
    holidays: list[Any] = Field([], max_length=20)


class OverrideIn(RequestBody):
    working: StrictBool
    reason: str = ""  # kept to 200 characters


def as_sent(body: RequestBody | None) -> dict[str, Any]:
    """The body as the route reads it: only the members the client sent (a route's own
    defaults apply to the others), unknown members included."""
    return body.model_dump(exclude_unset=True) if body is not None else {}
