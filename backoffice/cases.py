"""Case lifecycle: submission, staff actions through the state machine, deadlines with
the clock paused during correction and suspension, bundles reviewed in parallel."""
from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.cases import CLOSED_STATUSES, CaseStatus
from domain.county import to_cst, today_cst
from domain.ids import (
    InvalidResidentId,
    is_mobile_number,
    is_valid_credit_code,
    is_valid_licence_id,
    mask_id,
    mask_name,
    mask_phone,
    parse_resident_id,
)
from domain.lifecycle import CLOCK_RUNS, Action, IllegalTransition, next_status
from domain.workdays import CalendarUnknown, WorkCalendar, deadline_light

from . import audit, notices, shipping
from .addresses import check_postal_address
from .auth import Caller
from .case_insert import insert_case, new_row
from .catalogue_cache import WITH_MATERIALS
from .courier import CourierUnavailable
from .driver_statement import DriverStatement
from .errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from .licences import issue_licences_for
from .models import Bundle, Case, CaseCounter, CaseEvent, CaseMaterial, CasePart, Department, Item, Licence, utcnow

FRONT_DESK = ("FRONT", "澄迈县政务服务中心综合受理窗口")
FRONT_DESK_EN = "Chengmai County Government Affairs Service Center, general intake window"
DEFERRED_SUPPLY_DAYS = 10  # working days to supply a 容缺 material
CORRECTION_DAYS = 5  # default working days to answer a correction notice
MAX_MATERIAL_BYTES = 5 * 1024 * 1024

ACTION_ROLES: dict[Action, tuple[str, ...]] = {
    Action.ACCEPT: ("clerk",),
    Action.REFUSE: ("clerk",),
    Action.REQUEST_CORRECTION: ("clerk",),
    Action.SUPPLEMENT: ("clerk", "terminal"),
    Action.ROUTE: ("clerk",),
    Action.SUSPEND: ("approver",),
    Action.RESUME: ("approver",),
    Action.APPROVE: ("approver",),
    Action.DENY: ("approver",),
    Action.COMPLETE: ("clerk", "approver"),
    Action.DELIVER: ("clerk", "terminal"),
    Action.WITHDRAW: ("clerk", "terminal"),
    Action.TERMINATE: ("supervisor",),
}
DEPARTMENT_BOUND = (Action.SUSPEND, Action.RESUME, Action.APPROVE, Action.DENY)
# Where a case waits for the comprehensive window (综合受理): to be accepted, corrected,
# routed, or its result handed out. A clerk opens a case only then.
FRONT_DESK_STAGES = (CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUIRED, CaseStatus.ACCEPTED,
                     CaseStatus.COMPLETED)
PAUSED = (CaseStatus.CORRECTION_REQUIRED, CaseStatus.SUSPENDED)
LIGHT_STATES = (CaseStatus.RECEIVED,) + tuple(CLOCK_RUNS)


class Context:
    """What the lifecycle needs besides the session. `calendar` may be given as a loader,
    called once on first use (requests load it inside the route's transaction)."""

    def __init__(self, settings: Any, vault: Any, signer: Any,
                 calendar: WorkCalendar | Callable[[], WorkCalendar],
                 today: Callable[[], dt.date] = today_cst, sms: Any = None, carrier_check: Any = None,
                 courier: Any = None, real_person: Any = None, catalogue: Callable[[], Any] | None = None):
        self.settings, self.vault, self.signer = settings, vault, signer
        # () -> catalogue_cache.CatalogueVersionView, the server's kept view; None reads each time.
        self.catalogue = catalogue
        self.sms, self.carrier_check = sms, carrier_check  # sms/gateway.py, carrier_check.py
        self.courier = courier  # courier.py: results by post
        self.real_person = real_person  # face/realperson.py
        self._calendar = calendar
        self.today = today  # the county's date; tests move it

    @property
    def calendar(self) -> WorkCalendar:
        if not isinstance(self._calendar, WorkCalendar):
            self._calendar = self._calendar()
        return self._calendar


