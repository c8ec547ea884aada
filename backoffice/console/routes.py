"""The console's pages (not the API: none is in /openapi.json). Who may see what is decided
by backoffice.auth.role_may (the roles, as for the API's routes) and cases.may_open (which
case); a page refused answers 403 and an unsigned visitor is sent to sign in."""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from domain.cases import STATUS_LABELS, CaseStatus
from domain.county import CST, to_cst
from domain.ids import mask_id, mask_phone
from domain.lifecycle import TRANSITIONS, Action

from .. import audit, notices, staff_accounts
from ..auth import Caller, get_db, login, staff_of_token
from ..calendar import load_calendar
from ..cases import ACTION_ROLES, FRONT_DESK_STAGES, apply_action, light_of, may_open
from ..db import read_phase
from ..english_names import EnglishNames
from ..errors import ApiError
from ..licences import licence_pdf
from ..models import Case, CaseMaterial, CasePart, Item, Licence
from ..routes.deps import context_for
from . import applicant, evidence, i18n, lights, pages, post
from . import session as cookies
from .lights import light_bounds
from .watermark import NotAPage, page_count, watermarked_page

router = APIRouter(prefix="/console", include_in_schema=False)
QUEUE_ROLES = ("clerk",)  # the comprehensive window's queue (an admin may see it too)
DEPARTMENT_ROLES = ("approver",)  # a department's review queue
CASE_ROLES = ("clerk", "approver", "supervisor")
QUEUE_LIMIT = 500  # rows at most in a queue, the most urgent
FORM_LABELS = {"original": i18n.N_("original"), "copy": i18n.N_("copy"), "electronic": i18n.N_("electronic")}


# --- sign-in, sign-out, language -------------------------------------------------------------

@router.get("/")
def home(request: Request, session: Session = Depends(get_db)):
    """Where the signed-in staff member works (their role's start page), else the sign-in."""
    with read_phase(session):
        who = staff_of_token(session, cookies.session_token(request))
    return RedirectResponse(start_page(who.role) if who else "/console/sign-in", status_code=303,
                            headers=pages.headers())


# Each role's own page, where signing in (and /console/) leads.
START_PAGES = {"clerk": "/console/queue", "admin": "/console/queue", "approver": "/console/department",
               "supervisor": "/console/supervision"}


def start_page(role: str) -> str:
    return START_PAGES.get(role, "/console/welcome")


def _sign_in_page(request: Request, error: str = "", status: int = 200, username: str = "",
                  note: str = "") -> HTMLResponse:
    csrf = cookies.pre_sign_in_csrf(request)
    response = pages.render(request, "sign_in.html", {"error": error, "username": username, "note": note}, None,
                            pages.language(request), status=status, csrf=csrf)
    cookies.set_cookie(response, request, cookies.PRE_COOKIE, csrf)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, idle: int = 0, session: Session = Depends(get_db)):
    if not idle:
        return _sign_in_page(request)
    # A page left unused came here by itself (console.js): its session ends now, not at the
    # server's deadline a moment later (SameSite=Strict: no other site's link can do this).
    idle_s = request.app.state.settings.console_idle_s
    if not staff_accounts.end_if_idle(session, cookies.session_token(request), idle_s, page_left=True) \
            and staff_of_token(session, cookies.session_token(request)) is not None:
        return RedirectResponse("/console/", status_code=303, headers=pages.headers())  # in use on another page
    minutes = max(1, round(idle_s / 60))
    response = _sign_in_page(request, note=i18n.translations(pages.language(request)).gettext(
        "You were signed out after {minutes} minutes without activity.").format(minutes=minutes))
    cookies.clear_cookie(response, request, cookies.SESSION_COOKIE)
    return response


@router.get("/alive")
def alive(request: Request, session: Session = Depends(get_db)):
    """"Stay signed in" on the idle warning: the session was used now."""
    pages.who_may(request, session, CASE_ROLES)
    return Response(status_code=204, headers=pages.headers())


