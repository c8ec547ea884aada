"""A case's page: its facts, form answers, materials, what they point to, the texts sent, the
timeline, and the forms to decide and to record what was brought."""
from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.cases import STATUS_LABELS, CaseStatus
from domain.county import CST, to_cst
from domain.ids import mask_id, mask_phone

from .. import audit, notices
from ..auth import Caller, get_db
from ..calendar import load_calendar
from ..cases import light_of
from ..db import read_phase
from ..models import Case, Item, Licence
from . import applicant, evidence, i18n, pages, post
from .access import CASE_ROLES, open_case
from .decisions import CORRECTION_DAYS, actions_for
from .supplement import to_supply

router = APIRouter(prefix="/console", include_in_schema=False)
FORM_LABELS = {"original": i18n.N_("original"), "copy": i18n.N_("copy"), "electronic": i18n.N_("electronic")}


def _answers(session: Session, vault, case: Case, language: str) -> list[dict]:
    answers = json.loads(vault.decrypt(case.answers_enc, "answers")) if case.answers_enc else {}
    fields: dict[str, dict] = {}
    for code in [case.item_code] + [p.item_code for p in case.parts]:
        item = session.get(Item, code) if code else None
        for field in (item.form if item else []) or []:
            fields.setdefault(field["code"], field)
    shown = []
    for code, value in answers.items():
        field = fields.get(code, {})
        label = (field.get("label_en") if language == "en" else "") or field.get("label") or code
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        if field.get("values"):
            keys = {str(v.get("key")): v for v in field["values"]}
            picked = [keys.get(str(v), {}) for v in (value if isinstance(value, list) else [value])]
            text = "、".join(_choice_label(p, language) for p in picked) or text
        if field.get("datatype") == "datetime" and isinstance(value, str):
            text = _local_time(value)
        # Identity and phone numbers stay masked here, as the applicant is.
        if field.get("format") == "id_number":
            text = mask_id(text)
        elif field.get("format") == "phone":
            text = mask_phone(text)
        shown.append({"label": label, "value": text})
    return shown


def _local_time(value: str) -> str:
    """An ISO 8601 answer as the county's local time, as staff read times everywhere else."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return (moment.astimezone(CST) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def _choice_label(choice: dict, language: str) -> str:
    """A choice as the applicant saw it on the kiosk (the catalogue's name), not its key."""
    return (choice.get("name_en") if language == "en" else "") or choice.get("name") or str(choice.get("key", ""))


@router.get("/cases/{number}")
def case_page(number: str, request: Request, session: Session = Depends(get_db)):
    who, case = open_case(request, session, number)
    return case_page_response(request, session, who, case)


def case_page_response(request: Request, session: Session, who: Caller, case: Case,
                       revealed: dict | None = None) -> HTMLResponse:
    """The case page; with `revealed`, the applicant in full (applicant.py), this once."""
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    vault = request.app.state.vault
    with read_phase(session):
        calendar, today = load_calendar(session), dt.datetime.now(CST).date()
        light = light_of(case, calendar, today)
        answers = _answers(session, vault, case, language)
    materials = [{"index": i, "code": m.material_code, "name": m.name, "form": _(FORM_LABELS.get(m.form, m.form)),
                  "copies": m.copies, "licence_id": m.licence_id, "deferred": m.deferred,
                  "deferred_due": m.deferred_due.isoformat() if m.deferred_due else "",
                  "supplied": m.supplied_at is not None, "has_content": m.content_enc is not None,
                  "supplied_on": to_cst(m.supplied_at).strftime("%Y-%m-%d") if m.supplied_at else ""}
                 for i, m in enumerate(case.materials, start=1)]
    timeline = [{"at": to_cst(e.at).strftime("%Y-%m-%d %H:%M"), "status": _(STATUS_LABELS[CaseStatus(e.status)]),
                 "department": e.department, "note": (e.note_en if language == "en" and e.note_en else e.note),
                 "actor": e.actor} for e in case.events]
    licences = [{"identifier": lic.identifier, "name": lic.name, "issued_at": to_cst(lic.issued_at).strftime(
        "%Y-%m-%d"), "status": lic.status} for lic in session.scalars(
        select(Licence).where(Licence.case_id == case.id).order_by(Licence.id))]
    audit.record(session, who.actor, "case.view", case.number, via="console")
    session.commit()
    return pages.render(request, "case.html", {
        "case": case, "status": _(STATUS_LABELS[CaseStatus(case.status)]), "light": light or "",
        "light_label": _(pages.LIGHT_LABELS[light]) if light else "", "answers": answers, "materials": materials,
        "timeline": timeline, "correction": case.correction or {},
        "received_at": to_cst(case.received_at).strftime("%Y-%m-%d %H:%M"),
        "deferred": [m for m in materials if m["deferred"]], "actions": actions_for(case, who),
        "licences": licences, "may_print": who.role in ("clerk", "admin") and case.status == CaseStatus.COMPLETED.value,
        "correction_days": CORRECTION_DAYS, "to_supply": to_supply(case, who),
        "revealed": revealed, "may_reveal": applicant.may_reveal(who),
        "reveal_reasons": [(code, _(label)) for code, label in applicant.REASONS.items()],
        "notices": texts_of(session, case, _), "delivery": post.delivery_of(session, case, _),
        "e_licences": evidence.e_licences(session, case, language, request.app.state.settings.issuer_uscc),
        "shared": evidence.shared_materials(session, case, language)}, who, language)


# What each text told the applicant (notices.py), and where its sending stands.
NOTICE_LABELS = {"case_accepted": i18n.N_("Accepted, with the promised date"),
                 "case_refused": i18n.N_("Not accepted"), "case_correction": i18n.N_("Correction needed"),
                 "deferred_due_soon": i18n.N_("Deferred material due soon"),
                 "deferred_expired": i18n.N_("Ended: deferred material not supplied"),
                 "case_suspended": i18n.N_("Suspended"), "case_resumed": i18n.N_("Resumed"),
                 "case_approved": i18n.N_("Approved"), "case_denied": i18n.N_("Denied"),
                 "case_ready": i18n.N_("Ready to collect"), "case_shipped": i18n.N_("Sent by post, with the waybill"),
                 "rating_callback": i18n.N_("Call back after a rating")}
TEXT_STATES = {"queued": i18n.N_("waiting to be sent"), "sending": i18n.N_("being sent"), "sent": i18n.N_("sent"),
               "failed": i18n.N_("not sent"), "expired": i18n.N_("not sent")}
RECEIPT_STATES = {"delivered": i18n.N_("delivered"), "undelivered": i18n.N_("not delivered (carrier)")}


def texts_of(session: Session, case: Case, _) -> list[dict]:
    with read_phase(session):
        sent = notices.sent_for(session, case)
    return [{"what": _(NOTICE_LABELS.get(n.template, n.template)), "phone": n.phone_masked,
             "state": _(RECEIPT_STATES[n.receipt] if n.receipt in RECEIPT_STATES
                        else TEXT_STATES.get(n.status, n.status)),
             "sent": n.status == "sent" and n.receipt != "undelivered",
             "at": to_cst(n.delivered_at or n.sent_at or n.created_at).strftime("%Y-%m-%d %H:%M")} for n in sent]


@router.get("/go")
def go_to_case(request: Request, number: str = "", session: Session = Depends(get_db)):
    pages.who_may(request, session, CASE_ROLES)
    return RedirectResponse(f"/console/cases/{quote(number.strip()[:32], safe='')}", status_code=303,
                            headers=pages.headers())
