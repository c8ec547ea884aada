"""A statement run on the driver itself (DriverStatement, PostgreSQL) behaves as the session
would run it: in the session's transaction, after what the session holds, its errors
SQLAlchemy's and without the values sent, a lost connection dropped for a new one. On
SQLite it goes through the session, and the same tests hold."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import JSON, Column, DateTime, Integer, String, bindparam, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase

from backoffice.db import make_engine, make_sessionmaker, statements_stand_alone
from backoffice.driver_statement import DriverStatement


class _Base(DeclarativeBase):
    pass


class Probe(_Base):
    __tablename__ = "driver_statement_probe"
    id = Column(Integer, primary_key=True)
    name = Column(String(40), unique=True, nullable=False)
    made_at = Column(DateTime, default=lambda: dt.datetime(2026, 1, 1))
    note = Column(String(40), default="")
    detail = Column(JSON, default=dict)


_probes = Probe.__table__
ADD = DriverStatement(insert(_probes).values(name=bindparam("name"), made_at=bindparam("made_at"),
                                             note=bindparam("note", ""), detail=bindparam("detail", {}, JSON)))
NAMES = DriverStatement(select(_probes.c.name).order_by(_probes.c.name))
AT = dt.datetime(2026, 12, 6, 8, 30)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path):
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database(f"driver_{tmp_path.name[-12:].lower()}")
    else:
        url = f"sqlite:///{tmp_path / 'driver.db'}"
    engine = make_engine(url)
    _Base.metadata.create_all(engine)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def names(sessions) -> list[str]:
    with sessions() as session:
        return [row.name for row in NAMES.rows(session, {})]


def test_a_write_is_the_sessions_to_commit_or_roll_back(sessions):
    with sessions() as session:
        ADD.rows(session, {"name": "kept", "made_at": AT})
        session.commit()
        ADD.rows(session, {"name": "dropped", "made_at": AT})
        assert [row.name for row in NAMES.rows(session, {})] == ["dropped", "kept"]  # its own transaction sees it
        session.rollback()
    assert names(sessions) == ["kept"]


def test_a_duplicate_is_sqlalchemys_integrity_error_and_keeps_its_values_out_of_the_message(sessions):
    """Out of the message and so out of any log: the values sent, which may hold an ID
    number (what the database says of the key it refused is its own)."""
    with sessions() as session:
        ADD.rows(session, {"name": "taken", "made_at": AT})
        session.commit()
        with pytest.raises(IntegrityError) as refused:
            ADD.rows(session, {"name": "taken", "made_at": AT, "note": "469023198501010026"})
        session.rollback()
    assert "469023198501010026" not in str(refused.value)
    assert names(sessions) == ["taken"]


def test_what_the_session_holds_is_written_before_the_statement_reads(sessions):
    with sessions() as session:
        session.add(Probe(name="pending"))
        assert [row.name for row in NAMES.rows(session, {})] == ["pending"]


def test_rows_read_by_name_and_by_position(sessions):
    with sessions() as session:
        ADD.rows(session, {"name": "one", "made_at": AT})
        row = DriverStatement(select(_probes.c.name, _probes.c.made_at)).first(session, {})
        assert (row.name, row.made_at) == ("one", AT) and row[0] == "one"
        assert DriverStatement(select(_probes.c.id).where(_probes.c.name == "none")).first(session, {}) is None


def test_a_value_goes_in_the_form_its_column_type_gives_it(sessions):
    """A JSON column's document, as the session would send it."""
    with sessions() as session:
        ADD.rows(session, {"name": "devices", "made_at": AT, "detail": {"printer": {"media": "out"}}})
        assert DriverStatement(select(_probes.c.detail)).scalar(session, {}) == {"printer": {"media": "out"}}


@pytest.fixture
def postgresql_sessions(postgres_server, tmp_path):
    engine = make_engine(postgres_server.create_database(f"driver_pg_{tmp_path.name[-12:].lower()}"))
    _Base.metadata.create_all(engine)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def test_a_statement_standing_alone_is_committed_at_once(postgresql_sessions):
    """Under db.statements_stand_alone (autocommit), as the replay guard needs: the nonce
    stays written whatever happens to the request after it."""
    with postgresql_sessions() as session:
        statements_stand_alone(session)
        ADD.rows(session, {"name": "nonce", "made_at": AT})
        session.rollback()
    assert names(postgresql_sessions) == ["nonce"]


def test_a_statement_that_would_need_a_column_default_is_refused(postgresql_sessions):
    """The driver applies no Python-side default: such a statement fails at once, not by
    writing NULL."""
    with postgresql_sessions() as session, pytest.raises(TypeError, match="column defaults"):
        DriverStatement(insert(_probes).values(name=bindparam("name"))).rows(session, {"name": "no date"})


def test_a_lost_connection_is_dropped_and_the_next_transaction_gets_another(postgresql_sessions):
    backend = DriverStatement(text("SELECT pg_backend_pid()"))
    with postgresql_sessions() as session:
        first = backend.scalar(session, {})
        with postgresql_sessions() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        with pytest.raises(DBAPIError) as lost:
            backend.scalar(session, {})
        assert lost.value.connection_invalidated
        session.rollback()
        assert backend.scalar(session, {}) != first

