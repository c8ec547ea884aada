"""The materials viewer (decrypted on demand, watermarked, each page view audited) and the
e-licence printed at the window (统一出件)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.cases import CaseStatus
from domain.county import CST

from .. import audit
from ..auth import get_db
from ..db import read_phase
from ..licences import licence_pdf
from ..models import Case, CaseMaterial, Licence
from ..result_notice import result_notice_pdf
from . import i18n, pages
from .access import open_case
from .watermark import NotAPage, page_count, watermarked_page

router = APIRouter(prefix="/console", include_in_schema=False)


def _material(case: Case, index: int) -> CaseMaterial:
    if not 1 <= index <= len(case.materials):
        raise pages.Refused(404, "no such material")
    return case.materials[index - 1]


def _decrypted(request: Request, material: CaseMaterial) -> bytes:
    if material.content_enc is None:
        raise pages.Refused(404, i18n.translations(pages.language(request)).gettext(
            "This material has no scanned pages."))
    return request.app.state.vault.decrypt_bytes(material.content_enc, "material")


@router.get("/cases/{number}/materials/{index}")
def viewer(number: str, index: int, request: Request, page: int = 1, session: Session = Depends(get_db)):
    """The materials viewer: a page at a time, zoom and rotate in the page (static/console.js),
    the pages through htmx (only the page part is swapped)."""
    who, case = open_case(request, session, number)
    material = _material(case, index)
    try:
        count = page_count(_decrypted(request, material))
    except NotAPage:
        count = 0
    page = max(1, min(page, count or 1))
    context = {"case": case, "material": material, "index": index, "page": page, "pages": count,
               "materials_count": len(case.materials), "stamp": quote(dt.datetime.now(CST).strftime("%H%M%S"))}
    template = "_page.html" if request.headers.get("HX-Request") else "viewer.html"
    return pages.render(request, template, context, who, pages.language(request))


@router.get("/cases/{number}/materials/{index}/pages/{page}.jpg")
def page_image(number: str, index: int, page: int, request: Request, session: Session = Depends(get_db)):
    """One page, decrypted now, watermarked with the viewer and the time, never cached;
    the view is audited (who, which case, which material, which page)."""
    who, case = open_case(request, session, number)
    material = _material(case, index)
    now = dt.datetime.now(CST)
    try:
        image = watermarked_page(_decrypted(request, material), page,
                                 [who.name, now.strftime("%Y-%m-%d %H:%M:%S"), case.number])
    except NotAPage:
        raise pages.Refused(404, "no such page") from None
    audit.record(session, who.actor, "material.view", case.number, material=material.material_code,
                 material_index=index, page=page, via="console")
    session.commit()
    return Response(image, media_type="image/jpeg", headers=pages.headers())


@router.get("/cases/{number}/licences/{identifier}.pdf")
def licence_to_print(number: str, identifier: str, request: Request, session: Session = Depends(get_db)):
    """统一出件: the e-licence on A4 with the holder's full name, for the window to print and
    hand over; only for a completed case, and audited (the name is read)."""
    who, case = open_case(request, session, number)
    if who.role not in ("clerk", "admin") or case.status != CaseStatus.COMPLETED.value:
        raise pages.Refused(403, i18n.translations(pages.language(request)).gettext(
            "E-licences are printed at the window once the case is completed."))
    licence = session.scalar(select(Licence).where(Licence.case_id == case.id, Licence.identifier == identifier))
    if licence is None:
        raise pages.Refused(404, "no such licence")
    holder = request.app.state.vault.decrypt(case.applicant_name_enc, "applicant-name")
    pdf = licence_pdf(licence, request.app.state.signer.issue("licence", licence.identifier), holder)
    audit.record(session, who.actor, "licence.print", licence.identifier, case=case.number, via="console")
    session.commit()
    return Response(pdf, media_type="application/pdf", headers=pages.headers())


@router.get("/cases/{number}/result-notice.pdf")
def result_notice_to_print(number: str, request: Request, session: Session = Depends(get_db)):
    """统一出件 for a result without an e-licence (a denial, a payment granted): the result
    notice on A4 with the applicant's full name; audited as the e-licence's print is."""
    who, case = open_case(request, session, number)
    _ = i18n.translations(pages.language(request)).gettext
    if who.role not in ("clerk", "admin") or case.status != CaseStatus.COMPLETED.value:
        raise pages.Refused(403, _("Results are printed at the window once the case is completed."))
    with read_phase(session):
        has_licence = session.scalar(select(Licence.id).where(Licence.case_id == case.id).limit(1)) is not None
    if has_licence:
        raise pages.Refused(404, _("This result is an e-licence: print the e-licence."))
    holder = request.app.state.vault.decrypt(case.applicant_name_enc, "applicant-name")
    pdf = result_notice_pdf(case, holder)
    audit.record(session, who.actor, "result_notice.print", case.number, via="console")
    session.commit()
    return Response(pdf, media_type="application/pdf", headers=pages.headers())
