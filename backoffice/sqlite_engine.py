"""The SQLite engine: WAL, one writer at a time per process queued on a lock, read phases
without any lock, and WAL checkpoints kept out of the requests' way."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
import weakref

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from .db import READ_ONLY

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 10.0
CHECKPOINT_EVERY_S = 1.0
# With background checkpoints a writer checkpoints only if the WAL grew this large anyway
# (pages of 4 KiB): the background thread has stalled, and the file must not grow forever.
FALLBACK_AUTOCHECKPOINT_PAGES = 10000


class _WriterLockConnection(sqlite3.Connection):
    """Gives the process's writer lock back once its transaction has really ended."""

    writer_lock: threading.Lock | None = None  # set per engine by sqlite_engine
    holds_writer_lock = False

    def _release(self) -> None:
        if self.holds_writer_lock:
            self.holds_writer_lock = False
            self.writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


def sqlite_engine(url: str, background_checkpoints: bool = False) -> Engine:
    # One writer at a time within the process, queued on a lock: SQLite's own busy handler
    # makes waiting writers sleep and poll (up to 100 ms a nap), which under a fleet's
    # load made the slowest requests wait seconds for a lock that was free most of the
    # time. busy_timeout still arbitrates between server processes.
    writer_lock = threading.Lock()
    factory = type("WriterLockConnection", (_WriterLockConnection,), {"writer_lock": writer_lock})
    engine = create_engine(url, connect_args={"check_same_thread": False, "factory": factory},
                           hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let the "begin" hook below start transactions
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; with WAL never corrupt
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        if background_checkpoints:
            cur.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_AUTOCHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin_immediate(conn):
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")  # a read phase: WAL readers need no lock at all
            return
        # Take the write lock at the start: a deferred transaction that read first and
        # writes later fails outright when another writer got in between (no retry).
        dbapi_conn = conn.connection.dbapi_connection
        if not writer_lock.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked (no turn to write within the busy timeout)")
        dbapi_conn.holds_writer_lock = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_conn._release()
            raise

    if background_checkpoints and engine.url.database not in (None, "", ":memory:"):
        _start_checkpointer(engine, engine.url.database)
    return engine


def _start_checkpointer(engine: Engine, path: str) -> None:
    """By default the commit that fills the WAL to 1000 pages copies them into the database
    and fsyncs it, holding the write lock meanwhile: every few seconds under the fleet's
    load, one request (and every writer queued behind it) waited 10-20 ms, far more when
    the disk was busy. A PASSIVE checkpoint from this thread runs beside the writers
    instead. It stops when the engine is gone."""
    alive = weakref.ref(engine)

    def run() -> None:
        conn = sqlite3.connect(path, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            while alive() is not None:
                time.sleep(CHECKPOINT_EVERY_S)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # e.g. the database was removed: writers fall back
                    log.warning("background WAL checkpoint stopped: %s", exc)
                    return
        finally:
            conn.close()

    threading.Thread(target=run, name="sqlite-checkpoint", daemon=True).start()
