"""The durable outbox: every submission, rating and check-in is written here, encrypted and
fsync'd, before the kiosk tries to send it.

A row is one thing a citizen did at this kiosk. Its payload (the application with the
applicant's ID number and the captured pages) is AES-GCM encrypted with a key that lives
in its own file next to the terminal secret, not in the database, and is bound to the row
(kind and idempotency key as associated data) so a payload cannot be moved to another row.
Once the back office has it, the payload is erased and only the outcome (a case number)
stays, for the "where is my queued application" lookup, until it is pruned.

SQLite in WAL mode with synchronous=FULL: a commit is on the disk when put() returns, so
a power cut or a SIGKILL right after cannot lose what the citizen was told was kept. A file
that is not a sound outbox is set aside, never deleted (open()), so the kiosk goes on
taking applications and the county's IT keeps what it held.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.county import CST

from .outbox_seal import KEY_BYTES, LocalSealer, OutboxKeyError, OutboxSealer, load_or_create_key

__all__ = ["DELIVERED", "KEY_BYTES", "PARKED", "PENDING", "SET_ASIDE", "Outbox", "OutboxItem", "OutboxKeyError",
           "OutboxSealer", "load_or_create_key", "read_stats", "set_aside"]

log = logging.getLogger(__name__)
PENDING, DELIVERED, PARKED = "pending", "delivered", "parked"
SET_ASIDE = ".corrupt-"  # outbox.sqlite.corrupt-20261205T235900Z: a damaged outbox, kept

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL,          -- the provisional number printed on a queued receipt
    applicant_hash TEXT NOT NULL,     -- keyed hash of the document number, for lookups
    created_at REAL NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    payload BLOB,                     -- nonce || AES-GCM ciphertext; NULL once delivered
    outcome TEXT NOT NULL DEFAULT '', -- JSON, no personal data (a case number)
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS items_due ON items (state, next_attempt_at, id);
CREATE INDEX IF NOT EXISTS items_applicant ON items (applicant_hash);
CREATE TABLE IF NOT EXISTS sequence (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    idempotency_key: str
    reference: str
    created_at: float
    state: str
    attempts: int
    next_attempt_at: float
    last_error: str
    outcome: dict

    @property
    def case_number(self) -> str:
        return str(self.outcome.get("case_number", ""))


def read_stats(path: Path, now: float | None = None) -> dict[str, Any] | None:
    """The outbox's counts without its key, read-only (kiosk-diag report, while the app
    may be writing); None when there is no outbox yet."""
    set_aside = sorted(p.name for p in path.parent.glob(f"{path.name}{SET_ASIDE}*") if not p.name.endswith(
        ("-wal", "-shm")))
    if not path.exists():
        return {"pending": 0, "parked": 0, "oldest_pending_s": None, "last_error": "", "set_aside": set_aside} \
            if set_aside else None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = dict(db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())
        oldest = db.execute("SELECT MIN(created_at) FROM items WHERE state = ?", (PENDING,)).fetchone()[0]
        error = db.execute("SELECT last_error FROM items WHERE state IN (?, ?) AND last_error != '' "
                           "ORDER BY id DESC LIMIT 1", (PENDING, PARKED)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    now = time.time() if now is None else now
    return {"pending": int(counts.get(PENDING, 0)), "parked": int(counts.get(PARKED, 0)),
            "oldest_pending_s": None if oldest is None else max(0.0, now - oldest),
            "last_error": error[0] if error else "", "set_aside": set_aside}


def set_aside(path: Path, now: float | None = None) -> Path:
    """Renames a damaged outbox (and its WAL and shared-memory files) beside itself."""
    stamp = dt.datetime.fromtimestamp(time.time() if now is None else now, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.name}{SET_ASIDE}{stamp}")
    for suffix in ("", "-wal", "-shm"):
        damaged = path.with_name(path.name + suffix)
        if damaged.exists():
            damaged.rename(kept.with_name(kept.name + suffix))
    return kept


class Outbox:
    @classmethod
    def open(cls, path: Path, key: bytes | OutboxSealer, terminal_id: str = "", clock=time.time) -> "Outbox":
        """The outbox at `path`; one that SQLite cannot read or that fails its integrity
        check (a disk fault, a file cut short) is set aside for forensics, logged, shown by
        `kiosk-diag report`, and a fresh one started: the kiosk must not stop taking
        applications, and the damaged file may still hold what citizens were told was kept."""
        try:
            outbox = cls(path, key, terminal_id, clock)
        except sqlite3.DatabaseError:
            outbox = None
        if outbox is not None:
            if outbox.sound():
                return outbox
            outbox.close()
        kept = set_aside(path)
        log.error("outbox damaged: set aside, a fresh one started", extra={"file": kept.name})
        return cls(path, key, terminal_id, clock)

    def __init__(self, path: Path, key: bytes | OutboxSealer, terminal_id: str = "", clock=time.time):
        """`key`: the outbox key itself, or whatever seals with it (services/outbox_seal.py)."""
        self._sealer = LocalSealer(key) if isinstance(key, bytes) else key
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._terminal_suffix = "".join(c for c in terminal_id if c.isdigit())[-4:] or "0000"
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # an erased payload is zeroed, not left in a free page
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- writing ---------------------------------------------------------------------------
    def put(self, kind: str, payload: dict, idempotency_key: str, applicant: str = "") -> OutboxItem:
        """Keeps the payload durably; returns the row with its provisional reference. The
        same idempotency key twice returns the first row (a double tap stores one item)."""
        now = self._clock()
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
            if row is not None:
                return _item(row)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                reference = self._next_reference(now)
                sealed = self._seal(kind, idempotency_key, payload)
                cursor = self._db.execute(
                    "INSERT INTO items (kind, idempotency_key, reference, applicant_hash, created_at, state, "
                    "next_attempt_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (kind, idempotency_key, reference, self.applicant_hash(applicant), now, PENDING, now, sealed))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            item = self._get(int(cursor.lastrowid or 0))
            assert item is not None  # inserted just above, in this transaction
            return item

    def delivered(self, item_id: int, outcome: dict) -> None:
        """The back office has it: the payload is erased, the outcome (no personal data) kept."""
        self._finish(item_id, DELIVERED, outcome, "")

    def discard(self, item_id: int, reason: str) -> None:
        """Refused while the citizen was still at the kiosk to correct it: nothing to send."""
        self._finish(item_id, DELIVERED, {"refused": reason[:200]}, reason)

    def park(self, item_id: int, reason: str) -> None:
        """A poisoned item: it will not succeed by retrying, so it stops blocking the others
        and waits for staff (maintenance screen, heartbeat). Its payload is kept, encrypted."""
        with self._lock:
            self._db.execute("UPDATE items SET state = ?, last_error = ?, finished_at = ? WHERE id = ?",
                             (PARKED, reason[:500], self._clock(), item_id))

    def retry_later(self, item_id: int, reason: str, delay_s: float) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE items SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (self._clock() + delay_s, reason[:500], item_id))

    def requeue_parked(self, parked_for_s: float = 0.0) -> int:
        """Staff's "send again" (and the sender's own, for items parked `parked_for_s` or
        longer): parked items go back to the end of their turn, due now."""
        now = self._clock()
        with self._lock:
            cursor = self._db.execute(
                "UPDATE items SET state = ?, attempts = 0, next_attempt_at = ?, finished_at = NULL "
                "WHERE state = ? AND finished_at <= ?", (PENDING, now, PARKED, now - parked_for_s))
            return cursor.rowcount

    def make_due(self) -> None:
        """Staff's "send now": every pending item is due at once, backoff forgotten."""
        with self._lock:
            self._db.execute("UPDATE items SET next_attempt_at = ? WHERE state = ?", (self._clock(), PENDING))

    def prune(self, older_than_s: float = 30 * 86400) -> int:
        """Delivered rows are kept a while for the applicant's lookup, then dropped."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM items WHERE state = ? AND finished_at < ?",
                                      (DELIVERED, self._clock() - older_than_s))
            return cursor.rowcount

    # --- reading ---------------------------------------------------------------------------
    def payload(self, item: OutboxItem) -> dict:
        with self._lock:
            row = self._db.execute("SELECT payload FROM items WHERE id = ?", (item.id,)).fetchone()
        if row is None or row[0] is None:
            raise OutboxKeyError(f"item {item.id} has no payload")
        return self._open(item.kind, item.idempotency_key, row[0])

    def get(self, item_id: int) -> OutboxItem | None:
        with self._lock:
            return self._get(item_id)

    def pending(self, due_by: float | None = None) -> list[OutboxItem]:
        """Pending items oldest first; with due_by, only those whose backoff has passed."""
        query = "SELECT * FROM items WHERE state = ?"
        args: list[object] = [PENDING]
        if due_by is not None:
            query += " AND next_attempt_at <= ?"
            args.append(due_by)
        with self._lock:
            return [_item(r) for r in self._db.execute(query + " ORDER BY id", args)]

    def parked(self) -> list[OutboxItem]:
        with self._lock:
            return [_item(r) for r in self._db.execute("SELECT * FROM items WHERE state = ? ORDER BY id", (PARKED,))]

    def next_due_at(self) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT MIN(next_attempt_at) FROM items WHERE state = ?", (PENDING,)).fetchone()
        return row[0]

    def for_applicant(self, document_number: str) -> list[OutboxItem]:
        """This applicant's items kept here (queued, parked, or recently delivered)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM items WHERE applicant_hash = ? ORDER BY id",
                                    (self.applicant_hash(document_number),)).fetchall()
        return [_item(r) for r in rows]

    def stats(self) -> dict[str, Any]:
        """For the heartbeat and the maintenance screen: counts and the oldest wait."""
        with self._lock:
            counts = dict(self._db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())
            oldest = self._db.execute("SELECT MIN(created_at) FROM items WHERE state = ?", (PENDING,)).fetchone()[0]
            error = self._db.execute(
                "SELECT last_error FROM items WHERE state IN (?, ?) AND last_error != '' ORDER BY id DESC LIMIT 1",
                (PENDING, PARKED)).fetchone()
        return {
            "pending": int(counts.get(PENDING, 0)),
            "parked": int(counts.get(PARKED, 0)),
            "oldest_pending_s": None if oldest is None else max(0.0, self._clock() - oldest),
            "last_error": error[0] if error else "",
        }

    def sound(self) -> bool:
        """SQLite's own check of the file's structure."""
        with self._lock:
            try:
                return self._db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                return False

    def db_settings(self) -> tuple[str, int]:
        """(journal mode, synchronous level): "wal" and 2 (FULL) mean a commit is on the disk."""
        with self._lock:
            return (self._db.execute("PRAGMA journal_mode").fetchone()[0],
                    self._db.execute("PRAGMA synchronous").fetchone()[0])

    def applicant_hash(self, document_number: str) -> str:
        if not document_number:
            return ""
        return self._sealer.applicant_hash(document_number.strip().upper())

    # --- internals -------------------------------------------------------------------------
    def _finish(self, item_id: int, state: str, outcome: dict, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE items SET state = ?, payload = NULL, outcome = ?, last_error = ?, finished_at = ? "
                "WHERE id = ?", (state, json.dumps(outcome, ensure_ascii=False), error[:500], self._clock(), item_id))

    def _get(self, item_id: int) -> OutboxItem | None:
        row = self._db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else _item(row)

    def _next_reference(self, now: float) -> str:
        """临时编号: terminal, date, a daily sequence, e.g. L0001-261127-003."""
        day = dt.datetime.fromtimestamp(now, CST).strftime("%y%m%d")
        self._db.execute("INSERT INTO sequence (day, last) VALUES (?, 1) "
                         "ON CONFLICT(day) DO UPDATE SET last = last + 1", (day,))
        last = self._db.execute("SELECT last FROM sequence WHERE day = ?", (day,)).fetchone()[0]
        return f"L{self._terminal_suffix}-{day}-{last:03d}"

    def _seal(self, kind: str, idempotency_key: str, payload: dict) -> bytes:
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return self._sealer.seal(f"{kind}\0{idempotency_key}".encode(), plain)

    def _open(self, kind: str, idempotency_key: str, sealed: bytes) -> dict:
        return json.loads(self._sealer.open(f"{kind}\0{idempotency_key}".encode(), bytes(sealed)))


_COLUMNS = ("id", "kind", "idempotency_key", "reference", "applicant_hash", "created_at", "state", "attempts",
            "next_attempt_at", "last_error", "payload", "outcome", "finished_at")


def _item(row: tuple) -> OutboxItem:
    values = dict(zip(_COLUMNS, row))
    return OutboxItem(
        id=values["id"], kind=values["kind"], idempotency_key=values["idempotency_key"],
        reference=values["reference"], created_at=values["created_at"], state=values["state"],
        attempts=values["attempts"], next_attempt_at=values["next_attempt_at"],
        last_error=values["last_error"], outcome=json.loads(values["outcome"] or "{}"))