@dataclass(frozen=True)
class Note:
    """A timeline note: Chinese, the county's working language, and English when known
    (the kiosk shows the Chinese on English screens when `en` is empty)."""

    zh: str = ""
    en: str = ""

    def or_else(self, zh: str, en: str) -> "Note":
        """The staff's own note if they wrote one, else the back office's words."""
        return self if self.zh else Note(zh, en)


# --- submission ------------------------------------------------------------------------------
def request_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class CheckedSubmission:
    case: Case  # built, not yet numbered or saved
    materials: int
    deferred: int
    items: list[Item] = dataclasses.field(default_factory=list)  # the catalogue's, as checked against
    bundle: Bundle | None = None
    catalogue: Any = None  # the catalogue_cache view they came from, when the server keeps one


def submit(session: Session, ctx: Context, payload: dict, caller: Caller) -> Case:
    """Checks and records in one call (the seed, tests): the case as loaded back, attached
    to the session for the actions that follow."""
    checked = check_submission(session, ctx, payload, caller)
    recorded = record_submission(session, ctx, checked, caller)
    case = session.get(Case, recorded.id)
    assert case is not None
    return case


def check_submission(session: Session, ctx: Context, payload: dict, caller: Caller) -> CheckedSubmission:
    """Every check, and the case built. Only reads the database (catalogue, e-licences,
    calendar), so it can run before the write (db.read_phase)."""
    catalogue = ctx.catalogue() if ctx.catalogue is not None else None
    items, bundle = _resolve_items(session, payload, catalogue)
    if caller.kind == "terminal" and not all(i.kiosk for i in items):
        raise Invalid("this item cannot be submitted at a self-service terminal",
                      where_instead=next(i.where_instead for i in items if not i.kiosk))
    applicant = payload.get("applicant") or {}
    kind, number, name = _check_applicant(applicant, items)
    phone = str(payload.get("contact_phone", "")).strip()
    problems: list[dict] = []
    if not is_mobile_number(phone):
        problems.append({"field": "contact_phone", "problem": "an 11-digit mobile number is required"})
    answers = payload.get("answers") or {}
    for item in items:
        problems += _check_answers(item, answers)
    delivery, address = _check_delivery(items, payload, answers, problems)
    materials, deferred_codes = _check_materials(session, ctx, items, payload, number, problems)
    if deferred_codes and not payload.get("commitment_signed"):
        problems.append({"field": "commitment_signed",
                         "problem": "deferred (容缺) materials need the signed credit commitment"})
    if problems:
        # 一次性告知: everything wrong is said at once.
        raise Invalid("the application is incomplete", problems=problems)

    today = ctx.today()
    received = utcnow()
    promised_days = max(i.promised_days for i in items)
    case = new_row(
        Case,
        item_code=None if bundle else items[0].code,
        bundle_code=bundle.code if bundle else None,
        item_name=bundle.name if bundle else items[0].name,
        status=CaseStatus.RECEIVED.value,
        department_code=FRONT_DESK[0],
        department_name=FRONT_DESK[1],
        channel="kiosk" if caller.kind == "terminal" else str(payload.get("channel", "window")),
        terminal_id=caller.name if caller.kind == "terminal" else "",
        applicant_kind=kind,
        applicant_lookup=ctx.vault.lookup(number),
        applicant_id_enc=ctx.vault.encrypt(number, "applicant-id"),
        applicant_name_enc=ctx.vault.encrypt(name, "applicant-name"),
        applicant_masked=mask_name(name),
        applicant_id_masked=mask_id(number),
        phone_enc=ctx.vault.encrypt(phone, "phone"),
        phone_masked=mask_phone(phone),
        sms_notices=bool(payload.get("sms_notices")),
        notice_language="en" if payload.get("notice_language") == "en" else "zh_CN",
        answers_enc=ctx.vault.encrypt(json.dumps(answers, ensure_ascii=False), "answers"),
        delivery=delivery,
        delivery_enc=ctx.vault.encrypt(json.dumps(address.private(), ensure_ascii=False), "delivery-address")
        if address else "",
        received_at=received,
        promised_days=promised_days,
        commitment_signed=bool(payload.get("commitment_signed")),
        paused_working_days=0,
        deferred_pending=False,
        decision="",
        overdue=False,
        materials=list(materials),
        # Given even when empty, so the answer built from the case needs no lazy load.
        parts=[new_row(CasePart, item_code=item.code, item_name=item.name, department_code=item.department_code)
               for item in items] if bundle else [],
        events=[],
    )
    if deferred_codes:
        case.deferred_pending = True
        case.deferred_due = _add_days_or_none(ctx.calendar, today, DEFERRED_SUPPLY_DAYS)
    _recompute_deadline(case, ctx.calendar)
    _add_event(case, "submit", case.status, _submission_note(caller, items, [m for m in materials if m.deferred]),
               caller)
    return CheckedSubmission(case, len(materials), len(deferred_codes), items, bundle, catalogue)


