"""The working-day calendar, the audit log, staff sign-in, the QR public key."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.workdays import CalendarUnknown

from .. import audit, calendar, staff_accounts
from ..auth import ROLES, Caller, caller, get_db, login
from ..errors import Conflict, Invalid, NotFound
from ..holiday_arrangement import ArrangementInvalid, parse_arrangement
from ..models import AuditEntry
from ..openapi_docs import ROW_ID_MAX, answers, problems
from ..schemas.bodies import ArrangementIn, OverrideIn, SignInIn, StaffDisabledIn, as_sent
from ..schemas.office import (
    ArrangementImportedOut,
    AuditEntriesOut,
    AuditVerifyOut,
    CalendarOut,
    OverrideDeletedOut,
    OverrideOut,
    QrKeyOut,
    SignedOutOut,
    StaffDisabledOut,
    TokenOut,
    WorkingDaysOut,
)
from .deps import context

router = APIRouter(prefix="/v1", tags=["administration"])


@router.post("/auth/token", responses={**answers(TokenOut), **problems(401, 403, 429)})
def token(request: Request, body: SignInIn, session: Session = Depends(get_db)):
    """Sign in. Administrators and supervisors (the `BACKOFFICE_MFA_ROLES`) also give
    `totp`, the six digits their authenticator shows: without it a right password is
    answered 401 `totp_required`; an account of theirs not yet enrolled, 403."""
    client = request.client.host if request.client else ""
    value, staff, expires = login(session, request.app.state.settings, body.username, body.password, client,
                                  totp_code=body.totp, vault=request.app.state.vault)
    audit.record(session, f"staff:{staff.username}", "staff.login", staff.username)
    session.commit()
    return {"access_token": value, "token_type": "bearer", "role": staff.role,
            "department_code": staff.department_code, "expires_at": expires.isoformat() + "Z"}


@router.post("/auth/logout", responses=answers(SignedOutOut))
def sign_out(request: Request, who: Caller = Depends(caller(*ROLES)), session: Session = Depends(get_db)):
    """Ends the token presented: it opens nothing more."""
    token = request.headers.get("Authorization", "")[len("Bearer "):].strip()
    return {"signed_out": staff_accounts.sign_out(session, token, who.actor)}


@router.put("/staff/{account}/disabled", responses={**answers(StaffDisabledOut), **problems(404, 409)})
def set_staff_disabled(account: str, body: StaffDisabledIn, who: Caller = Depends(caller("admin")),
                       session: Session = Depends(get_db)):
    """Disable a staff account (someone left, a password leaked): its sign-ins are refused
    and every token it holds ends at once. Audited with the reason."""
    if body.disabled and account == who.name:
        raise Conflict("an administrator cannot disable their own account")
    if not staff_accounts.set_disabled(session, account, body.disabled, body.reason, who.actor):
        raise NotFound("no such staff account")
    return {"username": account, "disabled": body.disabled}


@router.get("/keys/qr", responses=answers(QrKeyOut))
def qr_public_key(request: Request):
    """The Ed25519 keys of QR tokens, for terminals to verify them offline: `public_key`
    (and `pem`) the one signing now, `keys` every one that verifies, by the id tokens
    carry in `kid` (a key rotated out still verifies the codes it signed, until dropped)."""
    signer = request.app.state.signer
    return {"alg": "Ed25519", "format": "CM1", "public_key": signer.public_key_raw_b64(),
            "pem": signer.public_key_pem(), "key_id": signer.key_id, "keys": signer.published()}


@router.get("/calendar/working-days", responses=answers(WorkingDaysOut))
def working_days(start: dt.date, end: dt.date, ctx=Depends(context)):
    if end < start or (end - start).days > 400:
        raise Invalid("give a range of at most 400 days, end not before start")
    try:
        days = ctx.calendar.working_days_in(start, end)
    except CalendarUnknown as exc:
        raise Invalid(f"no working-day calendar for {exc.year}; an administrator must enter it",
                      year=exc.year) from None
    return {"start": start.isoformat(), "end": end.isoformat(), "count": len(days),
            "working_days": [d.isoformat() for d in days]}


@router.get("/calendar", responses=answers(CalendarOut))
def calendar_overview(year: Annotated[int | None, Query(ge=dt.MINYEAR, le=dt.MAXYEAR)] = None, ctx=Depends(context),
                      session: Session = Depends(get_db)):
    """The county's calendar: its horizon, the imported years and the override days (of
    one year when `year` is given). No personal data: kiosks keep a copy."""
    return calendar.overview(session, ctx.today(), year)


@router.put("/calendar/arrangements/{year}", responses={**answers(ArrangementImportedOut), **problems(422)})
def import_arrangement(year: Annotated[int, Path(ge=dt.MINYEAR, le=dt.MAXYEAR)], body: ArrangementIn,
                       who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    """Imports the State Council's holiday arrangement for `year` (deploy/calendar/README.md):
    validated in full, applied in one transaction, audited, and only then the year declared.
    Importing the same year again replaces the earlier import's days."""
    data = as_sent(body)
    if data.get("year") != year:
        raise Invalid(f"the arrangement's year must be {year}, the year in the address",
                      problems=[f"year: {data.get('year')!r} is not {year}"])
    try:
        arrangement = parse_arrangement(data, calendar.official)
    except ArrangementInvalid as exc:
        raise Invalid(f"the arrangement for {year} is not valid: {len(exc.problems)} problem(s)",
                      problems=exc.problems) from None
    result = calendar.import_arrangement(session, arrangement, who.actor)
    session.commit()
    return result


@router.put("/calendar/overrides/{day}", responses=answers(OverrideOut))
def set_override(day: dt.date, body: OverrideIn, who: Caller = Depends(caller("admin")),
                 session: Session = Depends(get_db)):
    """An administrator's own day: a typhoon closure, a day given back."""
    payload = as_sent(body)
    if not isinstance(payload.get("working"), bool):
        raise Invalid("'working' must be true or false")
    calendar.set_day(session, day, payload["working"], str(payload.get("reason", "")), who.actor)
    session.commit()
    return {"day": day.isoformat(), "working": payload["working"]}


@router.delete("/calendar/overrides/{day}", responses={**answers(OverrideDeletedOut), **problems(404)})
def delete_override(day: dt.date, who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    if not calendar.delete_day(session, day, who.actor):
        raise NotFound(f"no override for {day.isoformat()}")
    session.commit()
    return {"day": day.isoformat(), "deleted": True}


@router.get("/audit", responses=answers(AuditEntriesOut))
def audit_log(after_id: int = Query(0, ge=0, le=ROW_ID_MAX), limit: int = Query(100, ge=0, le=1000),
              who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    rows = session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit))
    return {"entries": [{"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
                         "subject": e.subject, "detail": e.detail, "hash": e.hash} for e in rows]}


@router.get("/audit/verify", responses=answers(AuditVerifyOut))
def audit_verify(who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    intact, checked, broken = audit.verify_chain(session)
    return {"intact": intact, "checked": checked, "first_broken_id": broken}
