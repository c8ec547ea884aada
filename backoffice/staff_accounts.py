"""Staff accounts over their life: signing out ends the token presented, and an account
disabled (someone left, a password leaked) can neither sign in nor use a token it holds."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import audit
from .models import Staff, StaffToken
from .security.crypto import token_hash


def sign_out(session: Session, token: str, actor: str) -> bool:
    """The token opens nothing more; False when it was not a live one."""
    ended = session.execute(delete(StaffToken).where(StaffToken.token_hash == token_hash(token))).rowcount
    audit.record(session, actor, "staff.logout", actor.split(":", 1)[-1])
    session.commit()
    return ended == 1


def set_disabled(session: Session, username: str, disabled: bool, reason: str, actor: str) -> bool:
    """Disables an account and ends every token it holds, or enables it again; False when
    there is no such account."""
    staff = session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        return False
    staff.active = not disabled
    if disabled:
        session.execute(delete(StaffToken).where(StaffToken.staff_id == staff.id))
    audit.record(session, actor, "staff.disable" if disabled else "staff.enable", username, reason=reason[:200])
    session.commit()
    return True
