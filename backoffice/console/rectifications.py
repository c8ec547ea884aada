"""统一督办 of bad ratings: the supervisor works a rectification through its steps from the
dashboard (callback, rectify, review of an appeal), each with its note, by the rule the API
uses (backoffice.rectifications: its states, its audit record, its line on the case's
timeline); then back to the dashboard's list of rectifications."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import rectifications
from ..auth import get_db
from ..errors import ApiError
from ..models import Rectification
from . import i18n, pages
from .supervision import IN_PROGRESS, ROLES

router = APIRouter(prefix="/console", include_in_schema=False)
NOTE_LIMIT = 500


@router.post("/supervision/rectifications/{rect_id}")
async def rectification_step(rect_id: int, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_step, rect_id, request, session, form)


def _step(rect_id: int, request: Request, session: Session, form: dict[str, str]) -> Response:
    who = pages.who_may(request, session, ROLES)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    step = form.get("step", "")
    if step not in rectifications.STAFF_STEPS:
        raise pages.Refused(400, _("There is no such step."))
    note = form.get("note", "").strip()[:NOTE_LIMIT]
    if not note:  # the console asks for a note at every step: what was said, done or decided
        raise pages.Refused(422, _("Write what was said, done or decided."))
    rect = session.get(Rectification, rect_id)
    if rect is None:
        raise pages.Refused(404, _("There is no such rectification."))
    payload = {"note": note, "response": note, "decision": form.get("decision", "")}
    try:
        rectifications.take_step(session, rect, step, payload, who)
    except ApiError as exc:
        session.rollback()
        message = (_("Say whether the rating is upheld or overturned.") if exc.status == 422
                   else _("This rectification has moved on: reload the dashboard."))
        raise pages.Refused(exc.status, message) from None
    session.commit()
    # Back to its row while it is in progress, else to the list it has left.
    anchor = f"rectification-{rect.id}" if rect.status in IN_PROGRESS else "rectifications"
    return RedirectResponse(f"/console/supervision#{anchor}", status_code=303, headers=pages.headers())
