"""Calendar overrides, the audit log, staff sign-in, the QR public key."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.workdays import CalendarUnknown

from .. import audit
from ..auth import Caller, caller, get_db, login
from ..errors import Invalid
from ..models import AuditEntry, CalendarOverride, CalendarYear
from ..openapi_docs import ROW_ID_MAX, problems
from .deps import context

router = APIRouter(prefix="/v1", tags=["administration"])


@router.post("/auth/token", responses=problems(401, 429))
def token(request: Request, payload: dict[str, Any] = Body(...), session: Session = Depends(get_db)):
    value, staff, expires = login(session, request.app.state.settings, str(payload.get("username", "")),
                                  str(payload.get("password", "")))
    audit.record(session, f"staff:{staff.username}", "staff.login", staff.username)
    session.commit()
    return {"access_token": value, "token_type": "bearer", "role": staff.role,
            "department_code": staff.department_code, "expires_at": expires.isoformat() + "Z"}


@router.get("/keys/qr")
def qr_public_key(request: Request):
    """The Ed25519 key that signs QR tokens, for terminals to verify them offline."""
    signer = request.app.state.signer
    return {"alg": "Ed25519", "format": "CM1", "public_key": signer.public_key_raw_b64(),
            "pem": signer.public_key_pem()}


@router.get("/calendar/working-days")
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


@router.put("/calendar/overrides/{day}")
def set_override(day: dt.date, payload: dict[str, Any] = Body(...), who: Caller = Depends(caller("admin")),
                 session: Session = Depends(get_db)):
    if not isinstance(payload.get("working"), bool):
        raise Invalid("'working' must be true or false")
    session.merge(CalendarOverride(day=day, working=payload["working"], reason=str(payload.get("reason", ""))[:200]))
    audit.record(session, who.actor, "calendar.override", day.isoformat(), working=payload["working"])
    session.commit()
    return {"day": day.isoformat(), "working": payload["working"]}


@router.put("/calendar/years/{year}")
def declare_year(year: Annotated[int, Path(ge=dt.MINYEAR, le=dt.MAXYEAR)], who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    """Declare a year's schedule complete (its holidays and make-up days entered as overrides)."""
    session.merge(CalendarYear(year=year, declared_by=who.name))
    audit.record(session, who.actor, "calendar.declare_year", str(year))
    session.commit()
    return {"year": year, "declared": True}


@router.get("/audit")
def audit_log(after_id: int = Query(0, ge=0, le=ROW_ID_MAX), limit: int = Query(100, ge=0, le=1000), who: Caller = Depends(caller("admin")),
              session: Session = Depends(get_db)):
    rows = session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit))
    return {"entries": [{"id": e.id, "at": e.at.isoformat() + "Z", "actor": e.actor, "action": e.action,
                         "subject": e.subject, "detail": e.detail, "hash": e.hash} for e in rows]}


@router.get("/audit/verify")
def audit_verify(who: Caller = Depends(caller("admin")), session: Session = Depends(get_db)):
    intact, checked, broken = audit.verify_chain(session)
    return {"intact": intact, "checked": checked, "first_broken_id": broken}
