"""Alembic environment: the back office's models are the target metadata."""
from __future__ import annotations

from alembic import context
from sqlalchemy import text

from backoffice import models  # noqa: F401  (registers every table)
from backoffice.db import Base, make_engine

config = context.config
target_metadata = Base.metadata
MIGRATION_LOCK = 0x43484D4D  # "CHMM": the advisory lock's key, the same in every process


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        # render_as_batch: SQLite alters tables by copying them
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Hosts started together each run `serve --migrate`: one migrates, the others
                # wait for its commit and then find the schema at head.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
