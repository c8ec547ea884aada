"""好差评: one rating per case, five levels; a bad rating (差评) opens a rectification with
callback and rectification deadlines in working days; a rating may be appealed."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.cases import CaseStatus
from domain.workdays import CalendarUnknown

from .. import audit, notices, presence, rectifications
from ..auth import Caller, caller, get_db
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..idempotency import idempotent
from ..models import Case, Rating, Rectification
from ..openapi_docs import IDEMPOTENCY_KEY, ROW_ID_MAX, answers, problems
from ..schemas.bodies import RatingIn, RectificationStepIn, as_sent
from ..schemas.ratings import RatingOut, RectificationOut, RectificationsOut
from .cases import load_case
from .deps import context

router = APIRouter(prefix="/v1", tags=["ratings"])
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATEABLE = {CaseStatus.COMPLETED.value, CaseStatus.DELIVERED.value, CaseStatus.NOT_ACCEPTED.value,
            CaseStatus.DECIDED.value, CaseStatus.IN_REVIEW.value, CaseStatus.ACCEPTED.value,
            CaseStatus.RECEIVED.value, CaseStatus.CORRECTION_REQUIRED.value}


def rating_view(rating: Rating, rect: Rectification | None) -> dict:
    return {"case_id": rating.case_id, "level": rating.level, "label": LEVELS[rating.level],
            "reasons": rating.reasons, "comment": rating.comment, "channel": rating.channel,
            "rectification": rectification_view(rect) if rect else None}


def rectification_view(r: Rectification) -> dict:
    return {"id": r.id, "status": r.status,
            "callback_due": r.callback_due.isoformat() if r.callback_due else None,
            "rectify_due": r.rectify_due.isoformat() if r.rectify_due else None,
            "called_back": r.called_back_at is not None, "rectified": r.rectified_at is not None,
            "response": r.response, "appeal_reason": r.appeal_reason, "appeal_decision": r.appeal_decision,
            "level": r.rating.level, "department_code": r.rating.department_code}


@router.post("/cases/{number}/rating", status_code=201, responses={**answers(RatingOut, 201), **problems(404, 409)},
             openapi_extra=IDEMPOTENCY_KEY)
def rate(number: str, request: Request, body: RatingIn,
         who: Caller = Depends(caller("terminal", "clerk")), session: Session = Depends(get_db), ctx=Depends(context)):
    payload = as_sent(body)
    level = payload.get("level")
    if level not in LEVELS:
        raise Invalid("level must be 1 (非常不满意) to 5 (非常满意)")
    reasons = [str(r)[:100] for r in payload.get("reasons") or []][:10]
    if level <= 2 and not reasons:
        raise Invalid("a bad rating needs at least one reason")

    grant = presence.require(session, request, who, presence.RATE, deferred=True)

    def produce():
        case = load_case(session, number)
        presence.own(session, who, grant, case.applicant_lookup, case.number, presence.RATE)
        if case.status not in RATEABLE:
            raise Conflict(f"a {case.status} case cannot be rated")
        if session.scalar(select(Rating).where(Rating.case_id == case.id)) is not None:
            raise Conflict("this case has already been rated")
        department = case.parts[0].department_code if case.parts else case.department_code
        rating = Rating(case_id=case.id, level=level, reasons=reasons, comment=str(payload.get("comment", ""))[:500],
                        channel="kiosk" if who.kind == "terminal" else "window",
                        terminal_id=who.name if who.kind == "terminal" else "", department_code=department)
        session.add(rating)
        session.flush()
        rect = None
        if level <= 2:
            today = ctx.today()
            rect = Rectification(rating_id=rating.id, callback_due=_due(ctx, today, ctx.settings.callback_days),
                                 rectify_due=_due(ctx, today, ctx.settings.rectify_days))
            session.add(rect)
            session.flush()
            notices.after_bad_rating(session, ctx, case)
        audit.record(session, who.actor, "rating.create", number, level=level)
        return 201, rating_view(rating, rect)

    return idempotent(request, session, f"rating:{who.actor}", f"{number}:{level}:{reasons}", produce)


def _due(ctx, today, days):
    try:
        return ctx.calendar.add_working_days(today, days)
    except CalendarUnknown:
        return None


@router.get("/rectifications", responses=answers(RectificationsOut))
def list_rectifications(status: str = "", who: Caller = Depends(caller("supervisor")),
                        session: Session = Depends(get_db)):
    stmt = select(Rectification).order_by(Rectification.id)
    if status:
        stmt = stmt.where(Rectification.status == status)
    return {"rectifications": [rectification_view(r) for r in session.scalars(stmt)]}


@router.post("/rectifications/{rect_id}/{step}", responses={**answers(RectificationOut), **problems(404, 409)})
def rectification_step(rect_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], step: str, request: Request,
                       body: RectificationStepIn | None = Body(None),
                       who: Caller = Depends(caller("terminal", "clerk", "supervisor")),
                       session: Session = Depends(get_db)):
    """Steps: callback (supervisor), rectify (supervisor, with `response`), appeal (the
    applicant through a terminal, under their presence grant, or a clerk, with `reason`),
    review (supervisor: `decision` upheld | overturned); callback and review take a `note`.
    Each is written on the rated case's timeline (backoffice.rectifications)."""
    payload = as_sent(body)
    if not rectifications.may_take(step, who):
        raise Forbidden(f"{step} is a supervisor's step")
    grant = presence.require(session, request, who, presence.RATE)
    rect = session.get(Rectification, rect_id)
    if rect is None:
        raise NotFound("no such rectification")
    if grant is not None:
        case = session.get(Case, session.get(Rating, rect.rating_id).case_id)
        presence.own(session, who, grant, case.applicant_lookup, str(rect_id), presence.RATE)
    rectifications.take_step(session, rect, step, payload, who)
    session.commit()
    return rectification_view(rect)
