"""Calendar overrides, the audit log, staff sign-in, the QR public key."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.workdays import CalendarUnknown

from .. import audit
from ..auth import Caller, caller, get_db, login
from ..errors import Invalid
from ..models import AuditEntry, CalendarOverride, CalendarYear
from ..openapi_docs import ROW_ID_MAX, answers, problems
from ..schemas.bodies import OverrideIn, SignInIn, as_sent
from ..schemas.office import (AuditEntriesOut, AuditVerifyOut, OverrideOut, QrKeyOut, TokenOut, WorkingDaysOut,
                              YearDeclaredOut)
from .deps import context

router = APIRouter(prefix="/v1", tags=["administration"])


@router.post("/auth/token", responses={**answers(TokenOut), **problems(401, 429)})
def token(request: Request, body: SignInIn, session: Session = Depends(get_db)):
    value, staff, expires = login(session, request.app.state.settings, body.username, body.password)
    audit.record(session, f"staff:{staff.username}", "staff.login", staff.username)
    session.commit()
    return {"access_token": value, "token_type": "bearer", "role": staff.role,
            "department_code": staff.department_code, "expires_at": expires.isoformat() + "Z"}


@router.get("/keys/qr", responses=answers(QrKeyOut))
def qr_public_key(request: Request):
    """The Ed25519 key that signs QR tokens, for terminals to verify them offline."""
    signer = request.app.state.signer
    return {"alg": "Ed25519", "format": "CM1", "public_key": signer.public_key_raw_b64(),
            "pem": signer.public_key_pem()}


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


@router.put("/calendar/overrides/{day}", responses=answers(OverrideOut))
def set_override(day: dt.date, body: OverrideIn, who: Caller = Depends(caller("admin")),
                 session: Session = Depends(get_db)):
    payload = as_sent(body)
    if not isinstance(payload.get("working"), bool):
        raise Invalid("'working' must be true or false")
    session.merge(CalendarOverride(day=day, working=payload["working"], reason=str(payload.get("reason", ""))[:200]))
    audit.record(session, who.actor, "calendar.override", day.isoformat(), working=payload["working"])
    session.commit()
    return {"day": day.isoformat(), "working": payload["working"]}


@router.put("/calendar/years/{year}", responses=answers(YearDeclaredOut))
def declare_year(year: Annotated[int, Path(ge=dt.MINYEAR, le=dt.MAXYEAR)], who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    """Declare a year's schedule complete (its holidays and make-up days entered as overrides)."""
    session.merge(CalendarYear(year=year, declared_by=who.name))
    audit.record(session, who.actor, "calendar.declare_year", str(year))
    session.commit()
    return {"year": year, "declared": True}


@router.get("/audit", responses=answers(AuditEntriesOut))
def audit_log(after_id: int = Query(0, ge=0, le=ROW_ID_MAX), limit: int = Query(100, ge=0, le=1000), who: Caller = Depends(caller("admin")),
              session: Session = Depends(get_db)):
    rows = session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit))
    return {"entries": [{"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
                         "subject": e.subject, "detail": e.detail, "hash": e.hash} for e in rows]}


@router.get("/audit/verify", responses=answers(AuditVerifyOut))
def audit_verify(who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    intact, checked, broken = audit.verify_chain(session)
    return {"intact": intact, "checked": checked, "first_broken_id": broken}
