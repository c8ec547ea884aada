"""Documents handed to the applicant, as data: the 收件凭证 application receipt, the
一次性告知 / 补正 correction notice and the queue ticket.

These are what the back office returns and what the kiosk prints; layout (ESC/POS, A4,
PNG) lives with the printers. Fields follow Administrative Licensing Law art. 32 and
attachment 2 of the county's one-window reform document (行政审批服务申请收件凭证).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum

from domain.i18n import N_, in_language

# Shown where the working-day calendar cannot give a date yet (next year's holidays not
# yet imported): never a guessed date; the time limit in working days stays beside it.
DATE_TO_BE_CONFIRMED = N_("to be confirmed")


# How the result reaches the applicant (the catalogue's `delivery` choices), as printed.
DELIVERY_METHODS = {
    "window": N_("Collect at the service window"),
    "post": N_("Free postal delivery (EMS)"),
    "kiosk": N_("Print at a self-service kiosk"),
    "electronic": N_("Electronic licence on the phone"),
}


class MaterialForm(str, Enum):
    ORIGINAL = "original"      # 原件
    COPY = "copy"              # 复印件
    ELECTRONIC = "electronic"  # 电子材料 / 电子证照


@dataclass(frozen=True)
class ReceivedMaterial:
    name: str
    form: MaterialForm
    copies: int = 1
    licence_id: str = ""  # GB/T 36904 identifier when pulled as an e-licence instead of paper
    name_en: str = ""

    def name_in(self, language: str) -> str:
        return in_language(self.name, self.name_en, language)


@dataclass(frozen=True)
class DeferredMaterial:
    """A 容缺 material: accepted without it, to be supplied by `due` under a signed commitment."""

    name: str
    due: _dt.date | None  # None only while the year's working-day calendar is not entered
    name_en: str = ""

    def name_in(self, language: str) -> str:
        return in_language(self.name, self.name_en, language)


@dataclass(frozen=True)
class ApplicationReceipt:
    """收件凭证: proof of receipt, issued on the spot (art. 32)."""

    case_number: str
    received_at: _dt.datetime  # timezone-aware, China Standard Time
    terminal_id: str
    item_name: str
    item_code: str  # implementation code of the catalogue item
    applicant_masked: str
    materials: tuple[ReceivedMaterial, ...]
    deferred: tuple[DeferredMaterial, ...] = ()
    commitment_signed: bool = False  # 容缺受理信用承诺书 accepted
    promised_days: int = 0  # promised time limit, working days
    promised_date: _dt.date | None = None
    tracking_token: str = ""  # what the receipt's QR code carries
    hotline: str = "12345"
    issuing_office: str = "澄迈县政务服务中心"
    item_name_en: str = ""
    issuing_office_en: str = "Chengmai County Government Affairs Service Center"
    delivery_method: str = ""  # a key of DELIVERY_METHODS, "" when the application did not say
    delivery_address_masked: str = ""  # post: "金江镇建国社区居委会****", never the house

    def item_name_in(self, language: str) -> str:
        return in_language(self.item_name, self.item_name_en, language)

    def issuing_office_in(self, language: str) -> str:
        return in_language(self.issuing_office, self.issuing_office_en, language)


@dataclass(frozen=True)
class Deficiency:
    material: str
    problem: str  # what is wrong or missing, said once and completely


@dataclass(frozen=True)
class CorrectionNotice:
    """补正告知书: every deficiency listed at once (一次性告知), with the deadline."""

    case_number: str
    item_name: str
    applicant_masked: str
    issued_at: _dt.datetime
    deficiencies: tuple[Deficiency, ...]
    due: _dt.date | None
    department: str
    hotline: str = "12345"
    issuing_office: str = "澄迈县政务服务中心"
    item_name_en: str = ""
    department_en: str = ""
    issuing_office_en: str = "Chengmai County Government Affairs Service Center"


@dataclass(frozen=True)
class QueueTicket:
    """排队号: handed out at appointment check-in."""

    ticket_number: str  # e.g. "B017"
    window: str  # e.g. "企业开办综合窗口 3号"
    issued_at: _dt.datetime
    item_name: str = ""
    waiting_ahead: int = 0
    appointment_slot: str = ""  # e.g. "2026-11-27 09:30-10:00"
    notes: tuple[str, ...] = field(default_factory=tuple)
    window_en: str = ""  # e.g. "Starting a business"
    item_name_en: str = ""

    def window_in(self, language: str) -> str:
        return in_language(self.window, self.window_en, language)

    def item_name_in(self, language: str) -> str:
        return in_language(self.item_name, self.item_name_en, language)