DELIVERY_METHODS = ("window", "post", "kiosk", "electronic")  # the catalogue's `delivery` choices


def _check_delivery(items: list[Item], payload: dict, answers: dict,
                    problems: list[dict]) -> tuple[dict | None, Any]:
    """How the result is to reach the applicant: the body's `delivery`, else the form's
    answer; a result by post needs an address in Chengmai County. Returns what may be shown
    and the address to encrypt (None unless by post)."""
    given = payload.get("delivery") or {}
    answered = answers.get("delivery")
    method = str(given.get("method") or answered or "")
    if not method:
        return None, None
    if method not in DELIVERY_METHODS:
        problems.append({"field": "delivery.method", "problem": "one of " + ", ".join(DELIVERY_METHODS)})
        return None, None
    if answered and given.get("method") and answered != method:
        problems.append({"field": "delivery.method", "problem": "differs from the form's answer to 'delivery'"})
    if method != "post":
        return {"method": method}, None
    offered = any(f.get("code") == "delivery" and any(v.get("key") == "post" for v in f.get("values", []))
                  for item in items for f in item.form or [])
    if not offered:
        problems.append({"field": "delivery.method", "problem": "this item's result is not sent by post"})
        return None, None
    if not given:
        problems.append({"field": "delivery", "problem": "a result by post needs the address in 'delivery'"})
        return None, None
    address = check_postal_address(given, problems)
    return (address.shown(), address) if address else (None, None)


def _submission_note(caller: Caller, items: list[Item], deferred: list[CaseMaterial]) -> Note:
    at_kiosk = caller.kind == "terminal"
    zh = "自助终端收件" if at_kiosk else "窗口收件"
    en = "Received at a self-service kiosk" if at_kiosk else "Received at the window"
    if deferred:
        english = {spec.name: spec.name_en for item in items for spec in item.materials}
        zh += "，容缺：" + "、".join(m.name for m in deferred)
        en += "; to be supplied later: " + ", ".join(english.get(m.name) or m.name for m in deferred)
    return Note(zh, en)


def record_submission(session: Session, ctx: Context, checked: CheckedSubmission, caller: Caller) -> Case:
    """Numbers, saves and audits a checked case. The day's counter row and the audit
    chain's head stay locked until commit (PostgreSQL; on SQLite the whole transaction
    holds the write lock), and every submission takes both, so they are taken only now,
    when all that is left is to write."""
    case = checked.case
    number, head = _next_case_number(session, ctx.settings.division_code, ctx.today())
    case.number = number
    # Before the INSERT: no second UPDATE.
    case.tracking_token = ctx.signer.issue("case", case.number, ttl_s=ctx.settings.tracking_token_days * 86400)
    entry = audit.sealed(session, head if head is not None else audit.lock_head(session), caller.actor,
                         "case.submit", case.number, item=case.item_code or case.bundle_code,
                         materials=checked.materials, deferred=checked.deferred)
    insert_case(session, case, entry)
    return case


