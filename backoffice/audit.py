"""Append-only, hash-chained audit log of every staff and terminal action.

Each entry's hash covers the previous hash and the entry's canonical JSON, so removing or
editing any entry breaks every hash after it (`verify_chain`)."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    canonical = json.dumps(
        {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
         "subject": entry.subject, "detail": entry.detail},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def record(session: Session, actor: str, action: str, subject: str = "", **detail) -> AuditEntry:
    """Append within the caller's transaction; the head row is locked until it commits.
    Core statements: every submission and staff action passes here."""
    heads, entries = AuditHead.__table__, AuditEntry.__table__
    prev = session.execute(select(heads.c.last_hash).where(heads.c.id == 1).with_for_update()).scalar()
    if prev is None:
        prev = GENESIS
        session.execute(insert(heads).values(id=1, last_hash=GENESIS))
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, subject=subject, detail=detail, prev_hash=prev)
    entry.hash = _digest(prev, entry)  # a transient object: never added to the session
    session.execute(insert(entries).values(at=entry.at, actor=actor, action=action, subject=subject,
                                           detail=detail, prev_hash=prev, hash=entry.hash))
    session.execute(update(heads).where(heads.c.id == 1).values(last_hash=entry.hash))
    return entry


def verify_chain(session: Session) -> tuple[bool, int, int | None]:
    """(intact, entries checked, id of the first broken entry)."""
    prev, count = GENESIS, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev or _digest(prev, entry) != entry.hash:
            return False, count, entry.id
        prev, count = entry.hash, count + 1
    return True, count, None
