"""Database engine and sessions. SQLite (WAL) by default, PostgreSQL in production."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    """hide_parameters: a database error must never write an ID number into a log."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let the "begin" hook below start transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):
            # Take the write lock at the start: a deferred transaction that read first and
            # writes later fails outright when another writer got in between (no retry).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # A pool as large as the server's thread pool (40): connections beyond pool_size are
    # closed on return, and under load that reconnect churn (a backend fork and password
    # exchange each) costs more than the queries.
    pool_size = int(os.environ.get("BACKOFFICE_DB_POOL_SIZE", 40))
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, pool_size=pool_size, max_overflow=10)


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
