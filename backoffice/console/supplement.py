"""Materials brought to the counter (补交): a 容缺 material promised at submission, or the
corrected ones a correction notice asked for."""
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
from ..db import read_phase
from ..english_names import EnglishNames
from ..errors import ApiError
from ..models import Case
from ..routes.deps import context_for
from . import i18n, pages
from .access import open_case

router = APIRouter(prefix="/console", include_in_schema=False)


# The applicant may bring to the window what the kiosk would take: a 容缺 material promised at
# submission (the case stays where it is and its supply deadline stops threatening it), or the
# corrected materials a correction notice asked for (the case goes back to be accepted).
SUPPLY_FORMS = ("original", "copy")
MAX_COPIES = 20


def to_supply(case: Case, who: Caller) -> list[dict]:
    """What a clerk may record as brought: while a correction is asked, the case's materials
    (each code once, its latest); otherwise the 容缺 materials not yet supplied."""
    status = CaseStatus(case.status)
    if status not in TRANSITIONS[Action.SUPPLEMENT] or (
            who.role != "admin" and who.role not in ACTION_ROLES[Action.SUPPLEMENT]):
        return []
    correcting = status == CaseStatus.CORRECTION_REQUIRED
    offered: dict[str, dict] = {}
    for index, m in enumerate(case.materials, start=1):
        if (m.deferred and m.supplied_at is None) or (correcting and not m.deferred):
            offered[m.material_code] = {"index": index, "code": m.material_code, "name": m.name,
                                        "deferred": m.deferred, "form": m.form if m.form in SUPPLY_FORMS else "copy"}
    return list(offered.values())


@router.post("/cases/{number}/supplement")
async def supplement(number: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_supplement, number, request, session, form)


def _supplement(number: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """The ticked materials, as the lifecycle's supplement (the API's: its checks, its
    timeline entry naming them, its audit record); then the case again."""
    who, case = open_case(request, session, number)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    offered = to_supply(case, who)
    if not offered:
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it."))
    brought = [m for m in offered if form.get(f"brought_{m['index']}")]
    if not brought:
        raise pages.Refused(422, _("Tick each material the applicant brought."))
    with read_phase(session):
        english = EnglishNames.for_case(session, case)
    materials = [{"code": m["code"], "name": m["name"], "copies": _copies(form.get(f"copies_{m['index']}", "")),
                  "form": form.get(f"form_{m['index']}") if form.get(f"form_{m['index']}") in SUPPLY_FORMS
                  else m["form"]} for m in brought]
    params = {"materials": materials, "note": "窗口补交：" + "、".join(m["name"] for m in brought),
              "note_en": "Supplied at the window: " + ", ".join(english.material(case, m["code"]) or m["name"]
                                                                for m in brought)}
    try:
        apply_action(session, context_for(request.app, session), case, Action.SUPPLEMENT, params, who)
    except ApiError:
        session.rollback()
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it.")) from None
    session.commit()
    target = f"/console/cases/{quote(case.number, safe='')}" if may_open(case, who) else "/console/queue"
    return RedirectResponse(target, status_code=303, headers=pages.headers())


def _copies(given: str) -> int:
    return max(1, min(int(given), MAX_COPIES)) if given.isascii() and given.isdigit() else 1
