"""Database engine and sessions. SQLite (WAL) by default, PostgreSQL in production."""
from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str, background_checkpoints: bool = False) -> Engine:
    """hide_parameters: a database error must never write an ID number into a log.
    background_checkpoints: SQLite only, for the server (see sqlite_engine)."""
    if url.startswith("sqlite"):
        from .sqlite_engine import sqlite_engine

        return sqlite_engine(url, background_checkpoints)
    # A pool as large as the server's thread pool (40): connections beyond pool_size are
    # closed on return, and under load that reconnect churn (a backend fork and password
    # exchange each) costs more than the queries.
    pool_size = int(os.environ.get("BACKOFFICE_DB_POOL_SIZE", 40))
    # Named by process, so pg_stat_activity tells which server process (of several, on
    # several hosts) holds a connection; a name in the URL wins.
    process = f"backoffice {socket.gethostname()}:{os.getpid()}"[:63]
    name = {} if "application_name=" in url else {"application_name": process}
    engine = create_engine(url, hide_parameters=True, pool_size=pool_size, max_overflow=10, connect_args=name)
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


def stands_alone(session: Session) -> bool:
    """Whether the session's statements stand alone now (statements_stand_alone)."""
    return session.in_transaction() and \
        session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def make_sessionmaker(engine: Engine, audit_key: bytes = b"") -> sessionmaker:
    """Sessions carry the audit chain's key (audit.py reads it from session.info)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info={"audit_key": audit_key})