def _resolve_items(session: Session, payload: dict, catalogue: Any = None) -> tuple[list[Item], Bundle | None]:
    def item_of(code: str) -> Item | None:
        return catalogue.item(session, code) if catalogue is not None else \
            session.get(Item, code, options=WITH_MATERIALS)

    if payload.get("bundle_code"):
        bundle = session.get(Bundle, payload["bundle_code"])
        if bundle is None:
            raise NotFound(f"no bundle {payload['bundle_code']}")
        if bundle.retired_at is not None:  # a kiosk's copy older than the last catalogue load
            raise NotFound(f"bundle {bundle.code} is no longer offered")
        items = [item_of(code) for code in bundle.item_codes]
        return [i for i in items if i is not None and i.retired_at is None], bundle
    item = item_of(str(payload.get("item_code", "")))
    if item is None:
        raise NotFound(f"no catalogue item {payload.get('item_code')}")
    if item.retired_at is not None:
        raise NotFound(f"item {item.code} is no longer offered")
    return [item], None


def _check_applicant(applicant: dict, items: list[Item]) -> tuple[str, str, str]:
    kind = applicant.get("kind", "person")
    number = str(applicant.get("document_number", "")).strip().upper()
    name = str(applicant.get("name", "")).strip()
    document = applicant.get("document_kind", "resident_id")
    if kind not in ("person", "company"):
        raise Invalid("applicant kind must be person or company")
    if not name:
        raise Invalid("applicant name is required")
    if kind == "company":
        if not is_valid_credit_code(number):
            raise Invalid("the unified social credit code is not valid")
    elif document == "resident_id":
        try:
            parse_resident_id(number)
        except InvalidResidentId as exc:
            raise Invalid(f"the ID number is not valid: {exc}") from None
    elif not (5 <= len(number) <= 20 and number.isalnum()):
        raise Invalid("the document number is not valid")
    for item in items:
        if item.audience and kind not in item.audience:
            raise Invalid(f"{item.name} is not available to a {kind} applicant")
    return kind, number, name


def _check_answers(item: Item, answers: dict) -> list[dict]:
    problems = []
    for field in item.form or []:
        code = field["code"]
        value = answers.get(code)
        if value in (None, "", []):
            if field.get("required"):
                problems.append({"field": code, "problem": "required"})
            continue
        kind = field.get("datatype", "string")
        keys = {v["key"] for v in field.get("values", [])}
        ok = True
        if kind == "number":
            ok = isinstance(value, (int, float)) or (isinstance(value, str) and _is_number(value))
        elif kind == "singlevaluelist":
            ok = _is_choice(value) and value in keys
        elif kind == "multivaluelist":
            ok = isinstance(value, list) and all(_is_choice(v) for v in value) and set(value) <= keys
        elif kind == "datetime":
            ok = isinstance(value, str) and _is_iso(value)
        elif not isinstance(value, str):
            ok = False
        elif field.get("format") == "phone":
            ok = is_mobile_number(value)
        elif field.get("format") == "id_number":
            ok = _valid_id(value)
        elif field.get("format") == "credit_code":
            ok = is_valid_credit_code(value)
        if not ok:
            problems.append({"field": code, "problem": f"not a valid {kind}"})
    return problems


def _check_materials(session: Session, ctx: Context, items: list[Item], payload: dict,
                     applicant_number: str, problems: list[dict]) -> tuple[list[CaseMaterial], list[str]]:
    bundle = len(items) > 1
    given = {str(m.get("code")): m for m in payload.get("materials") or []}
    deferred = [str(c) for c in payload.get("deferred") or []]
    result: list[CaseMaterial] = []
    for item in items:
        for spec in item.materials:
            key = f"{item.code}/{spec.code}" if bundle else spec.code
            if key in deferred:
                if spec.necessity != "deferrable":
                    problems.append({"material": key, "problem": "this material cannot be deferred"})
                    continue
                result.append(new_row(CaseMaterial, material_code=key, name=spec.name, form="copy", copies=0,
                                      deferred=True))
                continue
            provided = given.pop(key, None)
            if provided is None:
                if spec.necessity in ("required", "deferrable") and spec.source != "data_sharing":
                    problems.append({"material": key, "name": spec.name, "problem": "missing"})
                continue
            material = _material_from(ctx, session, spec, key, provided, applicant_number, problems)
            if material is not None:
                result.append(material)
    for key in given:
        problems.append({"material": key, "problem": "not a material of this item"})
    return result, deferred


