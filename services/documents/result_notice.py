"""The result notice (办理结果告知书) on A4, for a collected result that has no e-licence
(a payment, a record, a decision): the case, its outcome and a tracking QR code."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from domain.cases import CaseDetail, CaseStatus

from ..redact import redact
from .pdf import QrFlowable, Translate, build, field_table, para, stamp, styles


def result_notice_pdf(case: CaseDetail, out: Path, terminal_id: str, now: dt.datetime, _: Translate,
                      language: str = "zh_CN") -> Path:
    """A4 notice for a result that is not an e-licence (a payment, a record, a decision)."""
    st = styles()
    rows = [
        (_("Case number"), case.number),
        (_("Item"), case.item_name_in(language)),
        (_("Applicant"), redact(case.applicant_masked)),
        (_("Department"), case.department_in(language)),
        (_("Status"), _(case.status.label)),
    ]
    done = [e for e in case.timeline if e.status is CaseStatus.COMPLETED]
    if done:
        rows.append((_("Completed on"), stamp(done[-1].at)))
    decided = [e for e in case.timeline if e.status is CaseStatus.DECIDED and e.note]
    if decided:
        rows.append((_("Decision"), redact(decided[-1].note_in(language))))
    story = [
        para(_("Notice of the result of your application"), st["title"]),
        para(_("Issued at the self-service kiosk"), st["subtitle"]),
        field_table(rows, st),
        Spacer(1, 10 * mm),
        QrFlowable(case.tracking_token or case.number, 30 * mm),
        para(_("Scan at any kiosk to check progress"), st["center"]),
        para(_("Hotline {hotline}").format(hotline="12345"), st["center"]),
    ]
    footer = f"{_('Chengmai County Government Affairs Service Center')}  {_('Terminal')} {terminal_id}  {stamp(now)}"
    return build(out, _("Notice of the result of your application"), story, footer)
