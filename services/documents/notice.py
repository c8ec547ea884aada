"""The 补正告知书 correction notice on A4: every deficiency listed at once."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from domain.receipts import CorrectionNotice

from ..redact import redact
from .pdf import QrFlowable, Translate, build, field_table, para, stamp, styles


def correction_notice_pdf(n: CorrectionNotice, out: Path, terminal_id: str, now: dt.datetime,
                          _: Translate) -> Path:
    st = styles()
    story = [
        para(_("Notice of materials to be corrected"), st["title"]),
        para(_("Everything missing is listed here at once"), st["subtitle"]),
        field_table([
            (_("Case number"), n.case_number),
            (_("Item"), n.item_name),
            (_("Applicant"), redact(n.applicant_masked)),
            (_("Department"), n.department),
            (_("Issued at"), stamp(n.issued_at)),
            (_("Supply by"), n.due.isoformat() if n.due else "—"),
        ], st),
        para(_("Please supply or correct"), st["heading"]),
    ]
    for i, d in enumerate(n.deficiencies, 1):
        story.append(para(f"{i}. {redact(d.material)}：{redact(d.problem)}", st["body"]))
    story += [
        Spacer(1, 4 * mm),
        para(_("The time limit is paused until the corrections are received"), st["body"]),
        para(_("Hotline {hotline}").format(hotline=n.hotline), st["body"]),
        Spacer(1, 8 * mm),
        QrFlowable(n.case_number, 30 * mm),  # like the progress slip: checkable at any kiosk
        para(_("Scan at any kiosk to check progress"), st["center"]),
    ]
    footer = f"{n.issuing_office}  {_('Terminal')} {terminal_id}  {stamp(now)}"
    return build(out, _("Correction notice"), story, footer)
