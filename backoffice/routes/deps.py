"""Dependencies shared by the routes."""
from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ..auth import get_db
from ..calendar import load_calendar
from ..cases import Context


async def context(request: Request, session: Session = Depends(get_db)) -> Context:
    # The calendar is read on first use, inside the route's own transaction: a separate
    # read here cost a thread-pool hop and, on SQLite, a write-lock turn per request.
    state = request.app.state
    return Context(state.settings, state.vault, state.signer, lambda: load_calendar(session))


def context_for(app, session: Session) -> Context:
    """The same context outside a request (command line, seed)."""
    state = app.state
    return Context(state.settings, state.vault, state.signer, load_calendar(session))
