"""The queues: the comprehensive window's (综合受理) and a department's (后台分类审批), the
most urgent first."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from domain.cases import STATUS_LABELS, CaseStatus
from domain.county import CST, to_cst

from .. import lights
from ..auth import get_db
from ..calendar import load_calendar
from ..cases import FRONT_DESK_STAGES
from ..db import read_phase
from ..lights import light_bounds
from ..models import Case, CasePart
from . import i18n, pages

router = APIRouter(prefix="/console", include_in_schema=False)
QUEUE_ROLES = ("clerk",)  # the comprehensive window's queue (an admin may see it too)
DEPARTMENT_ROLES = ("approver",)  # a department's review queue
QUEUE_LIMIT = 500  # rows at most in a queue, the most urgent


@router.get("/queue")
def queue(request: Request, session: Session = Depends(get_db)):
    """综合受理: the cases waiting at the front desk, the most urgent first."""
    who = pages.who_may(request, session, QUEUE_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    cases, total = _queue(session, [s.value for s in FRONT_DESK_STAGES], language)
    return pages.render(request, "queue.html", {
        "cases": cases, "total": total, "title": _("Comprehensive window queue"),
        "hint": _("Cases waiting at the front desk, the most urgent first.")}, who, language)


@router.get("/department")
def department_queue(request: Request, session: Session = Depends(get_db)):
    """后台分类审批: the approver's department's cases in review or suspended, a "一件事"
    bundle's included while its part of theirs is in review; the most urgent first."""
    who = pages.who_may(request, session, DEPARTMENT_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    theirs = or_(Case.department_code == who.department_code,
                 Case.parts.any((CasePart.department_code == who.department_code) & (CasePart.status == "in_review")))
    in_hand = [CaseStatus.IN_REVIEW.value, CaseStatus.SUSPENDED.value]
    cases, total = _queue(session, in_hand, language, theirs)
    return pages.render(request, "queue.html", {
        "cases": cases, "total": total, "title": _("Department review queue"),
        "hint": _("Your department's cases in review or suspended, the most urgent first.")}, who, language)


def _queue(session: Session, states: list[str], language: str, which=None) -> tuple[list[SimpleNamespace], int]:
    """Rows of a queue, the cases in `states` (and `which`, a condition): overdue first,
    then due soon, then by the promised date and the time received; applicants masked.
    The database hands over only the first QUEUE_LIMIT (lights.most_urgent): a county's
    queue runs to thousands. With them, how many cases the queue holds in all."""
    _ = i18n.translations(language).gettext
    with read_phase(session):
        bounds = light_bounds(load_calendar(session), dt.datetime.now(CST).date())
        rows = session.execute(lights.most_urgent(
            (Case.number, Case.item_name, Case.applicant_masked, Case.status, Case.received_at, Case.promised_date,
             Case.deferred_pending, Case.deferred_due, Case.presence_evidence), states, which, bounds,
            QUEUE_LIMIT)).all()
        total = len(rows) if len(rows) < QUEUE_LIMIT else session.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(states), true() if which is None else which))
    cases = []
    for row in rows:
        light = lights.RANKS[row.rank]
        cases.append({"number": row.number, "item_name": row.item_name, "applicant": row.applicant_masked,
                      "status": _(STATUS_LABELS[CaseStatus(row.status)]), "status_code": row.status,
                      "received_at": to_cst(row.received_at).strftime("%Y-%m-%d %H:%M"),
                      "promised_date": row.promised_date.isoformat() if row.promised_date else "",
                      "light": light or "", "light_label": _(pages.LIGHT_LABELS[light]) if light else "",
                      "deferred_due": row.deferred_due.isoformat() if row.deferred_pending and row.deferred_due
                      else "", "unverified": row.presence_evidence == "card_read"})
    return pages.rows(cases), total
