"""A lease lock in the database, so two server processes never run the same job at once
(works the same on SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, update
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
