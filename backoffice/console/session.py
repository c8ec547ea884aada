"""The console's session: a cookie holding the staff token (the API's own bearer token, made
by backoffice.auth.login), and CSRF tokens for every POST.

The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
it) and Secure when the request came over TLS (directly or through the proxy, whose
X-Forwarded-Proto uvicorn trusts). Signed in, the CSRF token is an HMAC of the session's
token: a form from an earlier session (signed out, or signed in again) carries a stale one
and is refused. Before sign-in, the sign-in form is guarded by a random value in a cookie of
its own and in the form (double submit)."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response

SESSION_COOKIE = "console_session"
PRE_COOKIE = "console_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
PATH = "/console"


def is_tls(request: Request) -> bool:
    return request.url.scheme == "https"


def session_token(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE, "")


def csrf_for(request: Request, token: str) -> str:
    key = request.app.state.settings.data_key
    return hmac.new(key, b"console-csrf\0" + token.encode(), hashlib.sha256).hexdigest()


def presented_csrf(request: Request, form: dict[str, str]) -> str:
    return form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")


def csrf_ok(request: Request, form: dict[str, str]) -> bool:
    """The POST's CSRF token is this session's (or, before sign-in, the sign-in cookie's)."""
    given = presented_csrf(request, form)
    token = session_token(request)
    if token:
        expected = csrf_for(request, token)
    else:
        expected = request.cookies.get(PRE_COOKIE, "")
    return bool(given) and bool(expected) and hmac.compare_digest(given, expected)


def pre_sign_in_csrf(request: Request) -> str:
    return request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=PATH, httponly=True, samesite="strict",
                        secure=is_tls(request))


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path=PATH, httponly=True, samesite="strict", secure=is_tls(request))