_licences = Licence.__table__
_LICENCE = DriverStatement(select(_licences.c.status, _licences.c.holder_lookup).where(
    _licences.c.identifier == bindparam("identifier")))


def _material_from(ctx, session, spec, key, provided, applicant_number, problems) -> CaseMaterial | None:
    form = str(provided.get("form", "copy"))
    if form not in ("original", "copy", "electronic"):
        problems.append({"material": key, "problem": f"unknown form {form}"})
        return None
    material = new_row(CaseMaterial, material_code=key, name=spec.name, form=form,
                       copies=int(provided.get("copies", spec.copies) or 1))
    licence_id = str(provided.get("licence_id", "")).strip()
    if licence_id:
        if not is_valid_licence_id(licence_id):
            problems.append({"material": key, "problem": "e-licence identifier is not valid"})
            return None
        known = _LICENCE.first(session, {"identifier": licence_id})
        if known is not None and (known.status != "valid" or known.holder_lookup != ctx.vault.lookup(applicant_number)):
            problems.append({"material": key, "problem": "e-licence is not valid for this applicant"})
            return None
        material.licence_id = licence_id
        material.form = "electronic"
    content = provided.get("content_b64")
    if content:
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            problems.append({"material": key, "problem": "content is not base64"})
            return None
        if len(data) > MAX_MATERIAL_BYTES:
            problems.append({"material": key, "problem": "content larger than 5 MB"})
            return None
        material.content_type = str(provided.get("content_type", "image/jpeg"))[:64]
        material.content_sha256 = hashlib.sha256(data).hexdigest()
        material.content_enc = ctx.vault.encrypt_bytes(data, "material")
    return material


_counters = CaseCounter.__table__  # a Core UPDATE, built once: no ORM bookkeeping on every submission
_NEXT_NUMBER_UPDATE = update(_counters).where(_counters.c.prefix == bindparam("day_prefix")) \
    .values(value=_counters.c.value + 1).returning(_counters.c.value)
_NEXT_NUMBER = DriverStatement(_NEXT_NUMBER_UPDATE)
_NEXT_NUMBER_AND_HEAD = DriverStatement(audit.locking_head(_NEXT_NUMBER_UPDATE))


def _next_case_number(session: Session, division: str, day: dt.date) -> tuple[str, str | None]:
    """The day's next number and, on PostgreSQL, the audit chain's head, locked by the
    same statement (None: not locked, audit.lock_head)."""
    prefix = day.strftime("%Y%m%d")
    locking = session.get_bind().dialect.name == "postgresql"
    for _ in range(3):
        row = (_NEXT_NUMBER_AND_HEAD if locking else _NEXT_NUMBER).first(session, {"day_prefix": prefix})
        if row is not None:
            return f"{division}-{prefix}-{row[0]:05d}", row[1] if locking else None
        try:
            with session.begin_nested():
                session.add(CaseCounter(prefix=prefix, value=0))
        except IntegrityError:
            pass
    raise Conflict("could not allocate a case number; retry")


# --- actions ---------------------------------------------------------------------------------
def apply_action(session: Session, ctx: Context, case: Case, action: Action, params: dict,
                 caller: Caller) -> Case:
    _check_role(case, action, params, caller)
    status = CaseStatus(case.status)
    try:
        new_status = next_status(status, action)
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    today = ctx.today()
    note = Note(str(params.get("note", "")).strip(), str(params.get("note_en", "")).strip())
    handler = _HANDLERS.get(action)
    if handler is not None:
        new_status, note = handler(session, ctx, case, params, caller, new_status, note, today)
    if new_status in PAUSED and status not in PAUSED:
        case.paused_on = today  # the promised-time clock stops (补正, 特别程序)
    elif status in PAUSED and new_status not in PAUSED and case.paused_on is not None:
        case.paused_working_days += _paused_days(ctx.calendar, case.paused_on, today)
        case.paused_on = None
    case.status = new_status.value
    _recompute_deadline(case, ctx.calendar)
    _add_event(case, action.value, new_status.value, note, caller)
    notices.after_action(session, ctx, case, action, status)
    audit.record(session, caller.actor, f"case.{action.value}", case.number, status=new_status.value)
    return case


