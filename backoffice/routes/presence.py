"""Presence grants: a terminal asks a one-time code for the citizen at its glass, trades
the code the citizen types for a grant, and ends the grant with the session."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from .. import presence
from ..auth import Caller, caller, get_db
from ..errors import ApiError
from ..openapi_docs import answers, problems
from ..schemas.presence import CodeIn, CodeRequestIn, CodeSentOut, GrantEndedOut, GrantEndIn, GrantOut
from .deps import context

router = APIRouter(prefix="/v1/presence", tags=["presence"])


class NoSmsProvider(ApiError):
    status = 503
    title = "Service unavailable"


@router.post("/codes", status_code=201, responses={**answers(CodeSentOut, 201), **problems(409, 422, 429, 503)})
def request_code(body: CodeRequestIn, who: Caller = Depends(caller("terminal")),
                 session: Session = Depends(get_db), ctx=Depends(context)):
    """Sends six digits, valid 5 minutes, to the number on file (or, answered 409
    phone_needed, to a typed number the carriers confirm is the citizen's)."""
    if ctx.sms.provider.name == "none":
        raise NoSmsProvider("no SMS provider is configured", code="sms_unavailable")
    return presence.start(session, ctx, who.name, body.session, body.id_number.strip().upper(), body.name,
                          body.phone.strip(), body.language)


@router.post("/grants", status_code=201, responses={**answers(GrantOut, 201), **problems(404, 410, 422)})
def redeem_code(body: CodeIn, who: Caller = Depends(caller("terminal")),
                session: Session = Depends(get_db), ctx=Depends(context)):
    """Three tries; a wrong code answers 422 with `tries_left`, a spent one 410."""
    return presence.redeem(session, ctx, who.name, body.session, body.challenge, body.code)


@router.post("/grants/end", responses=answers(GrantEndedOut))
def end_grant(body: GrantEndIn, request: Request, who: Caller = Depends(caller("terminal")),
              session: Session = Depends(get_db)):
    """The session ended: the grant presented in X-Presence-Grant opens nothing more."""
    return {"ended": presence.end(session, who.name, request.headers.get(presence.HEADER, ""), body.reason)}
