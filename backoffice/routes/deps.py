"""Dependencies shared by the routes."""
from __future__ import annotations

import functools
import json

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ..auth import get_db
from ..calendar import load_calendar
from ..cases import Context
from ..openapi_docs import takes_input
from ..schemas.wire import NUL_REFUSED


async def refuse_nul_characters(request: Request) -> None:
    """Every route's (app.py): a route that reads input refuses a NUL character in its path
    or query (422, which document_problems lists for it). No identifier or filter has a
    use for one, and PostgreSQL cannot compare text holding it (a server error, where
    SQLite went on). Bodies are checked by their models (schemas.wire.RequestBody)."""
    route = request.scope.get("route")
    if route is None or not takes_input(route):
        return
    errors = [{"type": "value_error", "loc": ("path", name), "msg": NUL_REFUSED}
              for name, value in request.path_params.items() if isinstance(value, str) and "\x00" in value]
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            errors.append({"type": "value_error", "loc": ("query",) if "\x00" in name else ("query", name),
                           "msg": NUL_REFUSED})
    if errors:
        raise RequestValidationError(errors)


async def context(request: Request, session: Session = Depends(get_db)) -> Context:
    return context_of(request, session)


def context_of(request: Request, session: Session) -> Context:
    # The calendar and catalogue are read on first use, inside the route's own transaction
    # (a separate read here cost a thread-pool hop and, on SQLite, a write-lock turn per
    # request), and their version numbers at most once a request (reference_cache.py).
    state = request.app.state
    reference = functools.cache(lambda: state.reference.now(session))
    return Context(state.settings, state.vault, state.signer, lambda: reference().calendar,
                   sms=state.sms, carrier_check=state.carrier_check, courier=state.courier,
                   real_person=state.real_person, catalogue=lambda: reference().catalogue)


def context_for(app, session: Session) -> Context:
    """The same context outside a request (command line, seed)."""
    state = app.state
    return Context(state.settings, state.vault, state.signer, load_calendar(session),
                   sms=state.sms, carrier_check=state.carrier_check, courier=state.courier,
                   real_person=state.real_person)


def json_answer(body: dict, status: int = 200) -> Response:
    """An answer already made of JSON types, serialised once: a dict returned from a route
    is walked by FastAPI's encoder first, which on a list of cases cost more than the query."""
    return Response(json.dumps(body, ensure_ascii=False).encode(), status_code=status, media_type="application/json")
