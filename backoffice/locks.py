"""A lease lock in the database, so two server processes never run the same job at once
(works the same on SQLite and PostgreSQL); and locks held for one transaction, so checks
that count rows before adding one are taken one after another across processes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import JobLock, utcnow


def try_acquire(session: Session, name: str, holder: str, ttl_s: int = 300) -> bool:
    now = utcnow()
    expires = now + dt.timedelta(seconds=ttl_s)
    taken = session.execute(
        update(JobLock).where(JobLock.name == name, JobLock.expires_at < now)
        .values(holder=holder, expires_at=expires)
    ).rowcount
    if taken:
        session.commit()
        return True
    try:
        session.add(JobLock(name=name, holder=holder, expires_at=expires))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == holder))
    session.commit()


def hold_for_transaction(session: Session, *keys: str) -> None:
    """Waits for, then holds until the transaction ends, a lock on each key (PostgreSQL's
    transaction-level advisory locks, taken in one order so two callers never deadlock).
    SQLite, one server process with one writer at a time, needs none."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
