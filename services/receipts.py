"""Lays out the printed slips other than the progress slip, from domain models, in the
kiosk's current language: the 收件凭证 application receipt, the 一次性告知 / 补正
correction notice and the queue ticket. Each is a SlipDocument, so the receipt printer and
the PNG preview show the same blocks. Free text is redacted before it reaches paper.

`_` translates the slips' own words; `language` picks between the Chinese and English
names the back office sent (the Chinese when it sent no English)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from domain.county import CST
from domain.i18n import N_, in_language
from domain.receipts import (
    DATE_TO_BE_CONFIRMED,
    DELIVERY_METHODS,
    ApplicationReceipt,
    CorrectionNotice,
    MaterialForm,
    QueueTicket,
)
from domain.slips import Field, Heading, Line, QrCode, Rule, SlipDocument

from .redact import redact

Translate = Callable[[str], str]
DATES_FOLLOW = N_("Dates to be confirmed appear when you check progress with this receipt")
FORMS = {
    MaterialForm.ORIGINAL: N_("Original"),
    MaterialForm.COPY: N_("Copy"),
    MaterialForm.ELECTRONIC: N_("Electronic"),
}


def application_receipt(r: ApplicationReceipt, now: dt.datetime, _: Translate,
                        language: str = "zh_CN") -> SlipDocument:
    blocks: list = [
        Line(_("Administrative approval service application"), align="center"),
        Rule(),
        Field(_("Case number"), r.case_number),
        Field(_("Received at"), _time(r.received_at)),
        Field(_("Terminal"), r.terminal_id),
        Field(_("Item"), r.item_name_in(language)),
        Field(_("Item code"), r.item_code),
        Field(_("Applicant"), redact(r.applicant_masked)),
        Rule(),
        Heading(_("Materials received")),
    ]
    for i, m in enumerate(r.materials, 1):
        blocks.append(Line(f"{i}. {redact(m.name_in(language))}"))
        # two message ids rather than ngettext: Chinese has one form, English two
        copies = _("{form}, 1 copy") if m.copies == 1 else _("{form}, {copies} copies")
        detail = copies.format(form=_(FORMS[m.form]), copies=m.copies)
        blocks.append(Line(f"   {detail}"))
        if m.licence_id:
            blocks.append(Line(f"   {_('E-licence')} {m.licence_id}"))
    if not r.materials:
        blocks.append(Line(_("None")))
    if r.deferred:
        blocks.append(Heading(_("Deferred materials (accepted with a material missing)")))
        for d in r.deferred:
            blocks.append(Line(f"- {redact(d.name_in(language))}"))
            blocks.append(Line("  " + (_("Supply by {date}").format(date=d.due.isoformat()) if d.due
                                       else _("Supply by: to be confirmed"))))
        blocks.append(Line(_("Credit commitment signed") if r.commitment_signed
                           else _("Credit commitment not signed")))
    blocks += [Rule()]
    blocks += _delivery(r, _)
    if r.promised_days:
        blocks.append(Field(_("Promised time limit"),
                            _("{days} working days").format(days=r.promised_days)))
    if r.promised_date:
        blocks.append(Field(_("Promised by"), r.promised_date.isoformat()))
    elif r.promised_days:
        blocks.append(Field(_("Promised by"), _(DATE_TO_BE_CONFIRMED)))
    if (r.promised_days and not r.promised_date) or any(m.due is None for m in r.deferred):
        blocks.append(Line(_(DATES_FOLLOW)))
    blocks += _tracking(r.tracking_token or r.case_number, r.hotline, r.issuing_office_in(language),
                        r.terminal_id, now, _)
    return SlipDocument(title=_("Application receipt"), blocks=tuple(blocks), printed_at=now)


def _delivery(r: ApplicationReceipt, _: Translate) -> list:
    """How the result will come; for post, the address as masked by the back office."""
    if r.delivery_method not in DELIVERY_METHODS:
        return []
    blocks: list = [Field(_("Result"), _(DELIVERY_METHODS[r.delivery_method]))]
    if r.delivery_method == "post" and r.delivery_address_masked:
        blocks.append(Field(_("Post to"), redact(r.delivery_address_masked)))
    return blocks


def promised_lines(r: ApplicationReceipt, _: Translate, language: str = "zh_CN") -> list[str]:
    """The receipt's dates as the result screen shows and speech reads them; a date the
    calendar cannot give yet is said to be confirmed, never guessed."""
    date = r.promised_date.isoformat() if r.promised_date else _(DATE_TO_BE_CONFIRMED)
    lines = [_("Promised by: {date}").format(date=date)] if r.promised_date or r.promised_days else []
    if r.promised_days:
        lines.append(_("{days} working days").format(days=r.promised_days))
    for m in r.deferred:
        lines.append(_("Supply {name} by {date}").format(name=m.name_in(language), date=m.due.isoformat()) if m.due
                     else _("Supply {name}: date to be confirmed").format(name=m.name_in(language)))
    return lines


def queued_application_slip(reference: str, item_name: str, applicant_masked: str, materials: int,
                            kept_at: dt.datetime, terminal_id: str, now: dt.datetime, _: Translate) -> SlipDocument:
    """The slip for an application kept while the county could not be reached: a
    provisional reference, not a case number, and what happens next. No QR code: only the
    back office signs tracking codes, and it has not seen the application yet."""
    blocks: list = [
        Line(_("Kept at this kiosk, not yet received by the county"), align="center"),
        Rule(),
        Field(_("Reference"), reference),
        Field(_("Kept at"), _time(kept_at)),
        Field(_("Terminal"), terminal_id),
        Field(_("Item"), item_name),
        Field(_("Applicant"), redact(applicant_masked)),
        Field(_("Pages and materials"), str(materials)),
        Rule(),
        Line(_("This kiosk sends your application by itself as soon as the county's network is back.")),
        Line(_("The case number and the time limit start when the county receives it.")),
        Line(_("Check progress with your ID card at any kiosk: the case number appears there. "
               "Or call 12345 with the reference.")),
        Rule(),
        Line(f"{_('Terminal')} {terminal_id}  {_time(now)}", align="center"),
    ]
    return SlipDocument(title=_("Application kept"), blocks=tuple(blocks), printed_at=now)


def correction_notice_slip(n: CorrectionNotice, terminal_id: str, now: dt.datetime,
                           _: Translate, language: str = "zh_CN") -> SlipDocument:
    blocks: list = [
        Line(_("Everything missing is listed here at once"), align="center"),
        Rule(),
        Field(_("Case number"), n.case_number),
        Field(_("Item"), in_language(n.item_name, n.item_name_en, language)),
        Field(_("Applicant"), redact(n.applicant_masked)),
        Field(_("Department"), in_language(n.department, n.department_en, language)),
        Field(_("Issued at"), _time(n.issued_at)),
        Rule(),
        Heading(_("Please supply or correct")),
    ]
    for i, d in enumerate(n.deficiencies, 1):
        blocks.append(Line(f"{i}. {redact(d.material)}"))
        blocks.append(Line(f"   {redact(d.problem)}"))
    blocks.append(Rule())
    if n.due:
        blocks.append(Field(_("Supply by"), n.due.isoformat()))
    blocks.append(Line(_("The time limit is paused until the corrections are received")))
    office = in_language(n.issuing_office, n.issuing_office_en, language)
    blocks += _tracking(n.case_number, n.hotline, office, terminal_id, now, _)
    return SlipDocument(title=_("Correction notice"), blocks=tuple(blocks), printed_at=now)


def queue_ticket_slip(t: QueueTicket, terminal_id: str, now: dt.datetime, _: Translate,
                      language: str = "zh_CN") -> SlipDocument:
    # The number goes in the title: it is the one thing printed at double size.
    blocks: list = [Field(_("Window"), t.window_in(language))]
    if t.item_name:
        blocks.append(Field(_("Item"), t.item_name_in(language)))
    if t.appointment_slot:
        blocks.append(Field(_("Appointment"), t.appointment_slot))
    blocks.append(Line(_("{count} people ahead of you").format(count=t.waiting_ahead)))
    blocks += [Line(redact(note)) for note in t.notes]
    blocks += [
        Rule(),
        Line(_("Please wait for your number to be called"), align="center"),
        Line(f"{_('Terminal')} {terminal_id}  {_time(t.issued_at)}", align="center"),
    ]
    title = f"{_('Queue ticket')} {t.ticket_number}"
    return SlipDocument(title=title, blocks=tuple(blocks), printed_at=now)


def _tracking(payload: str, hotline: str, office: str, terminal_id: str, now: dt.datetime,
              _: Translate) -> list:
    return [
        QrCode(payload),
        Line(_("Scan at any kiosk to check progress"), align="center"),
        Line(_("Hotline {hotline}").format(hotline=hotline), align="center"),
        Line(office, align="center"),
        Line(f"{_('Terminal')} {terminal_id}  {_time(now)}", align="center"),
    ]


def _time(at: dt.datetime) -> str:
    """China Standard Time, said so: a receipt is evidence of when something was received."""
    if at.tzinfo is not None:
        at = at.astimezone(CST)
    return f"{at:%Y-%m-%d %H:%M} (UTC+8)"
