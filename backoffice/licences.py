"""E-licences (电子证照): issued when a case completes with an approval, identified per
GB/T 36904, verifiable by a signed QR code, printable as an A4 PDF."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.ids import make_licence_id

from .models import Case, Item, Licence, utcnow

FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)


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
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font_path = next((p for p in FONT_CANDIDATES if p.exists()), None)
    font = "Helvetica"
    if font_path:
        if "WQY" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("WQY", str(font_path), subfontIndex=0))
        font = "WQY"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setTitle(f"{licence.name} {licence.identifier}")
    page.setFont(font, 28)
    page.drawCentredString(width / 2, height - 40 * mm, licence.name)
    page.setFont(font, 13)
    lines = [
        f"持证人 Holder：{holder_name}",
        f"发证机关 Issuer：{licence.issuer_name}",
        "证照标识 Identifier：",
        f"  {licence.identifier}",
        f"发证日期 Issued：{licence.issued_at:%Y-%m-%d}",
        f"有效期至 Valid until：{licence.valid_until.isoformat() if licence.valid_until else '长期 Long-term'}",
        f"状态 Status：{'有效 valid' if licence.status == 'valid' else licence.status}",
    ]
    y = height - 65 * mm
    for line in lines:
        page.drawString(25 * mm, y, line)
        y -= 10 * mm
    qr = QrCodeWidget(verify_token)
    x0, y0, x1, y1 = qr.getBounds()
    size = 55 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, page, width / 2 - size / 2, 40 * mm)
    page.setFont(font, 11)
    page.drawCentredString(width / 2, 32 * mm, "扫码核验 Scan to verify · 澄迈县政务服务中心")
    page.showPage()
    page.save()
    return buffer.getvalue()