def may_open(case: Case, caller: Caller) -> bool:
    """Whether a staff member may open a case with its materials (the console): supervisors
    and administrators any; a clerk one at the front desk's stages; an approver one of
    their department, a bundle's included when one of its parts is theirs."""
    if caller.kind != "staff":
        return False
    if caller.role in ("admin", "supervisor"):
        return True
    if caller.role == "clerk":
        return CaseStatus(case.status) in FRONT_DESK_STAGES
    if caller.role == "approver" and caller.department_code:
        return caller.department_code == case.department_code or any(
            p.department_code == caller.department_code for p in case.parts)
    return False


def _check_role(case: Case, action: Action, params: dict, caller: Caller) -> None:
    allowed = ACTION_ROLES[action]
    if caller.kind == "terminal":
        if "terminal" not in allowed:
            raise Forbidden(f"terminals may not {action.value}")
        return
    if caller.role != "admin" and caller.role not in allowed:
        raise Forbidden(f"role {caller.role} may not {action.value}")
    if action in DEPARTMENT_BOUND and caller.role == "approver":
        departments = ({p.department_code for p in case.parts if p.item_code == params.get("part")}
                       if case.parts else {case.department_code})
        if caller.department_code not in departments:
            raise Forbidden("approvers act only on cases of their own department")


def _on_refuse(session, ctx, case, params, caller, new_status, note, today):
    if not note.zh:
        raise Invalid("a refusal needs the reason in 'note'")
    return new_status, note


def _on_request_correction(session, ctx, case, params, caller, new_status, note, today):
    deficiencies = [_deficiency(d) for d in params.get("deficiencies") or [] if d.get("problem")]
    if not deficiencies:
        raise Invalid("list every deficiency at once in 'deficiencies'")
    due = _add_days_or_none(ctx.calendar, today, int(params.get("due_days", CORRECTION_DAYS)))
    case.correction = {"deficiencies": deficiencies, "due": due.isoformat() if due else None,
                       "issued_at": to_cst(utcnow()).isoformat()}
    summary = "；".join(f"{d['material']}：{d['problem']}" if d["material"] else d["problem"] for d in deficiencies)
    summary_en = "; ".join(f"{d['material_en']}: {d['problem_en']}" if d["material_en"] else d["problem_en"]
                           for d in deficiencies)
    return new_status, note.or_else(f"需补正：{summary}", f"Correction required: {summary_en}")


def _deficiency(given: dict) -> dict:
    """What is wrong, as the clerk wrote it; the English falls back to the Chinese."""
    material, problem = str(given.get("material", "")), str(given.get("problem", ""))
    return {"material": material, "problem": problem,
            "material_en": str(given.get("material_en") or material),
            "problem_en": str(given.get("problem_en") or problem)}


def _on_supplement(session, ctx, case, params, caller, new_status, note, today):
    supplied = {str(m.get("code")): m for m in params.get("materials") or []}
    if not supplied:
        raise Invalid("name the supplied materials in 'materials'")
    for material in case.materials:
        if material.material_code in supplied and material.deferred and material.supplied_at is None:
            provided = supplied.pop(material.material_code)
            material.supplied_at = utcnow()
            material.form = str(provided.get("form", "copy"))
            material.copies = int(provided.get("copies", 1))
            material.licence_id = str(provided.get("licence_id", ""))
    for code, provided in supplied.items():
        case.materials.append(CaseMaterial(material_code=code, name=str(provided.get("name", code)),
                                           form=str(provided.get("form", "copy")),
                                           copies=int(provided.get("copies", 1)), supplied_at=utcnow()))
    case.deferred_pending = any(m.deferred and m.supplied_at is None for m in case.materials)
    if not case.deferred_pending:
        case.deferred_due = None
    if CaseStatus(case.status) == CaseStatus.CORRECTION_REQUIRED:
        case.correction = None
    return new_status, note.or_else("补交材料", "Materials supplied")


