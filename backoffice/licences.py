"""E-licences (电子证照): issued when a case completes with an approval, identified per
GB/T 36904, verifiable by a signed QR code, printable as an A4 PDF."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.ids import make_licence_id

from .models import Case, Item, Licence, utcnow
from .pdf_page import A4Page


def issue_licences_for(session: Session, ctx, case: Case) -> list[Licence]:
    if case.decision not in ("approved", "partial"):
        return []
    item_codes = ([p.item_code for p in case.parts if p.status == "approved"] if case.parts
                  else [case.item_code])
    issued = []
    for code in item_codes:
        item = session.get(Item, code)
        result = (item.result or {}) if item else {}
        type_code = result.get("licence_type_code", "")
        if not type_code:
            continue
        serial = _next_serial(session, type_code)
        licence = Licence(
            identifier=make_licence_id(type_code, ctx.settings.issuer_uscc, serial, 1),
            case_id=case.id, type_code=type_code, name=result.get("name", item.name),
            holder_lookup=case.applicant_lookup, holder_masked=case.applicant_masked,
            issuer_name=item.department.name if item.department else "澄迈县人民政府",
            issuer_uscc=ctx.settings.issuer_uscc, issued_at=utcnow(), version=1,
        )
        session.add(licence)
        issued.append(licence)
    return issued


def _next_serial(session: Session, type_code: str) -> str:
    year = dt.date.today().year
    count = session.scalar(select(func.count()).select_from(Licence).where(Licence.type_code == type_code)) or 0
    return f"{year}{count + 1:07d}"


def licence_pdf(licence: Licence, verify_token: str, holder_name: str) -> bytes:
    """An A4 page: title, holder, issuer, identifier, dates and the verification QR code."""
    from reportlab.lib.units import mm

    page = A4Page(f"{licence.name} {licence.identifier}")
    page.centred(licence.name, page.height - 40 * mm, 28)
    page.lines([
        f"持证人 Holder：{holder_name}",
        f"发证机关 Issuer：{licence.issuer_name}",
        "证照标识 Identifier：",
        f"  {licence.identifier}",
        f"发证日期 Issued：{licence.issued_at:%Y-%m-%d}",
        f"有效期至 Valid until：{licence.valid_until.isoformat() if licence.valid_until else '长期 Long-term'}",
        f"状态 Status：{'有效 valid' if licence.status == 'valid' else licence.status}",
    ], 25 * mm, page.height - 65 * mm, 10 * mm)
    size = 55 * mm
    page.qr(verify_token, page.width / 2 - size / 2, 40 * mm, size)
    page.centred("扫码核验 Scan to verify · 澄迈县政务服务中心", 32 * mm, 11)
    return page.finish()
