"""Appointments: book, look up, check in at a kiosk with the appointment QR code."""
from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.county import CST, to_cst
from domain.ids import is_mobile_number, mask_name
from domain.tokens import TokenExpired, TokenInvalid

from .. import audit
from ..auth import Caller, caller, get_db
from ..errors import Conflict, Invalid, NotFound
from ..idempotency import idempotent
from ..models import Appointment, Item, TicketCounter, Window, utcnow
from ..openapi_docs import IDEMPOTENCY_KEY, answers, problems
from ..schemas.bodies import BookingIn, CheckInIn, as_sent
from ..schemas.services import AppointmentOut, BookedOut, CheckedInOut
from .deps import context

router = APIRouter(prefix="/v1/appointments", tags=["appointments"])
EARLY = dt.timedelta(minutes=60)  # check-in opens an hour before the slot
LATE = dt.timedelta(minutes=30)  # and closes half an hour after its start
FIRST_SLOT, LAST_SLOT = dt.datetime(2, 1, 1), dt.datetime(9998, 12, 31)


def _view(a: Appointment, token: str | None = None) -> dict:
    body = {"code": a.code, "item_code": a.item_code, "applicant_masked": a.applicant_masked,
            "slot_start": to_cst(a.slot_start).isoformat(), "slot_end": to_cst(a.slot_end).isoformat(),
            "window_code": a.window_code, "status": a.status, "ticket_number": a.ticket_number}
    if token:
        body["token"] = token
    return body


@router.post("", status_code=201, responses={**answers(BookedOut, 201), **problems(404)}, openapi_extra=IDEMPOTENCY_KEY)
def book(request: Request, body: BookingIn, who: Caller = Depends(caller("terminal", "clerk")),
         session: Session = Depends(get_db), ctx=Depends(context)):
    payload = as_sent(body)
    item = session.get(Item, str(payload.get("item_code", "")))
    if item is None:
        raise NotFound("no such catalogue item")
    if item.retired_at is not None:
        raise NotFound(f"item {item.code} is no longer offered")
    applicant = payload.get("applicant") or {}
    if not applicant.get("document_number") or not applicant.get("name"):
        raise Invalid("applicant document_number and name are required")
    start_utc = _slot_start(payload.get("slot_start"))
    phone = str(payload.get("contact_phone", "")).strip()
    if payload.get("sms_reminder") and not is_mobile_number(phone):
        raise Invalid("a reminder needs an 11-digit mobile number in contact_phone")

    def produce():
        appointment = Appointment(
            code=secrets.token_hex(4).upper(), item_code=item.code,
            applicant_lookup=ctx.vault.lookup(applicant["document_number"]),
            applicant_masked=mask_name(str(applicant["name"])),
            slot_start=start_utc, slot_end=start_utc + dt.timedelta(minutes=30), window_code=item.window_code,
            phone_enc=ctx.vault.encrypt(phone, "phone") if payload.get("sms_reminder") else "")
        session.add(appointment)
        session.flush()
        ttl = int((start_utc + LATE - utcnow()).total_seconds()) + 24 * 3600
        token = ctx.signer.issue("appointment", appointment.code, ttl_s=max(ttl, 3600))
        audit.record(session, who.actor, "appointment.book", appointment.code)
        return 201, _view(appointment, token)

    return idempotent(request, session, f"appointment:{who.actor}", f"{item.code}:{applicant}:{start_utc}", produce)


def _slot_start(given) -> dt.datetime:
    """The slot's start in UTC (naive); a time without an offset is China Standard Time.
    Years 2-9998 only: the check-in window and the times shown in CST must be dates too
    (at the ends of the calendar they overflowed into a server error)."""
    try:
        start = dt.datetime.fromisoformat(str(given if given is not None else ""))
        if start.tzinfo is None:
            start = start.replace(tzinfo=CST)
        start_utc = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except ValueError:
        raise Invalid("slot_start must be an ISO 8601 time") from None
    except OverflowError:
        start_utc = None
    if start_utc is None or not FIRST_SLOT <= start_utc <= LAST_SLOT:
        raise Invalid("slot_start is outside the calendar (years 2-9998)")
    return start_utc


@router.get("/{code}", responses={**answers(AppointmentOut), **problems(404)})
def look_up(code: str, who: Caller = Depends(caller("clerk")), session: Session = Depends(get_db)):
    """For the counter's staff only: eight hexadecimal digits can be guessed, so a terminal
    shows an appointment only from its signed token (check-in)."""
    a = session.scalar(select(Appointment).where(Appointment.code == code))
    if a is None:
        raise NotFound("no such appointment")
    return _view(a)


@router.post("/check-in", responses={**answers(CheckedInOut), **problems(404, 409)})
def check_in(body: CheckInIn, who: Caller = Depends(caller("terminal", "clerk")),
             session: Session = Depends(get_db), ctx=Depends(context)):
    try:
        token = ctx.signer.verify(body.token, kind="appointment")
    except TokenExpired:
        raise Invalid("this appointment code has expired") from None
    except TokenInvalid as exc:
        raise Invalid(f"appointment code refused: {exc}") from None
    a = session.scalar(select(Appointment).where(Appointment.code == token.subject))
    if a is None:
        raise NotFound("no such appointment")
    if a.status == "checked_in":
        return {**_view(a), **_names(session, a), "already": True}
    if a.status != "booked":
        raise Conflict(f"appointment is {a.status}")
    now = utcnow()
    if not (a.slot_start - EARLY <= now <= a.slot_start + LATE):
        raise Conflict("check-in is open from one hour before to 30 minutes after the booked time",
                       slot_start=to_cst(a.slot_start).isoformat())
    a.ticket_number = _next_ticket(session, a.window_code, to_cst(now).date())
    a.status, a.checked_in_at = "checked_in", now
    a.terminal_id = who.name if who.kind == "terminal" else ""
    audit.record(session, who.actor, "appointment.check_in", a.code, ticket=a.ticket_number)
    session.commit()
    return {**_view(a), **_names(session, a), "already": False}


def _names(session: Session, a: Appointment) -> dict[str, str]:
    """The window's and the item's names for the queue ticket, in Chinese and in English
    (the kiosk prints the ticket in the citizen's screen language)."""
    window, item = session.get(Window, a.window_code), session.get(Item, a.item_code)
    return {"window": window.name if window else a.window_code,
            "window_en": window.name_en if window else "",
            "item_name": item.name if item else "",
            "item_name_en": item.name_en if item else ""}


def ticket_letter(window_code: str) -> str:
    """The queue ticket's letter: W1 -> A, W2 -> B, ... as the county's windows are coded;
    another catalogue's codes give their first Latin letter (or Q), never an error."""
    digits = window_code[1:] if window_code[:1] == "W" else ""
    if digits.isascii() and digits.isdigit():
        return chr(ord("A") + (int(digits) - 1) % 26)
    letters = [c for c in window_code.upper() if "A" <= c <= "Z"]
    return letters[0] if letters else "Q"


def _next_ticket(session: Session, window_code: str, day: dt.date) -> str:
    prefix = f"{window_code}:{day:%Y%m%d}"
    for _ in range(3):
        row = session.execute(update(TicketCounter).where(TicketCounter.prefix == prefix)
                              .values(value=TicketCounter.value + 1).returning(TicketCounter.value)).first()
        if row is not None:
            return f"{ticket_letter(window_code)}{row[0]:03d}"
        try:
            with session.begin_nested():
                session.add(TicketCounter(prefix=prefix, value=0))
        except IntegrityError:
            pass
    raise Conflict("could not allocate a ticket; retry")
