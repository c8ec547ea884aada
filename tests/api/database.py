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


def query(server, statement: str, **params) -> list[tuple]:
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(statement), params)]
    engine.dispose()
    return rows


def catalogued_app(tmp_path, monkeypatch):
    """The back office in process on a migrated SQLite file with the catalogue loaded, for
    tests that call its functions directly (and may move its clock)."""
    from backoffice import migrations_runner
    from backoffice.app import create_app
    from backoffice.catalogue import load_catalogue
    from backoffice.settings import Settings

    monkeypatch.setenv("BACKOFFICE_VAR_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'bo.db'}"
    migrations_runner.upgrade(url)
    app = create_app(Settings.from_env(url))
    with app.state.sessions() as session:
        load_catalogue(session)
        session.commit()
    return app
