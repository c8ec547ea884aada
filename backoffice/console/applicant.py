"""The applicant in full, for the staff whose work needs it: a clerk checking the person at
the counter against their card, an approver who must call them. Shown on request, with the
reason chosen, for that one answer only (the case page stays masked), and every showing
audited with its reason. Supervisors work from masked figures and are not offered it."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from domain.county import CST

from .. import audit
from ..auth import Caller, get_db, role_may
from . import i18n, pages, post
from .access import open_case

router = APIRouter(prefix="/console", include_in_schema=False)
REVEAL_ROLES = ("clerk", "approver")  # and an admin, as for every role
# Why the applicant is shown in full: the audit log says which.
REASONS = {"identity": i18n.N_("Check the person at the counter against their document"),
           "contact": i18n.N_("Contact the applicant about the case"),
           "review": i18n.N_("The review needs the full identity")}


def may_reveal(who: Caller) -> bool:
    return role_may(who, REVEAL_ROLES)


@router.post("/cases/{number}/applicant")
async def reveal(number: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_reveal, number, request, session, form)


def _reveal(number: str, request: Request, session: Session, form: dict[str, str]):
    from .case_page import case_page_response  # the page it answers with, without scripts

    who, case = open_case(request, session, number)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    if not may_reveal(who):
        raise pages.Refused(403, _("Your role sees applicants masked."))
    reason = form.get("reason", "")
    if reason not in REASONS:
        raise pages.Refused(422, _("Say why the applicant is to be shown in full."))
    vault = request.app.state.vault
    shown = {"name": vault.decrypt(case.applicant_name_enc, "applicant-name") if case.applicant_name_enc else "",
             "id_number": vault.decrypt(case.applicant_id_enc, "applicant-id") if case.applicant_id_enc else "",
             "phone": vault.decrypt(case.phone_enc, "phone") if case.phone_enc else "",
             "address": post.full_address(vault, case),  # a result by post's, on the case page
             "reason": _(REASONS[reason]), "at": dt.datetime.now(CST).strftime("%H:%M")}
    audit.record(session, who.actor, "applicant.reveal", case.number, reason=reason, via="console")
    session.commit()
    if request.headers.get("HX-Request"):
        return pages.render(request, "_applicant.html", {"case": case, "revealed": shown}, who,
                            pages.language(request))
    return case_page_response(request, session, who, case, revealed=shown)

