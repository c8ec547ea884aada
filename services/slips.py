"""Lays out the progress slip (办件进度单) from a case, in the kiosk's current language."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from domain.cases import CaseDetail
from domain.receipts import DATE_TO_BE_CONFIRMED
from domain.slips import Block, Field, Heading, Line, QrCode, Rule, SlipDocument

Translate = Callable[[str], str]
ISSUING_OFFICE = "Chengmai County Government Affairs Service Center"
HOTLINE = "12345"


def progress_slip(case: CaseDetail, terminal_id: str, now: dt.datetime, _: Translate,
                  language: str = "zh_CN") -> SlipDocument:
    """`_` translates the slip's own words; `language` picks the back office's names."""
    blocks: list[Block] = [
        Field(_("Case number"), case.number),
        Field(_("Item"), case.item_name_in(language)),
        Field(_("Applicant"), case.applicant_masked),
        Field(_("Status"), _(case.status.label)),
        Field(_("Department"), case.department_in(language)),
        Field(_("Received at"), case.received_at.strftime("%Y-%m-%d %H:%M")),
    ]
    if case.promised_date:
        blocks.append(Field(_("Promised by"), case.promised_date.isoformat()))
    elif not case.status.is_closed:
        blocks.append(Field(_("Promised by"), _(DATE_TO_BE_CONFIRMED)))
    blocks += _post(case, _)
    blocks += [Rule(), Heading(_("Progress"))]
    for entry in case.timeline:
        blocks.append(Line(f"{entry.at:%m-%d %H:%M} {_(entry.status.label)}"))
        blocks.append(Line(f"  {entry.department_in(language)}"))
        if entry.note_in(language):
            blocks.append(Line(f"  {entry.note_in(language)}"))
    blocks += [
        Rule(),
        QrCode(case.tracking_token or case.number),
        Line(_("Scan at any kiosk to check progress"), align="center"),
        Line(_("Hotline {hotline}").format(hotline=HOTLINE), align="center"),
        Line(_(ISSUING_OFFICE), align="center"),
        Line(f"{_('Terminal')} {terminal_id}  {now:%Y-%m-%d %H:%M}", align="center"),
    ]
    return SlipDocument(title=_("Case progress slip"), blocks=tuple(blocks), printed_at=now)


def _post(case: CaseDetail, _: Translate) -> list[Block]:
    """A result by post: where to (masked), then the waybill and each tracking step."""
    blocks: list[Block] = []
    if case.delivery_method == "post" and case.delivery_address_masked:
        blocks.append(Field(_("Post to"), case.delivery_address_masked))
    shipment = case.shipment
    if shipment is not None:
        blocks.append(Field(_("Waybill"), f"{shipment.courier.upper()} {shipment.waybill}".strip()))
        blocks.append(Field(_("Parcel"), _(shipment.label)))
        for step in shipment.steps:
            blocks.append(Line(f"  {step.at:%m-%d %H:%M} {_(step.label)} {step.place}".rstrip()))
    return blocks
