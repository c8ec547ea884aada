"""Database engine and sessions. SQLite (WAL) by default, PostgreSQL in production."""
from __future__ import annotations

import os
from contextlib import contextmanager
import sqlite3
import threading
import time

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


BUSY_TIMEOUT_S = 10.0


def make_engine(url: str) -> Engine:
    """hide_parameters: a database error must never write an ID number into a log."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # A pool as large as the server's thread pool (40): connections beyond pool_size are
    # closed on return, and under load that reconnect churn (a backend fork and password
    # exchange each) costs more than the queries.
    pool_size = int(os.environ.get("BACKOFFICE_DB_POOL_SIZE", 40))
    engine = create_engine(url, hide_parameters=True, pool_size=pool_size, max_overflow=10)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection idle longer than PING_AFTER_IDLE_S: the one
    that a database restart or a firewall's idle timeout may have cut. pre_ping on every
    checkout cost a round trip per transaction, two per request, which under load (each
    answer waiting for the GIL) was a real share of a request's time. A connection cut
    while busy fails its request once and the pool drops the other connections of that
    server (SQLAlchemy invalidates the pool on a disconnect), as it would with pre_ping."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure: let the pool replace this connection
            raise DisconnectionError(f"connection lost while idle: {type(exc).__name__}") from exc


class _WriterLockConnection(sqlite3.Connection):
    """Gives the process's writer lock back once its transaction has really ended."""

    writer_lock: threading.Lock | None = None  # set per engine by _sqlite_engine
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


def _sqlite_engine(url: str) -> Engine:
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

    return engine


READ_ONLY = "backoffice_read_only"


@contextmanager
def read_phase(session: Session):
    """Reads and checks done before writing: on SQLite in a transaction of their own that
    takes no writer turn, so the write that follows holds the lock only to write. Only
    reads belong inside. Elsewhere (PostgreSQL, or a transaction already open) the reads
    simply join the transaction: they lock nothing there."""
    if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        yield
        return
    session.connection(execution_options={READ_ONLY: True})
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()  # not a rollback: that would expire what was read


def statements_stand_alone(session: Session) -> None:
    """The session's next statements each stand on their own (a read, then one write): on
    PostgreSQL they run in autocommit, which spares the BEGIN and COMMIT round trips
    (psycopg sends each separately); on SQLite they stay one ordinary transaction. Call
    before the first statement; the session's commit ends it either way."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
