"""Looking into the back office's database directly, on SQLite or PostgreSQL."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, text


def stored_bytes(server) -> bytes:
    """Everything the database holds, for checking nothing personal is kept in clear:
    the SQLite files byte for byte, or every row of every PostgreSQL table."""
    if server.kind == "sqlite":
        return b"".join(p.read_bytes() for p in server.database.parent.glob("backoffice.db*"))
    engine = create_engine(server.database_url)
    chunks = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                chunks.append(repr(tuple(row)))
    engine.dispose()
    return "".join(chunks).encode()


def execute_sql(server, statement: str, **params) -> None:
    engine = create_engine(server.database_url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()
