"""The result notice (办理结果通知书) handed out at the window (统一出件) for a result that is
not an e-licence: a denial, or a decision such as a payment granted. It names the applicant
in full (it is theirs to take away), the decision and its reasons, and for a denial the
applicant's remedies; its QR code carries the case's tracking token."""
from __future__ import annotations

from domain.county import to_cst

from .models import Case
from .pdf_page import A4Page

ISSUER = "澄迈县政务服务中心 Chengmai County Government Affairs Service Center"
DECISIONS = {"approved": "准予 Approved", "partial": "部分准予 Partly approved", "denied": "不予准许 Denied"}
# 行政复议法 (60 days) and 行政诉讼法 (6 months): the remedies a denial must name.
REMEDIES = ("如不服本决定，可自收到本通知之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。",
            "If you disagree, you may apply for administrative reconsideration within 60 days of receiving "
            "this notice, or bring an administrative lawsuit within six months.")


def decision_note(case: Case) -> str:
    """The reasons given with the decision (the last approve or deny on the timeline)."""
    decided = [e for e in case.events if e.action in ("approve", "deny") and e.note]
    return decided[-1].note if decided else ""


def result_notice_pdf(case: Case, holder_name: str) -> bytes:
    from reportlab.lib.units import mm

    page = A4Page(f"办理结果通知书 {case.number}")
    page.centred("办理结果通知书", page.height - 35 * mm, 26)
    page.centred("Notice of the result", page.height - 45 * mm, 14)
    completed = to_cst(case.completed_at).strftime("%Y-%m-%d") if case.completed_at else ""
    y = page.lines([
        f"办件编号 Case：{case.number}",
        f"申请事项 Item：{case.item_name}",
        f"申请人 Applicant：{holder_name}",
        f"办理结果 Decision：{DECISIONS.get(case.decision, case.decision or '—')}",
        f"说明 Reasons：{decision_note(case) or '—'}",
        f"办结日期 Completed：{completed}",
        f"出件机关 Issued by：{ISSUER}",
    ], 25 * mm, page.height - 65 * mm, 10 * mm)
    if case.decision == "denied":
        page.lines(list(REMEDIES), 25 * mm, y - 5 * mm, 7 * mm, size=10)
    size = 40 * mm
    if case.tracking_token:
        page.qr(case.tracking_token, page.width / 2 - size / 2, 35 * mm, size)
        page.centred("扫码查询办理进度 Scan for the case's progress", 28 * mm, 11)
    return page.finish()
