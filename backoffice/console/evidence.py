"""What a case's materials point to instead of paper, as the clerk and the approver must weigh
it: an e-licence (电子证照, by its GB/T 36904 identifier) looked up in the county's register
(whose it is, whether it is still valid), and the materials the department obtains itself
through data sharing (共享获取), which the applicant was not asked for."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.county import CST, to_cst
from domain.ids import LICENCE_ROOT

from .. import audit
from ..auth import get_db
from ..db import read_phase
from ..licences import licence_pdf
from ..models import Case, Item, Licence, Material
from . import i18n, pages
from .access import open_case

router = APIRouter(prefix="/console", include_in_schema=False)
LICENCE_STATES = {"valid": i18n.N_("valid"), "revoked": i18n.N_("revoked"), "suspended": i18n.N_("suspended"),
                  "expired": i18n.N_("expired")}


def issuer_of(identifier: str) -> str:
    """The issuing authority's unified social credit code, from the identifier itself."""
    parts = identifier[len(LICENCE_ROOT) + 1:].split(".") if identifier.startswith(LICENCE_ROOT + ".") else []
    return parts[1] if len(parts) == 5 else ""


def e_licences(session: Session, case: Case, language: str, own_issuer: str) -> dict[str, dict]:
    """Each e-licence the case's materials name, by identifier: in the register or not, and
    if so its name, holder (masked), state and validity, and whether it is the applicant's.
    One that names the county's own issuer (`own_issuer`) yet is not in its register is
    flagged: the county would have issued it here."""
    _ = i18n.translations(language).gettext
    named = [m.licence_id for m in case.materials if m.licence_id]
    if not named:
        return {}
    with read_phase(session):
        found = {lic.identifier: lic for lic in session.scalars(select(Licence).where(Licence.identifier.in_(named)))}
    today = dt.datetime.now(CST).date()
    entries = {}
    for identifier in named:
        licence = found.get(identifier)
        if licence is None:
            issuer = issuer_of(identifier)
            entries[identifier] = {"known": False, "issuer": issuer, "ours": issuer == own_issuer}
            continue
        state = licence.status
        if state == "valid" and licence.valid_until and licence.valid_until < today:
            state = "expired"
        entries[identifier] = {
            "known": True, "name": licence.name, "holder": licence.holder_masked, "issuer": licence.issuer_name,
            "issued": to_cst(licence.issued_at).strftime("%Y-%m-%d"),
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else "",
            "state": _(LICENCE_STATES.get(state, state)), "usable": state == "valid",
            "applicants": licence.holder_lookup == case.applicant_lookup}
    return entries


def shared_materials(session: Session, case: Case, language: str) -> list[str]:
    """The names of the materials the department obtains through data sharing."""
    codes = [case.item_code] + [p.item_code for p in case.parts]
    with read_phase(session):
        rows = session.execute(select(Material.name, Material.name_en).join(Item).where(
            Material.item_code.in_([c for c in codes if c]), Material.source == "data_sharing")
            .order_by(Material.item_code, Material.position)).all()
    return [(row.name_en if language == "en" and row.name_en else row.name) for row in rows]


@router.get("/cases/{number}/e-licences/{identifier}.pdf")
def e_licence(number: str, identifier: str, request: Request, session: Session = Depends(get_db)):
    """An e-licence one of the case's materials names, as the register holds it (the holder's
    full name on it): only one the case points to, and the viewing audited."""
    who, case = open_case(request, session, number)
    _ = i18n.translations(pages.language(request)).gettext
    if identifier not in {m.licence_id for m in case.materials if m.licence_id}:
        raise pages.Refused(404, _("This case does not point to that e-licence."))
    with read_phase(session):
        licence = session.scalar(select(Licence).where(Licence.identifier == identifier))
        issued_for = session.get(Case, licence.case_id) if licence is not None else None
    if licence is None or issued_for is None:
        raise pages.Refused(404, _("That e-licence is not in the county's register."))
    vault = request.app.state.vault
    holder = vault.decrypt(issued_for.applicant_name_enc, "applicant-name") if issued_for.applicant_name_enc else ""
    pdf = licence_pdf(licence, request.app.state.signer.issue("licence", licence.identifier), holder)
    audit.record(session, who.actor, "licence.view", licence.identifier, case=case.number, via="console")
    session.commit()
    return Response(pdf, media_type="application/pdf", headers=pages.headers())
