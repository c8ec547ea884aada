"""Append-only, keyed, chained audit log of every staff and terminal action.

Each entry's MAC (HMAC-SHA256 under the audit key, which is kept outside the database)
covers the previous entry's MAC and the entry's canonical JSON, so removing or editing any
entry breaks every MAC after it (`verify_chain`), and whoever can write the database but
does not hold the key cannot forge a new chain after an edit. `export` writes the chain as
JSON lines that `verify_export` checks again anywhere the key is."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import IO, Iterable, Iterator

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from .models import AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64


class AuditKeyMissing(RuntimeError):
    """Sessions are made without the audit key (db.make_sessionmaker)."""


def _key(session: Session) -> bytes:
    key = session.info.get("audit_key", b"")
    if not key:
        raise AuditKeyMissing("the audit log needs its key: make sessions with make_sessionmaker(engine, key)")
    return key


def _canonical(at: dt.datetime, actor: str, action: str, subject: str, detail: dict) -> str:
    return json.dumps({"at": at.isoformat(), "actor": actor, "action": action, "subject": subject, "detail": detail},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _mac(key: bytes, prev_hash: str, canonical: str) -> str:
    return hmac.new(key, (prev_hash + canonical).encode(), hashlib.sha256).hexdigest()


def record(session: Session, actor: str, action: str, subject: str = "", **detail) -> None:
    """Append within the caller's transaction; the head row is locked until it commits.
    Core statements: every staff action passes here."""
    append(session, sealed(session, lock_head(session), actor, action, subject, **detail))


def lock_head(session: Session) -> str:
    """The chain's last MAC, its row locked until the caller's transaction ends (made, at
    GENESIS, by the first entry). A statement of the caller's may lock it instead:
    locking_head."""
    prev = session.execute(_HEAD).scalar()
    if prev is None:
        prev = GENESIS
        session.execute(insert(_heads).values(id=1, last_hash=GENESIS))
    return prev


def sealed(session: Session, prev: str, actor: str, action: str, subject: str = "", **detail) -> dict:
    """A new entry's values, its MAC chained to `prev`, the head the caller holds locked;
    for append, or for a statement of the caller's that appends it (APPEND_CTES)."""
    at = utcnow()
    mac = _mac(_key(session), prev, _canonical(at, actor, action, subject, detail))
    return {"at": at, "actor": actor, "action": action, "subject": subject, "detail": detail,
            "prev_hash": prev, "hash": mac}


def append(session: Session, entry: dict) -> None:
    """Writes a sealed entry and makes it the chain's head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_APPEND_AND_ADVANCE, {f"entry_{name}": value for name, value in entry.items()})
    else:
        session.execute(_APPEND, entry)
        session.execute(_ADVANCE, {"last_hash": entry["hash"]})


def locking_head(statement):
    """PostgreSQL: `statement` (an UPDATE or INSERT with RETURNING) made to lock the chain's
    head as it returns, its last MAC an extra column, NULL while the chain has no head: a
    round trip fewer for a writer that appends an entry after it (a submission)."""
    return statement.add_cte(_HEAD_LOCKED).returning(select(_HEAD_LOCKED.c.last_hash).scalar_subquery())


# Built once (every submission and staff action runs them): values given inline made
# each a new statement whose cache key cost more than running it.
_heads = AuditHead.__table__
_HEAD = select(_heads.c.last_hash).where(_heads.c.id == 1).with_for_update()
_HEAD_LOCKED = _HEAD.cte("audit_head_locked")
_entries = AuditEntry.__table__
_APPEND = insert(_entries)
_ADVANCE = update(_heads).where(_heads.c.id == 1)
_ENTRY = ("at", "actor", "action", "subject", "detail", "prev_hash", "hash")
# PostgreSQL: the entry and the new head in one statement, one round trip fewer.
_APPEND_AND_ADVANCE = _ADVANCE.values(last_hash=bindparam("entry_hash", type_=_heads.c.last_hash.type)).add_cte(
    _APPEND.values({name: bindparam(f"entry_{name}", type_=_entries.c[name].type) for name in _ENTRY}).cte("appended"))
# PostgreSQL: the same as CTEs for a statement of the caller's, the sealed entry its
# parameter :audit_entry as JSON (entry_json).
APPEND_CTES = (
    f"audit_appended AS (INSERT INTO {_entries.name} ({', '.join(_ENTRY)}) SELECT {', '.join(_ENTRY)} "
    f"FROM json_populate_record(NULL::{_entries.name}, CAST(:audit_entry AS json))),\n"
    f"audit_advanced AS (UPDATE {_heads.name} SET last_hash = CAST(:audit_entry AS json) ->> 'hash' WHERE id = 1)")


def entry_json(entry: dict) -> str:
    return json.dumps({**entry, "at": entry["at"].isoformat()}, ensure_ascii=False, separators=(",", ":"))


def _check(key: bytes, rows: Iterable[dict], prev: str | None = GENESIS) -> tuple[bool, int, int | None]:
    """(intact, entries checked, id of the first broken entry); `prev` None takes the first
    entry's own prev_hash as the start (an export from the middle of the chain)."""
    count = 0
    for row in rows:
        at = row["at"] if isinstance(row["at"], dt.datetime) else dt.datetime.fromisoformat(row["at"])
        start = row["prev_hash"] if prev is None else prev
        expected = _mac(key, start, _canonical(at, row["actor"], row["action"], row["subject"], row["detail"]))
        if row["prev_hash"] != start or not hmac.compare_digest(expected, row["hash"]):
            return False, count, row["id"]
        prev, count = row["hash"], count + 1
    return True, count, None


def _rows(session: Session, after_id: int = 0) -> Iterator[dict]:
    for e in session.scalars(select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)):
        yield {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
               "detail": e.detail, "prev_hash": e.prev_hash, "hash": e.hash}


def verify_chain(session: Session) -> tuple[bool, int, int | None]:
    """(intact, entries checked, id of the first broken entry), from the first entry on."""
    return _check(_key(session), _rows(session))


def export(session: Session, out: IO[str], after_id: int = 0) -> int:
    """The chain from after `after_id` as JSON lines (each with its prev_hash and MAC), for
    keeping beside the database or handing to an auditor; how many were written."""
    count = 0
    for row in _rows(session, after_id):
        out.write(json.dumps({**row, "at": row["at"].isoformat()}, ensure_ascii=False) + "\n")
        count += 1
    return count


def verify_export(key: bytes, lines: Iterable[str]) -> tuple[bool, int, int | None]:
    """An exported chain checked with the key alone: no database needed."""
    return _check(key, (json.loads(line) for line in lines if line.strip()), prev=None)
