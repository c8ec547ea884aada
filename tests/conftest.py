"""Fixtures shared by every test folder."""
from __future__ import annotations

import json

import pytest

from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.paths import ASSETS
from tests.postgres import postgres_server  # noqa: F401  (a private PostgreSQL for the run)

DEMO_SEED = ASSETS / "seed" / "demo.json"


@pytest.fixture(scope="session")
def demo_people() -> dict[str, dict]:
    return {p["key"]: p for p in json.loads(DEMO_SEED.read_text(encoding="utf-8"))["people"]}


@pytest.fixture(scope="session")
def backoffice(tmp_path_factory) -> EmbeddedBackoffice:
    """A real back-office server process on loopback, SQLite, seeded with the demo data."""
    var = tmp_path_factory.mktemp("backoffice")
    server = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                                demo_faces=True)
    server.start()
    yield server
    server.stop()
