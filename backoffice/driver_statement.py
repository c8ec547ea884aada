"""The few statements every terminal request runs, run on the database driver itself.

On PostgreSQL a statement through SQLAlchemy's session and engine costs about twice the
CPU of the driver's own work on it (the session's bookkeeping, the compiled cache's
lookup, parameter and result set-up), and a fleet's heartbeats and submissions are a
handful of statements each, thousands a minute. A DriverStatement is compiled once and
run on psycopg's connection under the session's transaction (or its autocommit, see
db.statements_stand_alone), as the session would run it: the same SQL text, the same
parameter processing, errors raised as SQLAlchemy raises them, a lost connection
invalidated. Rows come back as the driver reads them, as named tuples. On SQLite, the
embedded engine for one county, it simply runs through the session."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from psycopg.rows import namedtuple_row
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


class _Compiled(NamedTuple):
    sql: str
    construct: Callable[[dict], dict]
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]


class DriverStatement:
    """A Core statement or text() built once at import, run many times."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled: _Compiled | None = None

    def rows(self, session: Session, values: dict) -> list:
        """The statement's rows (none for a write without RETURNING)."""
        session.flush()  # what the session holds goes first, as its autoflush would have it
        connection = session.connection()  # begins the session's transaction, as session.execute does
        if connection.dialect.name != "postgresql":
            result = connection.execute(self.statement, values)
            return list(result) if result.returns_rows else []
        compiled = self._compiled or self._compile(connection.dialect)
        parameters = compiled.construct(values)
        for name, process in compiled.processors:
            if name in parameters:
                parameters[name] = process(parameters[name])
        driver = connection.connection.driver_connection
        with driver.cursor(row_factory=namedtuple_row) as cursor:
            try:
                cursor.execute(compiled.sql, parameters)
            except connection.dialect.loaded_dbapi.Error as error:
                lost = connection.dialect.is_disconnect(error, driver, cursor)
                if lost:  # the pool then drops it, and the session's next transaction gets another
                    connection.invalidate(error)
                # Never the values in the message: one may be an ID number (db.make_engine).
                raise DBAPIError.instance(compiled.sql, parameters, error, connection.dialect.loaded_dbapi.Error,
                                          hide_parameters=True, connection_invalidated=lost,
                                          dialect=connection.dialect) from error
            return cursor.fetchall() if cursor.description is not None else []

    def first(self, session: Session, values: dict):
        rows = self.rows(session, values)
        return rows[0] if rows else None

    def scalar(self, session: Session, values: dict):
        row = self.first(session, values)
        return row[0] if row is not None else None

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise TypeError("a driver statement has fixed text: no expanding or literal parameters")
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise TypeError("a driver statement gets no column defaults: give every column its value")
        escaped = compiled.escaped_bind_names or {}
        processors = tuple((escaped.get(name, name), process) for name, bind in compiled.binds.items()
                           if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None)
        self._compiled = _Compiled(compiled.string, lambda values: compiled.construct_params(values), processors)
        return self._compiled