def _on_route(session, ctx, case, params, caller, new_status, note, today):
    if case.parts:  # 并联审批: every department of the bundle reviews at once
        for part in case.parts:
            if part.status == "pending":
                part.status = "in_review"
        codes = dict.fromkeys(p.department_code for p in case.parts)  # each department once, in order
        departments = [d for d in (session.get(Department, c) for c in codes) if d]
        names = "、".join(d.name for d in departments)
        case.department_code = "PARALLEL"
        case.department_name = names[:100]
        return new_status, note.or_else(f"并联审批：{names}",
                                        "Parallel review: " + "; ".join(d.name_en for d in departments))
    code = str(params.get("department_code", "")) or (
        session.get(Item, case.item_code).department_code if case.item_code else "")
    department = session.get(Department, code)
    if department is None:
        raise Invalid(f"unknown department {code!r}")
    case.department_code = department.code
    case.department_name = department.name
    return new_status, note.or_else(f"转{department.name}审查", f"Sent to {department.name_en} for review")


def _on_decide(session, ctx, case, params, caller, new_status, note, today, approved: bool):
    verdict_zh, verdict_en = ("准予", "approved") if approved else ("不予", "denied")
    if not case.parts:
        case.decision = "approved" if approved else "denied"
        return new_status, note.or_else(verdict_zh, verdict_en.capitalize())
    part = next((p for p in case.parts if p.item_code == params.get("part")), None)
    if part is None:
        raise Invalid("name the bundle part (item code) being decided in 'part'")
    if part.status != "in_review":
        raise Conflict(f"part {part.item_code} is {part.status}")
    part.status = "approved" if approved else "denied"
    part.decided_at = utcnow()
    part.note = note.zh
    open_parts = [p for p in case.parts if p.status == "in_review"]
    item = session.get(Item, part.item_code)
    label = note.or_else(f"{part.item_name}：{verdict_zh}",
                         f"{item.name_en if item else part.item_name}: {verdict_en}")
    if open_parts:
        return CaseStatus.IN_REVIEW, label  # the bundle waits for the other departments
    outcomes = {p.status for p in case.parts}
    case.decision = "approved" if outcomes == {"approved"} else "denied" if outcomes == {"denied"} else "partial"
    return new_status, label


def _on_complete(session, ctx, case, params, caller, new_status, note, today):
    case.completed_at = utcnow()
    case.overdue = bool(case.promised_date and today > case.promised_date)
    issued = issue_licences_for(session, ctx, case)
    if issued:
        english = _licence_names_en(session, case)
        return new_status, note.or_else("办结，电子证照已生成：" + "、".join(l.name for l in issued),
                                        "Completed; e-licences issued: "
                                        + ", ".join(english.get(l.type_code) or l.name for l in issued))
    return new_status, note.or_else("办结", "Completed")


def _licence_names_en(session: Session, case: Case) -> dict[str, str]:
    """The English names of the e-licences this case's items issue, by licence type code."""
    codes = [p.item_code for p in case.parts] or [case.item_code]
    results = [(item.result or {}) for item in (session.get(Item, code) for code in codes) if item]
    return {r.get("licence_type_code", ""): r.get("name_en", "") for r in results}


def _on_deliver(session, ctx, case, params, caller, new_status, note, today):
    """A result by post is handed to the courier (shipping.py); the waybill goes on the
    timeline and into the applicant's text."""
    if not shipping.by_post(case):
        return new_status, note
    if caller.kind == "terminal":
        raise Conflict("this result is sent by post, not collected", code="result_by_post")
    if ctx.courier is None:
        raise Unavailable("no courier is configured", code="courier_unavailable")
    try:
        shipment = shipping.ship(session, ctx, case)
    except CourierUnavailable as exc:
        raise Unavailable(f"the courier could not take the result now: {exc}; try again",
                          code="courier_unavailable") from None
    return new_status, note.or_else(f"交EMS政务寄递，运单号{shipment.waybill}",
                                    f"Sent by EMS government mail, waybill {shipment.waybill}")


