"""The engines the back office makes: SQLite writers take turns on the process's lock and
always give it back; a PostgreSQL connection cut while idle is replaced, not handed out."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backoffice import db


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    yield engine
    engine.dispose()


def test_concurrent_sqlite_writers_all_get_their_turn(sqlite_engine):
    # Read-then-write in each transaction: with deferred transactions, or writers not
    # queued, some of these would fail with "database is locked" or lose updates.
    def bump():
        for _ in range(25):
            with sqlite_engine.begin() as conn:
                value = conn.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one()
                conn.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 200


def test_sqlite_writer_lock_is_given_back_however_a_transaction_ends(sqlite_engine):
    with sqlite_engine.connect() as conn:  # rolled back
        conn.begin()
        conn.execute(text("UPDATE counter SET value = 5"))
        conn.rollback()
    conn = sqlite_engine.connect()  # closed with the transaction still open
    conn.begin()
    conn.execute(text("UPDATE counter SET value = 6"))
    conn.close()
    with pytest.raises(RuntimeError):  # an error inside the transaction
        with sqlite_engine.begin() as conn:
            conn.execute(text("UPDATE counter SET value = 7"))
            raise RuntimeError("boom")
    # Another thread can write now; it would wait out the busy timeout and fail otherwise.
    done = []

    def write():
        with sqlite_engine.begin() as conn:
            conn.execute(text("UPDATE counter SET value = 8"))
        done.append(True)

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    assert done == [True]
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == 8


def test_postgres_connection_cut_while_idle_is_replaced(postgres_server, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every checkout counts as after a long idle
    url = postgres_server.create_database("engine_idle")
    engine, killer = db.make_engine(url), create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as other:  # the server ends the pooled, idle connection
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()
        killer.dispose()


def test_sqlite_read_phase_reads_while_another_thread_is_writing(sqlite_engine):
    # A submission's checks run in a read phase: they must not queue behind a writer.
    writing, finish = threading.Event(), threading.Event()

    def writer():
        with sqlite_engine.begin() as conn:
            conn.execute(text("UPDATE counter SET value = 41"))
            writing.set()
            finish.wait()

    worker = threading.Thread(target=writer)
    worker.start()
    writing.wait()
    try:
        with Session(sqlite_engine) as session:
            with db.read_phase(session):
                seen = session.execute(text("SELECT value FROM counter")).scalar_one()
            assert not session.in_transaction()
        assert seen == 0  # the writer has not committed yet
    finally:
        finish.set()
        worker.join()


def test_postgres_stand_alone_statements_leave_the_pool_transactional(postgres_server):
    # Terminal signature checks run in autocommit on PostgreSQL; the pooled connection
    # must come back to the next request with transactions working again.
    engine = db.make_engine(postgres_server.create_database("engine_autocommit"))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (body TEXT)"))
        with Session(engine) as session:
            db.statements_stand_alone(session)
            session.execute(text("INSERT INTO notes VALUES ('kept without a commit')"))
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            session.rollback()
        with Session(engine) as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid  # the same connection
            session.execute(text("INSERT INTO notes VALUES ('rolled back')"))
            session.rollback()
            assert session.execute(text("SELECT body FROM notes")).scalars().all() == ["kept without a commit"]
    finally:
        engine.dispose()


def test_sqlite_server_engine_checkpoints_the_wal_in_the_background(tmp_path, monkeypatch):
    from backoffice import sqlite_engine

    monkeypatch.setattr(sqlite_engine, "CHECKPOINT_EVERY_S", 0.05)
    path = tmp_path / "server.db"
    engine = db.make_engine(f"sqlite:///{path}", background_checkpoints=True)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE pages (body BLOB)")
            # Writers themselves checkpoint only as a fallback, far beyond this much WAL.
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == \
                sqlite_engine.FALLBACK_AUTOCHECKPOINT_PAGES
        before = path.stat().st_size
        for _ in range(50):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO pages VALUES (randomblob(8000))"))
        # The rows reach the database file itself only through a checkpoint.
        for _ in range(400):
            if path.stat().st_size > before + 50 * 8000:
                break
            threading.Event().wait(0.05)
        assert path.stat().st_size > before + 50 * 8000
    finally:
        engine.dispose()
