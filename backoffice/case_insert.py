"""Writing a new case with its materials, parts, first event and audit entry: Core
INSERTs, not the ORM's unit of work, which cost more than the rest of a submission's
writes. On PostgreSQL they go in one statement (data-modifying CTEs, which PostgreSQL
runs to completion whatever the main query reads), one round trip instead of five;
SQLite has no such CTEs and takes one INSERT per table."""
from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from sqlalchemy import LargeBinary, String, bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA
from sqlalchemy.orm import Session

from . import audit
from .driver_statement import DriverStatement
from .models import Case, CaseEvent, CaseMaterial, CasePart

# The children's tables, the case's relationships to them and the short names their rows
# go by in the one statement, in the order written.
CHILDREN = ((CaseMaterial, "materials", "m"), (CasePart, "parts", "p"), (CaseEvent, "events", "e"))
_cases = Case.__table__
_INSERT_CASE = insert(_cases).returning(_cases.c.id)  # values bound, not inlined: built once


def insert_case(session: Session, case: Case, entry: dict) -> None:
    """Writes `case`, its children and its audit entry (audit.sealed, the chain's head
    locked by the caller); `case` stays a detached picture of what was written (its id
    filled in, and every column the Python side left unset given the column's default,
    as a flush would) for the answer."""
    kin = [(model, short, getattr(case, relationship)) for model, relationship, short in CHILDREN]
    if session.get_bind().dialect.name == "postgresql":
        values = {"c": _json(columns(case)), "audit_entry": audit.entry_json(entry)}
        for model, short, children in kin:
            rows = [columns(child) for child in children]
            for column in _binary(model):  # kept out of the JSON: hex would double a scanned page
                values[f"{short}_{column.name}"] = [row.pop(column.name) for row in rows]
            values[short] = _json(rows)
        case.id = _WITH_CHILDREN.scalar(session, values)
        return
    case.id = session.execute(_INSERT_CASE, columns(case)).scalar_one()
    for model, _, children in kin:
        if children:
            session.execute(insert(model.__table__), [{**columns(child), "case_id": case.id} for child in children])
    audit.append(session, entry)


def new_row(model, **values):
    """A new object of `model` holding `values`, made without the ORM's attribute events:
    insert_case writes it with Core statements and the answer only reads it, and those
    events (about 120 a submission) cost more than the rest of building the case. Its
    relationships given as plain lists stay plain lists."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    return obj


def columns(obj) -> dict[str, Any]:
    """Every column's value of a new ORM object but its id: as set, else the column's
    default, which is set on the object too (as a flush would), so the answer built from
    it shows what was written. Rows inserted together must name the same columns."""
    given = obj.__dict__  # defaults go in as new_row's values do, without events
    for key, default in _defaults(obj.__table__):
        given.setdefault(key, default)
    return {key: given[key] for key, _ in _defaults(obj.__table__)}


@functools.cache
def _defaults(table) -> tuple[tuple[str, Any], ...]:
    """(key, scalar default) of each column but the id, in the table's order."""
    out = []
    for column in table.columns:
        if column.primary_key:
            continue
        if column.default is not None and not column.default.is_scalar:
            raise TypeError(f"{column} has a computed default: set it before the insert")
        out.append((column.key, column.default.arg if column.default is not None else None))
    return tuple(out)


def _binary(model) -> list:
    return [c for c in model.__table__.columns if isinstance(c.type, LargeBinary)]


def _json(rows) -> str:
    """Rows as PostgreSQL's json_populate_record reads them: dates and times in ISO form,
    a JSON column's value as it is."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_iso)


def _iso(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _with_children():
    """The one statement, its text and parameters the same whatever the number of
    children, so the driver converts and the server plans it once: the case's row and
    each child table's rows go as JSON, made rows of the table's own types by
    json_populate_record(set) (none when a list is empty); a binary column goes as an
    array beside them, taken by the row's ordinal. The audit entry goes last, as JSON too."""
    def names(table, skip=("id",)) -> list[str]:
        return [c.name for c in table.columns if c.name not in skip]

    case_columns = ", ".join(names(_cases))
    parts = [f"WITH c AS (INSERT INTO cases ({case_columns}) SELECT {case_columns} "
             "FROM json_populate_record(NULL::cases, CAST(:c AS json)) RETURNING id)"]
    parameters = [bindparam("c", type_=String)]
    for model, _, short in CHILDREN:
        table, binary = model.__table__, {c.name for c in _binary(model)}
        kept = names(table, ("id", "case_id"))
        chosen = [f"(:{short}_{name})[r.ordinality]" if name in binary else f"r.{name}" for name in kept]
        parts.append(f"new_{short} AS (INSERT INTO {table.name} (case_id, {', '.join(kept)}) "
                     f"SELECT c.id, {', '.join(chosen)} FROM c, "
                     f"json_populate_recordset(NULL::{table.name}, CAST(:{short} AS json)) WITH ORDINALITY AS r)")
        parameters += [bindparam(short, type_=String)] + [bindparam(f"{short}_{name}", type_=ARRAY(BYTEA))
                                                          for name in sorted(binary)]
    parts.append(audit.APPEND_CTES)
    parameters.append(bindparam("audit_entry", type_=String))
    return text(",\n".join(parts) + "\nSELECT id FROM c").bindparams(*parameters)


_WITH_CHILDREN = DriverStatement(_with_children())
