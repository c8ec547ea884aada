"""What every console page shares: the templates, the security headers, who is signed in and
whether their role may see a page (backoffice.auth.role_may, the API's rule), forms and their
CSRF check, and the answers for the unsigned and the refused."""
from __future__ import annotations

from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from .. import staff_accounts
from ..auth import Caller, role_may, staff_of_token
from ..db import read_phase
from . import i18n
from . import session as cookies

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
# No script or style from anywhere but the back office itself, no inline script, no framing.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
ROLE_LABELS = {"clerk": i18n.N_("Clerk"), "approver": i18n.N_("Approver"), "supervisor": i18n.N_("Supervisor"),
               "admin": i18n.N_("Administrator")}
LIGHT_LABELS = {"red": i18n.N_("Overdue"), "yellow": i18n.N_("Due soon"), "green": i18n.N_("On time")}


class NotSignedIn(Exception):
    def __init__(self, idle: bool = False):
        super().__init__("not signed in")
        self.idle = idle  # the session ended for being left unused


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn):
        target = "/console/sign-in?idle=1" if exc.idle else "/console/sign-in"
        if request.headers.get("HX-Request") or request.method != "GET":
            response: Response = Response(status_code=401, headers={"HX-Redirect": target, **headers()})
        else:
            response = RedirectResponse(target, status_code=303, headers=headers())
        if exc.idle:
            cookies.clear_cookie(response, request, cookies.SESSION_COOKIE)
        return response

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        language = i18n.language_of(request.cookies.get(i18n.COOKIE))
        return render(request, "error.html", {"message": exc.message, "status": exc.status}, None, language,
                       status=exc.status)


# --- rendering --------------------------------------------------------------------------------

def headers() -> dict[str, str]:
    return {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def render(request: Request, template: str, context: dict, who: Caller | None, language: str,
            status: int = 200, csrf: str = "") -> HTMLResponse:
    translations = i18n.translations(language)
    token = cookies.session_token(request)
    body = TEMPLATES.get_template(template).render(
        _=translations.gettext, lang=language, other_lang="en" if language == "zh_CN" else "zh_CN",
        who=who, role_label=translations.gettext(ROLE_LABELS[who.role]) if who else "",
        csrf=csrf or (cookies.csrf_for(request, token) if who and token else ""),
        here=request.url.path, idle_s=_screen_idle_s(request), **context)
    return HTMLResponse(body, status_code=status, headers=headers())


def _screen_idle_s(request: Request) -> int:
    """When the page leaves itself for the sign-in: never after the server's deadline,
    which may lag a page by the keep-alive step."""
    idle_s = request.app.state.settings.console_idle_s
    return idle_s - staff_accounts.keep_alive_step(idle_s)


def rows(items: list[dict]) -> list[SimpleNamespace]:
    """A table's rows for a template, their fields as attributes: Jinja reads `row.field`
    as an attribute first, and on a dict that fails before it reads the key, which was
    half the rendering of a page of hundreds of rows."""
    return [SimpleNamespace(**item) for item in items]


def language(request: Request) -> str:
    return i18n.language_of(request.cookies.get(i18n.COOKIE))


def who_may(request: Request, session: Session, roles: tuple[str, ...]) -> Caller:
    """The signed-in staff member, if their role may see this page (auth.role_may); the
    session's idle deadline moves on with each page it opens."""
    token = cookies.session_token(request)
    with read_phase(session):
        who = staff_of_token(session, token)
    if who is None:
        raise NotSignedIn(idle=staff_accounts.end_if_idle(session, token, request.app.state.settings.console_idle_s))
    if not role_may(who, roles):
        raise Refused(403, i18n.translations(language(request)).gettext("Your role may not open this page."))
    staff_accounts.keep_alive(session, token, request.app.state.settings.console_idle_s)
    return who


async def form_of(request: Request) -> dict[str, str]:
    """A urlencoded form (every console form is one; no multipart)."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


async def upload_of(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """A multipart/form-data form (the one form that carries a file): its text fields and
    its files' bytes by field name, read with the standard library's MIME parser (the body
    is already whole and within its route's limit: body_limits.py). Not multipart: nothing."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return {}, {}
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + await request.body())
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_param("filename", header="content-disposition") is not None:
            files[name] = payload
        else:
            fields[name] = payload.decode("utf-8", "replace")
    return fields, files


def check_csrf(request: Request, form: dict[str, str]) -> None:
    if not cookies.csrf_ok(request, form):
        raise Refused(403, i18n.translations(language(request)).gettext(
            "This form has expired or did not come from the console. Go back, reload and try again."))
