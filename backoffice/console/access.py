"""Who may open a case in the console: the roles that work cases (backoffice.auth.role_may, as
for the API's routes) and which case (cases.may_open); a case refused answers 403."""
from __future__ import annotations

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..auth import Caller
from ..cases import may_open
from ..db import read_phase
from ..models import Case
from . import i18n, pages

CASE_ROLES = ("clerk", "approver", "supervisor")


def open_case(request: Request, session: Session, number: str) -> tuple[Caller, Case]:
    who = pages.who_may(request, session, CASE_ROLES)
    _ = i18n.translations(pages.language(request)).gettext
    with read_phase(session):
        case = session.scalar(select(Case).where(Case.number == number).options(
            selectinload(Case.events), selectinload(Case.materials), selectinload(Case.parts)))
    if case is None:
        raise pages.Refused(404, _("There is no such case."))
    if not may_open(case, who):
        if who.role == "clerk":
            raise pages.Refused(403, _("This case is not at the front desk: a clerk cannot open it now."))
        raise pages.Refused(403, _("This case is not your department's."))
    return who, case
