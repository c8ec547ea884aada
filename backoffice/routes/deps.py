"""Dependencies shared by the routes."""
from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ..auth import get_db
from ..calendar import load_calendar
from ..cases import Context


def context(request: Request, session: Session = Depends(get_db)) -> Context:
    state = request.app.state
    calendar = load_calendar(session)
    # End the read here: the route runs as a later step, maybe on another thread, and an
    # open transaction would hold SQLite's write lock in between (see auth.caller).
    session.commit()
    return Context(state.settings, state.vault, state.signer, calendar)


def context_for(app, session: Session) -> Context:
    """The same context outside a request (command line, seed)."""
    state = app.state
    return Context(state.settings, state.vault, state.signer, load_calendar(session))
