"""How cases and documents look on the wire (JSON; times in China Standard Time).

Names are Chinese, with the catalogue's English beside them in `*_en` fields ("" when
there is none) for the kiosk's English screens; a note's English is "" when staff wrote
only Chinese."""
from __future__ import annotations

import datetime as dt

from domain.cases import CaseStatus
from domain.county import to_cst

from . import shipping
from .cases import light_of
from .english_names import EnglishNames
from .models import Case

ISSUING_OFFICE, ISSUING_OFFICE_EN = "澄迈县政务服务中心", "Chengmai County Government Affairs Service Center"


def case_summary(case: Case, calendar, today: dt.date, names: EnglishNames) -> dict:
    return {
        "number": case.number,
        "item_code": case.item_code or "",
        "bundle_code": case.bundle_code or "",
        "item_name": case.item_name,
        "item_name_en": names.item(case),
        "status": case.status,
        "decision": case.decision,
        "department": case.department_name,
        "department_en": names.department(case.department_name),
        "department_code": case.department_code,
        "received_at": to_cst(case.received_at).isoformat(),
        "promised_date": case.promised_date.isoformat() if case.promised_date else None,
        "promised_date_pending": case.promised_date_pending,
        "light": light_of(case, calendar, today),
        "sms_notices": case.sms_notices,
    }


def case_detail(case: Case, calendar, today: dt.date, names: EnglishNames, licences=(), notices=(),
                shipment=None) -> dict:
    body = case_summary(case, calendar, today, names)
    body.update({
        "applicant_masked": case.applicant_masked,
        "applicant_id_masked": case.applicant_id_masked,
        "phone_masked": case.phone_masked,
        "channel": case.channel,
        "presence_evidence": case.presence_evidence,
        # A kiosk's card or chip read the back office did not verify: the clerk checks the
        # applicant in person.
        "applicant_unverified": case.presence_evidence == "card_read",
        "promised_days": case.promised_days,
        "paused_working_days": case.paused_working_days,
        "deferred_pending": case.deferred_pending,
        "deferred_due": case.deferred_due.isoformat() if case.deferred_due else None,
        "correction": case.correction,
        "parts": [{"item_code": p.item_code, "item_name": p.item_name, "item_name_en": names.part(p.item_code),
                   "department_code": p.department_code, "status": p.status} for p in case.parts],
        "materials": [{"code": m.material_code, "name": m.name, "name_en": names.material(case, m.material_code),
                       "form": m.form, "copies": m.copies,
                       "licence_id": m.licence_id, "deferred": m.deferred,
                       "supplied": m.supplied_at is not None, "has_content": m.content_enc is not None}
                      for m in case.materials],
        "timeline": [{"at": to_cst(e.at).isoformat(), "status": e.status, "action": e.action,
                      "department": e.department, "department_en": names.department(e.department),
                      "note": e.note, "note_en": e.note_en} for e in case.events],
        "next_step": next_step(case, names),
        "licences": [{"identifier": l.identifier, "name": l.name, "name_en": names.licence(l), "status": l.status}
                     for l in licences],
        "tracking_token": case.tracking_token,
        "notices": [{"event": n.event, "template": n.template, "phone_masked": n.phone_masked, "status": n.status,
                     "queued_at": to_cst(n.created_at).isoformat(),
                     "sent_at": to_cst(n.sent_at).isoformat() if n.sent_at else None, "receipt": n.receipt,
                     "delivered_at": to_cst(n.delivered_at).isoformat() if n.delivered_at else None}
                    for n in notices],
        "delivery": case.delivery,
        "shipment": shipping.shown(shipment),
    })
    return body


def next_step(case: Case, names: EnglishNames) -> dict | None:
    """What the applicant must do now, if anything (shown on the kiosk's progress screen).
    Deficiencies carry `material_en` and `problem_en` when the clerk gave them."""
    status = CaseStatus(case.status)
    if status == CaseStatus.CORRECTION_REQUIRED and case.correction:
        return {"action": "correct", "due": case.correction.get("due"),
                "items": case.correction.get("deficiencies", [])}
    if case.deferred_pending:
        return {"action": "supply_deferred", "due": case.deferred_due.isoformat() if case.deferred_due else None,
                "items": [{"material": m.material_code, "name": m.name,
                           "name_en": names.material(case, m.material_code)}
                          for m in case.materials if m.deferred and m.supplied_at is None]}
    if status == CaseStatus.COMPLETED:
        return {"action": "collect", "due": None, "items": []}
    return None


def receipt(case: Case, terminal_id: str, names: EnglishNames) -> dict:
    """The 收件凭证, shaped like domain.receipts.ApplicationReceipt."""
    return {
        "case_number": case.number,
        "received_at": to_cst(case.received_at).isoformat(),
        "terminal_id": terminal_id or case.terminal_id,
        "item_name": case.item_name,
        "item_name_en": names.item(case),
        "item_code": case.item_code or case.bundle_code or "",
        "applicant_masked": case.applicant_masked,
        "materials": [{"name": m.name, "name_en": names.material(case, m.material_code), "form": m.form,
                       "copies": m.copies, "licence_id": m.licence_id}
                      for m in case.materials if not m.deferred],
        "deferred": [{"name": m.name, "name_en": names.material(case, m.material_code),
                      "due": case.deferred_due.isoformat() if case.deferred_due else None}
                     for m in case.materials if m.deferred],
        "commitment_signed": case.commitment_signed,
        "delivery_method": (case.delivery or {}).get("method", ""),
        "delivery_address_masked": (case.delivery or {}).get("address_masked", ""),
        "promised_days": case.promised_days,
        "promised_date": case.promised_date.isoformat() if case.promised_date else None,
        "tracking_token": case.tracking_token,
        "hotline": "12345",
        "issuing_office": ISSUING_OFFICE,
        "issuing_office_en": ISSUING_OFFICE_EN,
    }
