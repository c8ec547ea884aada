"""Staff accounts over their life: made by an administrator (the command line or the
console), signing out ends the token presented, and an account disabled (someone left, a
password leaked) can neither sign in nor use a token it holds; a console session left
unused ends by itself."""
from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .auth import ROLES
from .models import Department, Staff, StaffToken, utcnow
from .security.crypto import hash_password, token_hash

PASSWORD_MIN = 10
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")


class AccountRefused(ValueError):
    """Why an account cannot be made as asked: `reason` is one of the codes below."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # username | taken | role | department | password


def one_time_password() -> str:
    """A first password for the new colleague, shown once to the administrator: 96 random bits."""
    return secrets.token_urlsafe(12)


def create(session: Session, username: str, password: str, role: str, department_code: str, actor: str) -> Staff:
    """Adds an account and audits it (never the password); AccountRefused says what is wrong.
    An approver works within a department, so theirs must be one the catalogue knows."""
    if not USERNAME.fullmatch(username):
        raise AccountRefused("username")
    if role not in ROLES:
        raise AccountRefused("role")
    if (department_code or role == "approver") and session.get(Department, department_code) is None:
        raise AccountRefused("department")
    if len(password) < PASSWORD_MIN:
        raise AccountRefused("password")
    if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountRefused("taken")
    staff = Staff(username=username, password_hash=hash_password(password), role=role,
                  department_code=department_code)
    session.add(staff)
    audit.record(session, actor, "staff.create", username, role=role, department=department_code)
    try:
        session.commit()
    except IntegrityError:  # made by another administrator since the check above
        session.rollback()
        raise AccountRefused("taken") from None
    return staff


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


def keep_alive_step(idle_s: int) -> int:
    """How stale a console session's idle deadline may get before a page moves it on: a
    page's images and htmx parts do not each cost a write."""
    return min(60, idle_s // 4)


def keep_alive(session: Session, token: str, idle_s: int) -> None:
    """The console session was used now: it stays open `idle_s` more."""
    row = session.get(StaffToken, token_hash(token))
    now = utcnow()
    fresh = dt.timedelta(seconds=idle_s - keep_alive_step(idle_s))
    if row is None or row.idle_until is None or row.idle_until - now > fresh:
        return
    row.idle_until = now + dt.timedelta(seconds=idle_s)
    session.commit()


def end_if_idle(session: Session, token: str, idle_s: int, *, page_left: bool = False) -> bool:
    """Whether the token was a console session left unused past its deadline; ended now and
    audited if so, so the sign-in page can say why it shows. `page_left`: its page left for
    the sign-in by itself (console.js), which it does up to a keep-alive step early; a
    session another page of which is still in use is left alone."""
    row = session.get(StaffToken, token_hash(token)) if token else None
    if row is None or row.idle_until is None:
        return False
    early = dt.timedelta(seconds=keep_alive_step(idle_s) + 5 if page_left else 0)
    if row.idle_until - utcnow() > early:
        return False
    username = row.staff.username
    session.delete(row)
    audit.record(session, f"staff:{username}", "staff.idle_sign_out", username)
    session.commit()
    return True