@router.post("/sign-in")
async def sign_in(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    given, expected = form.get(cookies.CSRF_FIELD, ""), request.cookies.get(cookies.PRE_COOKIE, "")
    if not given or given != expected:
        raise pages.Refused(403, i18n.translations(pages.language(request)).gettext(
            "This form has expired or did not come from the console. Go back, reload and try again."))
    return await run_in_threadpool(_sign_in, request, session, form)


def _sign_in(request: Request, session: Session, form: dict[str, str]) -> Response:
    _ = i18n.translations(pages.language(request)).gettext
    username = form.get("username", "").strip()[:64]
    client = request.client.host if request.client else ""
    try:  # the API's own sign-in: its throttling, its second factor
        settings = request.app.state.settings
        token, staff, expires = login(session, settings, username, form.get("password", ""), client,
                                      totp_code=form.get("totp", ""), vault=request.app.state.vault,
                                      idle_s=settings.console_idle_s)
    except (HTTPException, ApiError) as exc:
        status = getattr(exc, "status_code", None) or getattr(exc, "status", 401)
        code = getattr(exc, "extra", {}).get("code", "")
        message = {429: _("Too many failed sign-ins: wait a while and try again."),
                   403: _("This account needs an authenticator before it can sign in: ask the county's IT.")
                   }.get(status, _("Wrong username, password or one-time code."))
        if code == "totp_required":
            message = _("Enter the six-digit code from your authenticator too.")
        session.rollback()
        return _sign_in_page(request, message, status, username)
    audit.record(session, f"staff:{staff.username}", "staff.login", staff.username, via="console")
    session.commit()
    earlier = cookies.session_token(request)
    if earlier:  # signed in again over a session: that one ends, its token with it
        before = staff_of_token(session, earlier)
        if before is not None:
            staff_accounts.sign_out(session, earlier, before.actor)
    response = RedirectResponse(start_page(staff.role), status_code=303, headers=pages.headers())
    max_age = int((expires - dt.datetime.utcnow()).total_seconds())
    cookies.set_cookie(response, request, cookies.SESSION_COOKIE, token, max_age=max_age)
    cookies.clear_cookie(response, request, cookies.PRE_COOKIE)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_sign_out, request, session, form)


def _sign_out(request: Request, session: Session, form: dict[str, str]) -> Response:
    who = pages.who_may(request, session, CASE_ROLES)
    pages.check_csrf(request, form)
    staff_accounts.sign_out(session, cookies.session_token(request), who.actor)  # the token opens nothing more
    response = RedirectResponse("/console/sign-in", status_code=303, headers=pages.headers())
    cookies.clear_cookie(response, request, cookies.SESSION_COOKIE)
    return response


@router.get("/language/{language}")
def switch_language(language: str, request: Request, next: str = "/console/"):
    """Only a preference in a cookie: changes nothing on the server, so a GET."""
    target = next if next.startswith("/console/") and "//" not in next and "\\" not in next else "/console/"
    response = RedirectResponse(target, status_code=303, headers=pages.headers())
    response.set_cookie(i18n.COOKIE, i18n.language_of(language), max_age=365 * 86400, path=cookies.PATH,
                        samesite="strict", secure=cookies.is_tls(request))
    return response


@router.get("/welcome")
def welcome(request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, CASE_ROLES)
    return pages.render(request, "welcome.html", {}, who, pages.language(request))


# --- the clerk's queue ------------------------------------------------------------------------

