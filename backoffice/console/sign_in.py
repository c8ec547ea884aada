"""Signing in and out of the console, its language, and where each role starts."""
from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import audit, staff_accounts
from ..auth import get_db, login, staff_of_token
from ..db import read_phase
from ..errors import ApiError
from . import i18n, pages
from . import session as cookies
from .access import CASE_ROLES

router = APIRouter(prefix="/console", include_in_schema=False)


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
