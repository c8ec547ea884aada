"""统一督办: per-department figures, cases by traffic light, the sweep, alerts."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import supervision
from ..auth import Caller, caller, get_db
from ..english_names import EnglishNames
from ..lights import light_bounds, lit_with
from ..models import Alert, Case
from ..openapi_docs import answers
from ..schemas.ratings import AlertsOut, SupervisedCasesOut, SupervisionSummaryOut, SweepOut
from ..views import case_summary
from .deps import context

router = APIRouter(prefix="/v1/supervision", tags=["supervision"])


@router.get("/summary", responses=answers(SupervisionSummaryOut))
def summary(who: Caller = Depends(caller("supervisor")), session: Session = Depends(get_db), ctx=Depends(context)):
    return {"departments": supervision.summary(session, ctx)}


@router.get("/cases", responses=answers(SupervisedCasesOut))
def cases_by_light(light: str = Query("red", pattern="^(red|yellow|green)$"), department: str = "",
                   who: Caller = Depends(caller("supervisor", "approver")), session: Session = Depends(get_db),
                   ctx=Depends(context)):
    today = ctx.today()
    stmt = select(Case).where(Case.status.in_(supervision.OPEN_STATES),
                              lit_with(light_bounds(ctx.calendar, today), light)).order_by(Case.id)
    if who.role == "approver":
        department = who.department_code
    if department:
        stmt = stmt.where(Case.department_code == department)
    rows = list(session.scalars(stmt))
    names = EnglishNames.for_cases(session, rows)
    return {"cases": [case_summary(c, ctx.calendar, today, names) for c in rows]}


@router.post("/sweep", responses=answers(SweepOut))
def run_sweep(who: Caller = Depends(caller("supervisor")), session: Session = Depends(get_db), ctx=Depends(context)):
    return supervision.sweep(session, ctx)


@router.get("/alerts", responses=answers(AlertsOut))
def alerts(include_cleared: bool = False, who: Caller = Depends(caller("supervisor")),
           session: Session = Depends(get_db)):
    stmt = select(Alert).order_by(Alert.id.desc())
    if not include_cleared:
        stmt = stmt.where(Alert.cleared_at.is_(None))
    return {"alerts": [{"id": a.id, "kind": a.kind, "subject": a.subject, "message": a.message,
                        "department_code": a.department_code, "raised_at": a.raised_at.isoformat() + "Z",
                        "cleared": a.cleared_at is not None} for a in session.scalars(stmt)]}