@router.get("/queue")
def queue(request: Request, session: Session = Depends(get_db)):
    """综合受理: the cases waiting at the front desk, the most urgent first."""
    who = pages.who_may(request, session, QUEUE_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    return pages.render(request, "queue.html", {
        "cases": _queue(session, [s.value for s in FRONT_DESK_STAGES], language),
        "title": _("Comprehensive window queue"),
        "hint": _("Cases waiting at the front desk, the most urgent first.")}, who, language)


@router.get("/department")
def department_queue(request: Request, session: Session = Depends(get_db)):
    """后台分类审批: the approver's department's cases in review or suspended, a "一件事"
    bundle's included while its part of theirs is in review; the most urgent first."""
    who = pages.who_may(request, session, DEPARTMENT_ROLES)
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    theirs = or_(Case.department_code == who.department_code,
                 Case.parts.any((CasePart.department_code == who.department_code) & (CasePart.status == "in_review")))
    in_hand = [CaseStatus.IN_REVIEW.value, CaseStatus.SUSPENDED.value]
    return pages.render(request, "queue.html", {
        "cases": _queue(session, in_hand, language, theirs), "title": _("Department review queue"),
        "hint": _("Your department's cases in review or suspended, the most urgent first.")}, who, language)


def _queue(session: Session, states: list[str], language: str, which=None) -> list[SimpleNamespace]:
    """Rows of a queue, the cases in `states` (and `which`, a condition): overdue first,
    then due soon, then by the promised date and the time received; applicants masked.
    The database hands over only the first QUEUE_LIMIT (lights.most_urgent): a county's
    queue runs to thousands."""
    _ = i18n.translations(language).gettext
    with read_phase(session):
        bounds = light_bounds(load_calendar(session), dt.datetime.now(CST).date())
        rows = session.execute(lights.most_urgent(
            (Case.number, Case.item_name, Case.applicant_masked, Case.status, Case.received_at, Case.promised_date,
             Case.deferred_pending, Case.deferred_due, Case.presence_evidence), states, which, bounds,
            QUEUE_LIMIT)).all()
    cases = []
    for row in rows:
        light = lights.RANKS[row.rank]
        cases.append({"number": row.number, "item_name": row.item_name, "applicant": row.applicant_masked,
                      "status": _(STATUS_LABELS[CaseStatus(row.status)]), "status_code": row.status,
                      "received_at": to_cst(row.received_at).strftime("%Y-%m-%d %H:%M"),
                      "promised_date": row.promised_date.isoformat() if row.promised_date else "",
                      "light": light or "", "light_label": _(pages.LIGHT_LABELS[light]) if light else "",
                      "deferred_due": row.deferred_due.isoformat() if row.deferred_pending and row.deferred_due
                      else "", "unverified": row.presence_evidence == "card_read"})
    return pages.rows(cases)


# --- a case and its materials -----------------------------------------------------------------
# The front desk's decisions on a case (综合受理), offered where the lifecycle table allows them
# from the case's state and the role may take them (cases.ACTION_ROLES, as for the API).
# And the department's (后台分类审批): approve, deny, suspend for a special procedure, resume,
# complete (the result and its e-licences issued); and the window's (统一出件): hand it over.
DESK_ACTIONS = (Action.ACCEPT, Action.REQUEST_CORRECTION, Action.REFUSE, Action.ROUTE,
                Action.APPROVE, Action.DENY, Action.SUSPEND, Action.RESUME, Action.COMPLETE, Action.DELIVER)
DECISIONS = (Action.APPROVE, Action.DENY)
CORRECTION_DAYS = 5  # working days the applicant has to answer a correction notice


def _actions_for(case: Case, who: Caller) -> list[str]:
    status = CaseStatus(case.status)
    return [a.value for a in DESK_ACTIONS
            if status in TRANSITIONS[a] and (who.role == "admin" or who.role in ACTION_ROLES[a])
            and (a not in DECISIONS or not case.parts or _part_of(case, who) is not None)]


def _part_of(case: Case, who: Caller) -> str | None:
    """A "一件事" bundle's part the approver's department has in review (its item code)."""
    return next((p.item_code for p in case.parts
                 if p.department_code == who.department_code and p.status == "in_review"), None)


def _open_case(request: Request, session: Session, number: str) -> tuple[Caller, Case]:
    who = pages.who_may(request, session, CASE_ROLES)
    _ = i18n.translations(pages.language(request)).gettext
    with read_phase(session):
        case = session.scalar(select(Case).where(Case.number == number).options(
            selectinload(Case.events), selectinload(Case.materials), selectinload(Case.parts)))
    if case is None:
        raise pages.Refused(404, _("There is no such case."))
    if not may_open(case, who):
        if who.role == "clerk":
            raise pages.Refused(403, _("This case is not at the front desk: a clerk cannot open it now."))
        raise pages.Refused(403, _("This case is not your department's."))
    return who, case


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
    who, case = _open_case(request, session, number)
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
        "deferred": [m for m in materials if m["deferred"]], "actions": _actions_for(case, who),
        "licences": licences, "may_print": who.role in ("clerk", "admin") and case.status == CaseStatus.COMPLETED.value,
        "correction_days": CORRECTION_DAYS, "to_supply": _to_supply(case, who),
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


@router.post("/cases/{number}/actions")
async def act(number: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_act, number, request, session, form)


def _act(number: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """A decision from the case page, through the lifecycle the API uses (its checks, its
    timeline entry and audit record); then the case again, or the queue once it has left
    the front desk."""
    who, case = _open_case(request, session, number)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    try:
        action = Action(form.get("action", ""))
    except ValueError:
        raise pages.Refused(400, _("There is no such action.")) from None
    if action.value not in _actions_for(case, who):
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it."))
    params = _action_params(action, form, case, _)
    if case.parts and action in DECISIONS:
        params["part"] = _part_of(case, who)
    try:
        apply_action(session, context_for(request.app, session), case, action, params, who)
    except ApiError as exc:
        session.rollback()
        raise pages.Refused(exc.status, _action_problem(action, _)) from None
    session.commit()
    target = f"/console/cases/{quote(case.number, safe='')}" if may_open(case, who) else "/console/queue"
    return RedirectResponse(target, status_code=303, headers=pages.headers())


def _action_params(action: Action, form: dict[str, str], case: Case, _) -> dict:
    """What the lifecycle takes, from the page's form: a refusal's reason; a correction's
    deficiencies, every one at once (一次性告知), each ticked material with its problem."""
    if action in (Action.REFUSE, Action.DENY, Action.SUSPEND, Action.APPROVE):
        reason = form.get("reason", "").strip()[:500]
        if action != Action.APPROVE and not reason:
            raise pages.Refused(422, {Action.REFUSE: _("A refusal needs its reason."),
                                Action.DENY: _("A denial needs its reason."),
                                Action.SUSPEND: _("Say which special procedure suspends the case.")}[action])
        return {"note": reason}
    if action == Action.REQUEST_CORRECTION:
        deficiencies = [{"material": m.name, "problem": form.get(f"problem_{i}", "").strip()[:300]}
                        for i, m in enumerate(case.materials, start=1) if form.get(f"deficient_{i}")]
        other = form.get("other_problem", "").strip()[:300]
        if other:
            deficiencies.append({"material": "", "problem": other})
        return {"deficiencies": deficiencies, "due_days": CORRECTION_DAYS}
    return {}


def _action_problem(action: Action, _) -> str:
    return {Action.REFUSE: _("A refusal needs its reason."),
            Action.REQUEST_CORRECTION: _("Tick each material to correct and say what is wrong with it."),
            }.get(action, _("The case could not be moved on: reload it and look at its state."))


# --- materials brought to the counter (补交) ----------------------------------------------------
# The applicant may bring to the window what the kiosk would take: a 容缺 material promised at
# submission (the case stays where it is and its supply deadline stops threatening it), or the
# corrected materials a correction notice asked for (the case goes back to be accepted).
SUPPLY_FORMS = ("original", "copy")
MAX_COPIES = 20


def _to_supply(case: Case, who: Caller) -> list[dict]:
    """What a clerk may record as brought: while a correction is asked, the case's materials
    (each code once, its latest); otherwise the 容缺 materials not yet supplied."""
    status = CaseStatus(case.status)
    if status not in TRANSITIONS[Action.SUPPLEMENT] or (
            who.role != "admin" and who.role not in ACTION_ROLES[Action.SUPPLEMENT]):
        return []
    correcting = status == CaseStatus.CORRECTION_REQUIRED
    offered: dict[str, dict] = {}
    for index, m in enumerate(case.materials, start=1):
        if (m.deferred and m.supplied_at is None) or (correcting and not m.deferred):
            offered[m.material_code] = {"index": index, "code": m.material_code, "name": m.name,
                                        "deferred": m.deferred, "form": m.form if m.form in SUPPLY_FORMS else "copy"}
    return list(offered.values())


@router.post("/cases/{number}/supplement")
async def supplement(number: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_supplement, number, request, session, form)


def _supplement(number: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """The ticked materials, as the lifecycle's supplement (the API's: its checks, its
    timeline entry naming them, its audit record); then the case again."""
    who, case = _open_case(request, session, number)
    pages.check_csrf(request, form)
    _ = i18n.translations(pages.language(request)).gettext
    offered = _to_supply(case, who)
    if not offered:
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it."))
    brought = [m for m in offered if form.get(f"brought_{m['index']}")]
    if not brought:
        raise pages.Refused(422, _("Tick each material the applicant brought."))
    with read_phase(session):
        english = EnglishNames.for_case(session, case)
    materials = [{"code": m["code"], "name": m["name"], "copies": _copies(form.get(f"copies_{m['index']}", "")),
                  "form": form.get(f"form_{m['index']}") if form.get(f"form_{m['index']}") in SUPPLY_FORMS
                  else m["form"]} for m in brought]
    params = {"materials": materials, "note": "窗口补交：" + "、".join(m["name"] for m in brought),
              "note_en": "Supplied at the window: " + ", ".join(english.material(case, m["code"]) or m["name"]
                                                                for m in brought)}
    try:
        apply_action(session, context_for(request.app, session), case, Action.SUPPLEMENT, params, who)
    except ApiError:
        session.rollback()
        raise pages.Refused(409, _("This case can no longer be acted on that way: reload it.")) from None
    session.commit()
    target = f"/console/cases/{quote(case.number, safe='')}" if may_open(case, who) else "/console/queue"
    return RedirectResponse(target, status_code=303, headers=pages.headers())


def _copies(given: str) -> int:
    return max(1, min(int(given), MAX_COPIES)) if given.isascii() and given.isdigit() else 1


def _material(case: Case, index: int) -> CaseMaterial:
    if not 1 <= index <= len(case.materials):
        raise pages.Refused(404, "no such material")
    return case.materials[index - 1]


def _decrypted(request: Request, material: CaseMaterial) -> bytes:
    if material.content_enc is None:
        raise pages.Refused(404, i18n.translations(pages.language(request)).gettext(
            "This material has no scanned pages."))
    return request.app.state.vault.decrypt_bytes(material.content_enc, "material")


@router.get("/cases/{number}/materials/{index}")
def viewer(number: str, index: int, request: Request, page: int = 1, session: Session = Depends(get_db)):
    """The materials viewer: a page at a time, zoom and rotate in the page (static/console.js),
    the pages through htmx (only the page part is swapped)."""
    who, case = _open_case(request, session, number)
    material = _material(case, index)
    try:
        count = page_count(_decrypted(request, material))
    except NotAPage:
        count = 0
    page = max(1, min(page, count or 1))
    context = {"case": case, "material": material, "index": index, "page": page, "pages": count,
               "materials_count": len(case.materials), "stamp": quote(dt.datetime.now(CST).strftime("%H%M%S"))}
    template = "_page.html" if request.headers.get("HX-Request") else "viewer.html"
    return pages.render(request, template, context, who, pages.language(request))


@router.get("/cases/{number}/materials/{index}/pages/{page}.jpg")
def page_image(number: str, index: int, page: int, request: Request, session: Session = Depends(get_db)):
    """One page, decrypted now, watermarked with the viewer and the time, never cached;
    the view is audited (who, which case, which material, which page)."""
    who, case = _open_case(request, session, number)
    material = _material(case, index)
    now = dt.datetime.now(CST)
    try:
        image = watermarked_page(_decrypted(request, material), page,
                                 [who.name, now.strftime("%Y-%m-%d %H:%M:%S"), case.number])
    except NotAPage:
        raise pages.Refused(404, "no such page") from None
    audit.record(session, who.actor, "material.view", case.number, material=material.material_code,
                 material_index=index, page=page, via="console")
    session.commit()
    return Response(image, media_type="image/jpeg", headers=pages.headers())


@router.get("/cases/{number}/licences/{identifier}.pdf")
def licence_to_print(number: str, identifier: str, request: Request, session: Session = Depends(get_db)):
    """统一出件: the e-licence on A4 with the holder's full name, for the window to print and
    hand over; only for a completed case, and audited (the name is read)."""
    who, case = _open_case(request, session, number)
    if who.role not in ("clerk", "admin") or case.status != CaseStatus.COMPLETED.value:
        raise pages.Refused(403, i18n.translations(pages.language(request)).gettext(
            "E-licences are printed at the window once the case is completed."))
    licence = session.scalar(select(Licence).where(Licence.case_id == case.id, Licence.identifier == identifier))
    if licence is None:
        raise pages.Refused(404, "no such licence")
    holder = request.app.state.vault.decrypt(case.applicant_name_enc, "applicant-name")
    pdf = licence_pdf(licence, request.app.state.signer.issue("licence", licence.identifier), holder)
    audit.record(session, who.actor, "licence.print", licence.identifier, case=case.number, via="console")
    session.commit()
    return Response(pdf, media_type="application/pdf", headers=pages.headers())


@router.get("/go")
def go_to_case(request: Request, number: str = "", session: Session = Depends(get_db)):
    pages.who_may(request, session, CASE_ROLES)
    return RedirectResponse(f"/console/cases/{quote(number.strip()[:32], safe='')}", status_code=303,
                            headers=pages.headers())
