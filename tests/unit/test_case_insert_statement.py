"""The one statement that writes a new case and its children on PostgreSQL keeps a text
and parameters psycopg converts once and keeps: past MAX_CACHED_STATEMENT_LENGTH
characters or MAX_CACHED_STATEMENT_PARAMS parameters psycopg parses the text again at
every execution, which costs a submission about what a round trip saved."""
from __future__ import annotations

import psycopg
from psycopg import _queries
from sqlalchemy import create_engine

from backoffice.case_insert import _WITH_CHILDREN


def test_the_case_statement_is_one_short_text_whatever_the_number_of_children():
    compiled = _WITH_CHILDREN.statement.compile(dialect=create_engine("postgresql+psycopg://", module=psycopg).dialect)
    assert len(str(compiled).encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH
    assert len(compiled.params) <= _queries.MAX_CACHED_STATEMENT_PARAMS
