"""The decisions on a case from its page, through the lifecycle the API uses: the front
desk's, the department's and the window's."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from domain.cases import CaseStatus
from domain.lifecycle import TRANSITIONS, Action

from ..auth import Caller, get_db
from ..cases import ACTION_ROLES, apply_action, may_open
from ..errors import ApiError
from ..models import Case
from ..routes.deps import context_for
from . import i18n, pages
from .access import open_case

router = APIRouter(prefix="/console", include_in_schema=False)


# The front desk's decisions on a case (综合受理), offered where the lifecycle table allows them
# from the case's state and the role may take them (cases.ACTION_ROLES, as for the API).
# And the department's (后台分类审批): approve, deny, suspend for a special procedure, resume,
# complete (the result and its e-licences issued); and the window's (统一出件): hand it over.
DESK_ACTIONS = (Action.ACCEPT, Action.REQUEST_CORRECTION, Action.REFUSE, Action.ROUTE,
                Action.APPROVE, Action.DENY, Action.SUSPEND, Action.RESUME, Action.COMPLETE, Action.DELIVER)
DECISIONS = (Action.APPROVE, Action.DENY)
CORRECTION_DAYS = 5  # working days the applicant has to answer a correction notice


def actions_for(case: Case, who: Caller) -> list[str]:
    status = CaseStatus(case.status)
    return [a.value for a in DESK_ACTIONS
            if status in TRANSITIONS[a] and (who.role == "admin" or who.role in ACTION_ROLES[a])
            and (a not in DECISIONS or not case.parts or part_of(case, who) is not None)]


def part_of(case: Case, who: Caller) -> str | None:
    """A "一件事" bundle's part the approver's department has in review (its item code)."""
    return next((p.item_code for p in case.parts
                 if p.department_code == who.department_code and p.status == "in_review"), None)


@router.post("/cases/{number}/actions")
async def act(number: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_act, number, request, session, form)


def _act(number: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """A decision from the case page, through the lifecycle the API uses (its checks, its
    timeline entry and audit record); then the case again, or the queue once it has left
    the front desk."""
    who, case = open_case(request, session, number)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    try:
        action = Action(form.get("action", ""))
    except ValueError:
        raise pages.Refused(400, _("There is no such action.")) from None
    if action.value not in actions_for(case, who):
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it."))
    params = _action_params(action, form, case, _)
    if case.parts and action in DECISIONS:
        params["part"] = part_of(case, who)
    try:
        apply_action(session, context_for(request.app, session), case, action, params, who)
    except ApiError as exc:
        session.rollback()
        raise pages.Refused(exc.status, _action_problem(action, _)) from None
    session.commit()
    target = f"/console/cases/{quote(case.number, safe='')}" if may_open(case, who) else "/console/queue"
    return RedirectResponse(target, status_code=303, headers=pages.headers())


def _action_params(action: Action, form: dict[str, str], case: Case, _) -> dict:
    """What the lifecycle takes, from the page's form: a refusal's reason; a correction's
    deficiencies, every one at once (一次性告知), each ticked material with its problem."""
    if action in (Action.REFUSE, Action.DENY, Action.SUSPEND, Action.APPROVE):
        reason = form.get("reason", "").strip()[:500]
        if action != Action.APPROVE and not reason:
            raise pages.Refused(422, {Action.REFUSE: _("A refusal needs its reason."),
                                Action.DENY: _("A denial needs its reason."),
                                Action.SUSPEND: _("Say which special procedure suspends the case.")}[action])
        return {"note": reason}
    if action == Action.REQUEST_CORRECTION:
        deficiencies = [{"material": m.name, "problem": form.get(f"problem_{i}", "").strip()[:300]}
                        for i, m in enumerate(case.materials, start=1) if form.get(f"deficient_{i}")]
        other = form.get("other_problem", "").strip()[:300]
        if other:
            deficiencies.append({"material": "", "problem": other})
        return {"deficiencies": deficiencies, "due_days": CORRECTION_DAYS}
    return {}


def _action_problem(action: Action, _) -> str:
    return {Action.REFUSE: _("A refusal needs its reason."),
            Action.REQUEST_CORRECTION: _("Tick each material to correct and say what is wrong with it."),
            }.get(action, _("The case could not be moved on: reload it and look at its state."))
