"""The shared A4 page: font registration, styles, a QR flowable and the build call."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from devices.fonts import find_cjk_font
from domain.county import CST

Translate = Callable[[str], str]
FONT = "KioskCJK"


def register_font(path: Path | None = None) -> str:
    """Embed face 0 of the WenQuanYi Micro Hei collection (its Simplified Chinese face)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(find_cjk_font(path)), subfontIndex=0))
    return FONT


def styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=22, leading=30, alignment=TA_CENTER,
                                spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, alignment=TA_CENTER,
                                   spaceAfter=6 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontSize=14, leading=20,
                                  spaceBefore=5 * mm, spaceAfter=2 * mm),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=13, textColor=colors.grey),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
    }


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def field_table(rows: Sequence[tuple[str, str]], st: dict[str, ParagraphStyle]) -> Table:
    data = [[para(label, st["body"]), para(value, st["body"])] for label, value in rows]
    table = Table(data, colWidths=[40 * mm, 130 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


class QrFlowable(Flowable):
    """A vector QR code, centred, so it stays sharp at any printer resolution."""

    def __init__(self, payload: str, size: float = 40 * mm):
        super().__init__()
        self.payload, self.size = payload, size

    def wrap(self, available_width, available_height):
        self._x = (available_width - self.size) / 2
        return available_width, self.size

    def draw(self):
        widget = QrCodeWidget(self.payload, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size,
                          transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.drawOn(self.canv, self._x, 0)


def build(out: Path, title: str, story: list, footer: str) -> Path:
    """Write the PDF; the footer (office, print time, page) goes on every page."""
    register_font()
    out.parent.mkdir(parents=True, exist_ok=True)

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{footer}  ·  {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(out), pagesize=A4, title=title, author="澄迈县政务服务中心",
                            leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                            bottomMargin=22 * mm, invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out


def stamp(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(CST)
    return f"{at:%Y-%m-%d %H:%M} (UTC+8)"