def _on_terminate(session, ctx, case, params, caller, new_status, note, today):
    if not note.zh:
        raise Invalid("a termination needs the reason in 'note'")
    return new_status, note


_HANDLERS = {
    Action.REFUSE: _on_refuse,
    Action.REQUEST_CORRECTION: _on_request_correction,
    Action.SUPPLEMENT: _on_supplement,
    Action.ROUTE: _on_route,
    Action.APPROVE: lambda *a: _on_decide(*a, approved=True),
    Action.DENY: lambda *a: _on_decide(*a, approved=False),
    Action.COMPLETE: _on_complete,
    Action.DELIVER: _on_deliver,
    Action.TERMINATE: _on_terminate,
}


# --- deadlines -------------------------------------------------------------------------------
def _recompute_deadline(case: Case, calendar: WorkCalendar) -> None:
    """Promised date = receipt day + promised working days + working days spent paused."""
    received_day = to_cst(case.received_at).date()
    try:
        case.promised_date = calendar.add_working_days(received_day, case.promised_days + case.paused_working_days)
        case.promised_date_pending = False
    except CalendarUnknown:
        case.promised_date = None  # never guess: the date follows once the calendar is entered
        case.promised_date_pending = True


def fill_pending_dates(session: Session, calendar: WorkCalendar) -> int:
    """Gives the dates a calendar could not give when they were set (a promised date, a
    容缺 material's or a correction's due date), once the year's calendar is entered.
    Returns how many open cases got a date."""
    filled = 0
    pending = select(Case).where(Case.status.not_in([s.value for s in CLOSED_STATUSES]),
                                 (Case.promised_date_pending.is_(True)) | (Case.deferred_pending.is_(True)
                                                                           & Case.deferred_due.is_(None))
                                 | (Case.status == CaseStatus.CORRECTION_REQUIRED.value))
    for case in session.scalars(pending):
        received_day = to_cst(case.received_at).date()
        before = (case.promised_date, case.deferred_due, (case.correction or {}).get("due"))
        if case.promised_date_pending:
            _recompute_deadline(case, calendar)
        if case.deferred_pending and case.deferred_due is None:
            case.deferred_due = _add_days_or_none(calendar, received_day, DEFERRED_SUPPLY_DAYS)
        correction = case.correction or {}
        if case.status == CaseStatus.CORRECTION_REQUIRED.value and correction.get("issued_at") \
                and not correction.get("due"):
            issued = dt.datetime.fromisoformat(correction["issued_at"]).date()
            due = _add_days_or_none(calendar, issued, CORRECTION_DAYS)
            case.correction = {**correction, "due": due.isoformat() if due else None}
        if (case.promised_date, case.deferred_due, (case.correction or {}).get("due")) != before:
            filled += 1
    return filled


def _paused_days(calendar: WorkCalendar, since: dt.date, until: dt.date) -> int:
    try:
        return calendar.working_days_between(since, until)
    except CalendarUnknown:
        return (until - since).days


def _add_days_or_none(calendar: WorkCalendar, start: dt.date, n: int) -> dt.date | None:
    try:
        return calendar.add_working_days(start, n)
    except CalendarUnknown:
        return None


def light_of(case: Case, calendar: WorkCalendar, today: dt.date) -> str | None:
    if CaseStatus(case.status) not in LIGHT_STATES:
        return None
    if case.promised_date is None:
        return None
    try:
        return deadline_light(calendar, today, case.promised_date)
    except CalendarUnknown:
        return None


def _add_event(case: Case, action: str, status: str, note: Note, caller: Caller) -> None:
    case.events.append(CaseEvent(at=utcnow(), action=action, status=status, department=case.department_name,
                                 note=note.zh, note_en=note.en, actor=caller.actor))


def _is_choice(value) -> bool:
    """A list field's answer is one of its keys: a string or number, never a list or an
    object (those are not hashable: a server error before)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _is_iso(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
        return True
    except ValueError:
        return False


def _valid_id(text: str) -> bool:
    try:
        parse_resident_id(text)
        return True
    except InvalidResidentId:
        return False
