"""E-licences and appointments on the wire (routes/licences.py, routes/appointments.py)."""
from __future__ import annotations

import datetime as dt

from pydantic import Field

from .wire import Wire


class LicenceOut(Wire):
    """An e-licence's metadata (GB/T 36904 identifier); the holder only masked."""
    identifier: str
    name: str
    type_code: str
    holder_masked: str
    issuer: str
    issued_at: dt.date
    status: str  # "valid" when issued
    valid_until: dt.date | None  # None: no expiry
    version: int


class VerificationOut(Wire):
    """Public: whether a licence is genuine; `licence` when this authority issued it,
    `reason` when it did not or the verification code was refused."""
    valid: bool
    reason: str = Field(default="", description="Only when the licence is not known or the code was refused")
    licence: LicenceOut | None = Field(default=None, description="Only for a licence this authority issued")


class AppointmentOut(Wire):
    code: str
    item_code: str
    applicant_masked: str
    slot_start: dt.datetime
    slot_end: dt.datetime
    window_code: str
    status: str  # booked, checked_in
    ticket_number: str  # "" until checked in


class BookedOut(AppointmentOut):
    token: str  # signed, for the appointment's QR code


class CheckedInOut(AppointmentOut):
    """The queue ticket: names in Chinese and English (the kiosk prints the citizen's language)."""
    window: str
    window_en: str
    item_name: str
    item_name_en: str
    already: bool  # checked in before: the same ticket again
