"""An item guide (办事指南) on A4: everything the item needs, told once.

The guide's data (GuideMaterial, ItemGuide) is also what the kiosk's guide slips print
from (services/guide_slips.py), so reportlab is imported only when a PDF is made."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from domain.i18n import N_

if TYPE_CHECKING:
    from .pdf import Translate

NECESSITY = {"required": N_("Required"), "optional": N_("Optional"),
             "deferrable": N_("Deferrable (may be supplied later)")}
FORM = {"original": N_("Original"), "copy": N_("Copy"), "electronic": N_("Electronic")}


@dataclass(frozen=True)
class GuideMaterial:
    name: str
    necessity: str = "required"  # required | optional | deferrable
    form: str = "original"  # original | copy | electronic
    copies: int = 1
    note: str = ""


@dataclass(frozen=True)
class ItemGuide:
    item_code: str
    name: str
    item_type: str  # e.g. 行政许可
    department: str
    legal_days: int
    promised_days: int
    visits: int  # 0 or 1: 最多跑一次
    fees: str
    conditions: tuple[str, ...] = ()
    materials: tuple[GuideMaterial, ...] = ()
    channels: tuple[str, ...] = ()


def item_guide_pdf(guide: ItemGuide, out: Path, terminal_id: str, now: dt.datetime,
                   _: Translate) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    from .pdf import build, field_table, para, stamp, styles

    st = styles()
    days = _("{days} working days")
    story = [
        para(guide.name, st["title"]),
        para(_("Service guide"), st["subtitle"]),
        field_table([
            (_("Item code"), guide.item_code),
            (_("Item type"), guide.item_type),
            (_("Department"), guide.department),
            (_("Legal time limit"), days.format(days=guide.legal_days)),
            (_("Promised time limit"), days.format(days=guide.promised_days)),
            (_("Visits required"), str(guide.visits)),
            (_("Fees"), guide.fees),
            (_("Channels"), "、".join(guide.channels) or "—"),
        ], st),
    ]
    if guide.conditions:
        story.append(para(_("Conditions"), st["heading"]))
        story += [para(f"{i}. {c}", st["body"]) for i, c in enumerate(guide.conditions, 1)]
    story.append(para(_("Materials"), st["heading"]))
    header = [_("No."), _("Material"), _("Necessity"), _("Form"), _("Copies")]
    rows = [[para(h, st["body"]) for h in header]]
    for i, m in enumerate(guide.materials, 1):
        name = m.name + (f"\n{m.note}" if m.note else "")
        rows.append([para(str(i), st["body"]), para(name, st["body"]),
                     para(_(NECESSITY.get(m.necessity, m.necessity)), st["body"]),
                     para(_(FORM.get(m.form, m.form)), st["body"]), para(str(m.copies), st["body"])])
    table = Table(rows, colWidths=[12 * mm, 78 * mm, 34 * mm, 26 * mm, 20 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(table)
    footer = f"{_('Chengmai County Government Affairs Service Center')}  {_('Terminal')} {terminal_id}  {stamp(now)}"
    return build(out, guide.name, story, footer)
