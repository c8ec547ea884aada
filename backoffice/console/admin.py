"""The administrator's pages (issue 18's "Administration"): staff accounts and terminal
registration, what the command line and the admin API do, in the console.

Administrators only (pages.who_may with ("admin",)), every POST with its CSRF token. The
changes go through the functions the command line and the API call (staff_accounts,
auth.enroll_second_factor, terminals), so the audit records are the same whichever way an
administrator went, and no secret reaches them. A secret made here (a first password, an
authenticator's key, a terminal's) is shown once, in the answer to the POST that made it:
the pages are never cached (pages.headers) and nothing shows it again.

The calendar and the catalogue are in admin_data.py."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.county import to_cst

from .. import staff_accounts, terminals
from ..auth import ROLES, Caller, enroll_second_factor, get_db
from ..db import read_phase
from ..models import Department, Staff, Terminal
from ..security.totp import provisioning_uri
from . import i18n, pages, qr

router = APIRouter(prefix="/console/admin", include_in_schema=False)
ADMIN_ROLES = ("admin",)
ACCOUNT_PROBLEMS = {
    "username": i18n.N_("A username is 2 to 64 letters, digits, dots, hyphens or underscores."),
    "taken": i18n.N_("There is already an account with this username."),
    "role": i18n.N_("Choose one of the roles."),
    "department": i18n.N_("Choose the department from the list: an approver needs one."),
    "password": i18n.N_("A password has at least 10 characters."),
}
TERMINAL_ID_LENGTH = (3, 64)  # as the API's registration route
ENROLLED_NOTE = i18n.N_(
    "Scan the code with the authenticator app, or type the key. It is shown only this once; an earlier "
    "authenticator of this account no longer works.")
ROTATED_NOTE = i18n.N_(
    "Put the new secret on the kiosk: it is shown only this once. The old one keeps working until {until} or "
    "until the new one is first used.")


def _at(value: dt.datetime | None) -> str:
    return to_cst(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=pages.headers())


def _gettext(request: Request):
    return i18n.translations(pages.language(request)).gettext


@router.get("")
def admin_home(request: Request, session: Session = Depends(get_db)):
    pages.who_may(request, session, ADMIN_ROLES)
    return _back("/console/admin/staff")


# --- staff accounts ---------------------------------------------------------------------------

def _departments(session: Session, language: str) -> list[dict]:
    with read_phase(session):
        rows = session.scalars(select(Department).order_by(Department.code)).all()
    return [{"code": d.code, "name": (d.name_en if language == "en" and d.name_en else d.name)} for d in rows]


def _staff_page(request: Request, session: Session, who: Caller, error: str = "", form: dict | None = None,
                status: int = 200) -> Response:
    language = pages.language(request)
    _ = i18n.translations(language).gettext
    known = _departments(session, language)
    names = {d["code"]: d["name"] for d in known}
    with read_phase(session):
        accounts = session.scalars(select(Staff).order_by(Staff.role, Staff.username)).all()
    rows = [{"username": s.username, "role": _(pages.ROLE_LABELS.get(s.role, s.role)),
             "department": names.get(s.department_code, s.department_code), "totp": bool(s.totp_secret_enc),
             "disabled": not s.active, "last_sign_in": _at(s.last_sign_in_at),
             "quoted": quote(s.username, safe=""), "self": s.username == who.name} for s in accounts]
    return pages.render(request, "admin_staff.html", {
        "accounts": rows, "departments": known, "error": error, "form": form or {},
        "roles": [(r, _(pages.ROLE_LABELS[r])) for r in ROLES], "password_min": staff_accounts.PASSWORD_MIN,
        "section": "staff"}, who, language, status=status)


@router.get("/staff")
def staff_page(request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ADMIN_ROLES)
    return _staff_page(request, session, who)


@router.post("/staff")
async def create_account(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_create_account, request, session, form)


def _create_account(request: Request, session: Session, form: dict[str, str]) -> Response:
    """A new account with the password the administrator typed, or one made here and shown
    once for them to hand over; the new colleague signs in with it."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = _gettext(request)
    username, role = form.get("username", "").strip(), form.get("role", "")
    department = form.get("department", "").strip()
    typed = form.get("password", "")
    password = typed or staff_accounts.one_time_password()
    try:
        staff_accounts.create(session, username, password, role, department, who.actor)
    except staff_accounts.AccountRefused as refused:
        session.rollback()
        kept = {"username": username[:64], "role": role, "department": department}
        return _staff_page(request, session, who, _(ACCOUNT_PROBLEMS[refused.reason]), kept, status=422)
    shown = [(_("Username"), username), (_("Role"), _(pages.ROLE_LABELS[role]))]
    if not typed:
        shown.append((_("One-time password"), password))
    return _once(request, who, _("Account created"), shown, back="/console/admin/staff",
                 note=_("Hand the password over in person: it is shown only this once.") if not typed else
                 _("The account signs in with the password you typed."))


@router.post("/staff/{username}/disabled")
async def set_account_disabled(username: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_set_account_disabled, username, request, session, form)


