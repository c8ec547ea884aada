"""What /openapi.json says about errors: every one is RFC 9457 problem+json (problems.py),
never FastAPI's default validation body, so a client can trust the document."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from .problems import PROBLEM_JSON, TITLES

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        # a refused request's fields, where it did not parse (never the values sent)
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["loc", "msg"],
            "properties": {"loc": {"type": "array", "items": {"type": "string"}}, "msg": {"type": "string"}}}},
    },
    "additionalProperties": True,  # a domain error may add its own members, e.g. `year`
}
EXTRA_TITLES = {413: "Content too large", 503: "Service unavailable"}
# Row ids in paths and queries. The id columns are Integer: 32 bits on PostgreSQL, whose
# out-of-range error (and SQLite's OverflowError beyond 64 bits) were server errors rather
# than refusals; one bound on both databases.
ROW_ID_MAX = 2**31 - 1


def problems(*statuses: int) -> dict[int | str, dict]:
    """`responses=` for a route: these statuses answer problem+json."""
    return {status: {"description": TITLES.get(status) or EXTRA_TITLES.get(status, "Error"),
                     "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}} for status in statuses}


def identifies_caller(route: APIRoute) -> bool:
    """Whether the route depends on auth.caller(): it then answers 401 and 403 as well."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if getattr(dependency.call, "identifies_caller", False):
            return True
        pending.extend(dependency.dependencies)
    return False


def takes_input(route: APIRoute) -> bool:
    dependant = route.dependant
    return bool(dependant.path_params or dependant.query_params or dependant.header_params
                or dependant.body_params or route.body_field or route.openapi_extra)


def takes_body(route: APIRoute) -> bool:
    """A JSON body that does not parse is answered 400 before any validation."""
    return bool(route.dependant.body_params or route.body_field)


def document_problems(router: APIRouter) -> None:
    """Adds to each of the router's own routes the problems the framework answers for it:
    422 for a request that does not parse, 413 for a body over its limit (body_limits.py),
    401/403 where a caller must be identified.
    What a route's own code refuses (404, 409...) it lists itself with problems(). Run on
    a router before it is included; a second run changes nothing."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        has_body = takes_body(route) or "requestBody" in (route.openapi_extra or {})
        statuses = (([422] if takes_input(route) else []) + ([400] if takes_body(route) else [])
                    + ([413] if has_body else []) + ([401, 403] if identifies_caller(route) else []))
        for status, response in problems(*statuses).items():
            route.responses.setdefault(status, response)


# Every creating POST needs it (idempotency.py reads it from the request itself).
IDEMPOTENCY_KEY = {"parameters": [{
    "name": "Idempotency-Key", "in": "header", "required": True,
    "description": "One key per intended request: a retry with the same key and body gets the first answer again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "\\S"}}]}


def binary(media_type: str, description: str) -> dict:
    """A success answer that is a file, not JSON."""
    return {"description": description, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}


def answers(model: type, status: int = 200, description: str = "Success") -> dict[int | str, dict]:
    """`responses=` for a route's success answer: its schema is the model's. Documents
    only: what the route returns is sent as it is (FastAPI's response_model would filter)."""
    return {status: {"model": model, "description": description}}
