"""Routes served in one step. FastAPI resolves a route's dependencies one by one, each
`Depends` and each synchronous function a step of its own (a thread-pool hop, a session
checked out per step); for the fleet's heartbeats that machinery cost as much CPU as the
work. A OneStepRoute is declared and documented like any other route, by its endpoint's
signature, but supplies the few dependencies it knows itself, in one thread-pool step on
one session: the request, the session, the caller (auth.caller), the context
(deps.context) and a JSON body model. Anything else is refused when the route is made."""
from __future__ import annotations

import email.message
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..auth import get_db, identify
from ..schemas.wire import NUL_ABSENT, RequestBody, no_nul_in
from .deps import context, context_of, refuse_nul_characters

# What a parameter gets, from (request, session, body bytes): in the order supplied, so the
# caller is known before the body is read into its model, as FastAPI's order has it.
Supplier = Callable[[Request, Session, bytes], Any]
_ORDER = ("request", "session", "caller", "body", "context")


def stand_alone(endpoint: Callable) -> Callable:
    """Marks an endpoint whose first statements each stand alone (db.statements_stand_alone):
    a terminal's signature is then checked on the connection the endpoint goes on with, and
    where they do stand alone (PostgreSQL) its first statement writes the request's nonce
    (auth.with_replay_guard, Caller.replay_guard); the route refuses to answer otherwise."""
    endpoint.stands_alone = True  # type: ignore[attr-defined]
    return endpoint


class OneStepRoute(APIRoute):
    """Use with `router.add_api_route(..., route_class_override=OneStepRoute)`. The
    endpoint is synchronous and answers with a Response of its own."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        endpoint = self.endpoint
        if inspect.iscoroutinefunction(endpoint):
            raise TypeError(f"{endpoint.__name__}: a one-step endpoint is synchronous")
        found = _suppliers(endpoint)
        suppliers = [found[kind] for kind in _ORDER if kind in found]
        caller_parameter = found["caller"][0] if "caller" in found else ""

        def step(request: Request, body: bytes) -> Response:
            session = request.app.state.sessions()
            try:
                arguments = {name: supply(request, session, body) for name, supply in suppliers}
                answer = endpoint(**arguments)
                guard = getattr(arguments.get(caller_parameter, None), "replay_guard", None)
                if guard is not None and not guard.written:  # a replay must not pass: a fault of the endpoint
                    raise RuntimeError(f"{endpoint.__name__} left its request's nonce unwritten")
            finally:
                session.close()
            if not isinstance(answer, Response):
                raise TypeError(f"{endpoint.__name__}: a one-step endpoint answers with a Response")
            return answer

        async def handle(request: Request) -> Response:
            await refuse_nul_characters(request)  # the rule app.py sets for every route
            return await run_in_threadpool(step, request, await request.body())

        return handle


def _suppliers(endpoint: Callable) -> dict[str, tuple[str, Supplier]]:
    """Kind ("request", "caller"...) -> (the endpoint's parameter, what supplies it)."""
    found: dict[str, tuple[str, Supplier]] = {}
    keep = getattr(endpoint, "stands_alone", False)
    for name, parameter in inspect.signature(endpoint, eval_str=True).parameters.items():
        annotation, default = parameter.annotation, parameter.default
        dependency = default.dependency if isinstance(default, Depends) else None
        if annotation is Request:
            found["request"] = (name, lambda request, session, body: request)
        elif dependency is get_db:
            found["session"] = (name, lambda request, session, body: session)
        elif getattr(dependency, "identifies_caller", False):
            found["caller"] = (name, _caller(dependency.allowed, keep))  # type: ignore[union-attr]
        elif dependency is context:
            found["context"] = (name, lambda request, session, body: context_of(request, session))
        elif inspect.isclass(annotation) and issubclass(annotation, RequestBody):
            found["body"] = (name, _body(annotation))
        else:
            raise TypeError(f"{endpoint.__name__}: a one-step route cannot supply {name!r}")
    return found


def _caller(allowed: tuple[str, ...], keep_connection: bool) -> Supplier:
    def supply(request: Request, session: Session, body: bytes):
        who = identify(request, session, body, allowed, keep_connection)
        if session.in_transaction() and not keep_connection:
            session.commit()  # the endpoint's reads and writes start a transaction of their own
        return who
    return supply


def _body(model: type[RequestBody]) -> Supplier:
    def supply(request: Request, session: Session, body: bytes):
        try:
            if not _sent_as_json(request.headers.get("content-type")):
                return model.model_validate(body)  # refused as FastAPI refuses raw bytes for a model
            return model.model_validate_json(body, context={NUL_ABSENT: no_nul_in(body)})
        except ValidationError as invalid:
            raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in
                                          invalid.errors(include_url=False, include_input=False)]) from None
    return supply


def _sent_as_json(content_type: str | None) -> bool:
    """FastAPI's rule: a body is read as JSON when it names no type, or application/json
    or application/*+json; any other type leaves it bytes, which no body model takes."""
    if not content_type:
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))
