"""Errors as RFC 9457 problem details (application/problem+json)."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import ApiError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 422: "Invalid request", 429: "Too many requests"}


def problem(status: int, title: str, detail: str = "", headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def refused(request: Request, status: int, code: str = "") -> None:
    """A refusal in the log, by path and reason code: never the detail, which may name what
    was asked for."""
    log.info("request refused", extra={"method": request.method, "path": request.url.path, "status": status,
                                       "code": code})


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        refused(request, exc.status_code)
        return problem(exc.status_code, TITLES.get(exc.status_code, "Error"), str(exc.detail or ""),
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        refused(request, exc.status, str(exc.extra.get("code", "")))
        return problem(exc.status, exc.title, exc.detail, headers=getattr(exc, "headers", None), **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        refused(request, 422, "validation")
        # Never echo the input back: it may hold an ID number.
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": e.get("msg", "")} for e in exc.errors()]
        return problem(422, "Invalid request", errors=errors)