def _set_account_disabled(username: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """Disabling ends every token the account holds at once (staff_accounts.set_disabled)."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = _gettext(request)
    disabled = form.get("disabled") == "1"
    if disabled and username == who.name:
        raise pages.Refused(409, _("You cannot disable your own account."))
    reason = form.get("reason", "").strip()[:200]
    if not reason:
        raise pages.Refused(422, _("Say why: the reason is kept in the audit log."))
    if not staff_accounts.set_disabled(session, username, disabled, reason, who.actor):
        raise pages.Refused(404, _("There is no such account."))
    return _back("/console/admin/staff")


@router.post("/staff/{username}/totp")
async def enrol_authenticator(username: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_enrol_authenticator, username, request, session, form)


def _enrol_authenticator(username: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    """A new authenticator key for the account (an earlier one stops working), shown once as
    text and as the QR code an authenticator app scans."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = _gettext(request)
    secret = enroll_second_factor(session, request.app.state.vault, username, who.actor)
    if secret is None:
        raise pages.Refused(404, _("There is no such account."))
    uri = provisioning_uri(secret, username)
    return _once(request, who, _("Authenticator enrolled"), [(_("Username"), username), (_("Key"), secret)],
                 back="/console/admin/staff", qr=qr.svg(uri, _("QR code for the authenticator app")), uri=uri,
                 note=_(ENROLLED_NOTE))


def _once(request: Request, who: Caller, title: str, shown: list[tuple[str, str]], back: str, note: str = "",
          **extra) -> Response:
    """The answer that shows a secret: never cached, never shown again."""
    return pages.render(request, "admin_once.html", {"title": title, "shown": shown, "back": back, "note": note,
                                                     "section": back.rsplit("/", 1)[-1], **extra},
                        who, pages.language(request))


# --- terminals --------------------------------------------------------------------------------

def _terminals_page(request: Request, session: Session, who: Caller, error: str = "", form: dict | None = None,
                    status: int = 200) -> Response:
    with read_phase(session):
        known = session.scalars(select(Terminal).order_by(Terminal.id)).all()
    rows = [{"id": t.id, "name": t.name, "location": t.location, "registered": _at(t.registered_at),
             "last_seen": _at(t.last_seen_at), "disabled": t.disabled, "quoted": quote(t.id, safe=""),
             "previous_until": _at(t.secret_previous_until) if t.secret_previous_enc else ""} for t in known]
    return pages.render(request, "admin_terminals.html", {
        "terminals": rows, "error": error, "form": form or {}, "section": "terminals",
        "overlap_days": request.app.state.settings.terminal_secret_overlap_s // 86400}, who,
        pages.language(request), status=status)


@router.get("/terminals")
def terminals_page(request: Request, session: Session = Depends(get_db)):
    who = pages.who_may(request, session, ADMIN_ROLES)
    return _terminals_page(request, session, who)


@router.post("/terminals")
async def register_terminal(request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_register_terminal, request, session, form)


def _register_terminal(request: Request, session: Session, form: dict[str, str]) -> Response:
    """A new terminal and its secret, shown once for the installer to put on the kiosk. An id
    already registered is refused: a new secret for it is a rotation, which keeps the old
    one working for the overlap."""
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = _gettext(request)
    terminal_id = form.get("id", "").strip()
    name, location = form.get("name", "").strip()[:100], form.get("location", "").strip()[:200]
    kept = {"id": terminal_id[:64], "name": name, "location": location}
    low, high = TERMINAL_ID_LENGTH
    if not low <= len(terminal_id) <= high or not terminal_id.isprintable() or "/" in terminal_id:
        return _terminals_page(request, session, who, _("A terminal id is 3 to 64 characters, without '/'."),
                               kept, status=422)
    with read_phase(session):
        taken = session.get(Terminal, terminal_id) is not None
    if taken:
        return _terminals_page(request, session, who,
                               _("This terminal is already registered: rotate its secret instead."), kept, status=409)
    secret = terminals.register(session, request.app.state.vault, terminal_id, name, location, who.actor)
    session.commit()
    return _once(request, who, _("Terminal registered"), [(_("Terminal"), terminal_id), (_("Secret"), secret)],
                 back="/console/admin/terminals", fleet=quote(terminal_id, safe=""),
                 note=_("Put the secret on the kiosk (its terminal secret file): it is shown only this once."))


@router.post("/terminals/{terminal_id}/secret")
async def rotate_terminal_secret(terminal_id: str, request: Request, session: Session = Depends(get_db)):
    form = await pages.form_of(request)
    return await run_in_threadpool(_rotate_terminal_secret, terminal_id, request, session, form)


def _rotate_terminal_secret(terminal_id: str, request: Request, session: Session, form: dict[str, str]) -> Response:
    who = pages.who_may(request, session, ADMIN_ROLES)
    pages.check_csrf(request, form)
    _ = _gettext(request)
    rotation = terminals.rotate_secret(session, request.app.state.vault, terminal_id,
                                       request.app.state.settings.terminal_secret_overlap_s, who.actor)
    if rotation is None:
        raise pages.Refused(404, _("There is no such terminal."))
    secret, until = rotation
    return _once(request, who, _("Secret rotated"), [(_("Terminal"), terminal_id), (_("Secret"), secret)],
                 back="/console/admin/terminals", fleet=quote(terminal_id, safe=""),
                 note=_(ROTATED_NOTE).format(until=_at(until)))
