"""Writing a new case with its materials, parts and first event: Core INSERTs, not the
ORM's unit of work, which cost more than the rest of a submission's writes. On
PostgreSQL the case and its children go in one statement (data-modifying CTEs, which
PostgreSQL runs to completion whatever the main query reads), one round trip instead of
three; SQLite has no such CTEs and takes one INSERT per table."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import bindparam, cast, insert, select, union_all
from sqlalchemy.orm import Session

from .models import Case, CaseEvent, CaseMaterial, CasePart

# The children's tables and the case's relationships to them, in the order written.
CHILDREN = ((CaseMaterial, "materials"), (CasePart, "parts"), (CaseEvent, "events"))
_cases = Case.__table__
_INSERT_CASE = insert(_cases).returning(_cases.c.id)  # values bound, not inlined: built once


def insert_case(session: Session, case: Case) -> None:
    """Writes `case` and its children; `case` stays a detached picture of what was written
    (its id filled in, and every column the Python side left unset given the column's
    default, as a flush would) for the answer."""
    kin = [(model, getattr(case, relationship)) for model, relationship in CHILDREN]
    if session.get_bind().dialect.name == "postgresql":
        values = {f"case_{name}": value for name, value in columns(case).items()}
        for model, children in kin:
            for n, child in enumerate(children):
                values.update({f"{model.__tablename__}_{n}_{name}": value
                               for name, value in columns(child).items() if name != "case_id"})
        case.id = session.execute(_with_children(tuple(len(children) for _, children in kin)), values).scalar_one()
        return
    case.id = session.execute(_INSERT_CASE, columns(case)).scalar_one()
    for model, children in kin:
        if children:
            session.execute(insert(model.__table__), [{**columns(child), "case_id": case.id} for child in children])


def columns(obj) -> dict[str, Any]:
    """Every column's value of a new ORM object but its id: as set, else the column's
    default, which is set on the object too (as a flush would), so the answer built from
    it shows what was written. Rows inserted together must name the same columns."""
    values = {}
    for column in obj.__table__.columns:
        if column.primary_key:
            continue
        if column.key not in obj.__dict__:
            if column.default is not None and not column.default.is_scalar:
                raise TypeError(f"{column} has a computed default: set it before the insert")
            setattr(obj, column.key, column.default.arg if column.default is not None else None)
        values[column.key] = obj.__dict__[column.key]
    return values


@functools.lru_cache(maxsize=64)
def _with_children(counts: tuple[int, ...]):
    """The one statement for a case with `counts` rows of each of CHILDREN, built once per
    shape; its parameters are named case_<column> and <table>_<n>_<column>."""
    written = [c for c in _cases.columns if not c.primary_key]
    new_case = insert(_cases).values({c.key: bindparam(f"case_{c.key}", type_=c.type) for c in written}) \
        .returning(_cases.c.id).cte("new_case")
    statement = select(new_case.c.id)
    for (model, _), count in zip(CHILDREN, counts):
        if not count:
            continue
        table = model.__table__
        names = [c for c in table.columns if not c.primary_key and c.key != "case_id"]
        # Cast: a row of a UNION names no column, and a NULL sent for a bytea would be text.
        rows = [select(new_case.c.id, *[cast(bindparam(f"{table.name}_{n}_{c.key}", type_=c.type), c.type)
                                        for c in names]) for n in range(count)]
        chosen = rows[0] if count == 1 else union_all(*rows)
        statement = statement.add_cte(
            insert(table).from_select(["case_id", *[c.key for c in names]], chosen).cte(f"new_{table.name}"))
    return statement
