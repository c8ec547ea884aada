"""The back office on a real PostgreSQL server (the run's private cluster): the same HTTP
checks the kiosk relies on, signed requests and replays, and the migrations both ways."""
from __future__ import annotations

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from backoffice import migrations_runner
from backoffice.db import Base
from demo.embedded_backoffice import EmbeddedBackoffice
from domain.cases import CaseStatus
from services.api import BackofficeClient, BackofficeRefused, TerminalSignature
from tests.presence import confirm

WANG = "469023195801041234"
TERMINAL = "CM-KIOSK-0001"


@pytest.fixture(scope="module")
def pg_backoffice(postgres_server, tmp_path_factory):
    var = tmp_path_factory.mktemp("backoffice-pg")
    url = postgres_server.create_database("backoffice_http")
    server = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "backoffice.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(pg_backoffice):
    c = BackofficeClient(pg_backoffice.url, timeout=10, terminal_id=TERMINAL,
                         secret=pg_backoffice.terminal_secret_file.read_text())
    yield c
    c.close()


def test_health_names_postgresql(client, pg_backoffice):
    assert client.health() == {"status": "ok", "database": "postgresql"}
    assert not pg_backoffice.database.exists(), "no SQLite file is made when a URL is given"


def test_ready_at_the_latest_migration(pg_backoffice):
    answer = requests.get(pg_backoffice.url + "/ready", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["revision"] == migrations_runner.head_revision()


@pytest.fixture
def wang(pg_backoffice, client) -> str:
    return confirm(client, pg_backoffice.phone_inbox, WANG)


def test_demo_cases_of_a_person_newest_first(client, wang):
    cases = client.list_cases(WANG, grant=wang)
    assert [c.number for c in cases] == ["469023-0003", "469023-0001", "469023-0011", "469023-0002"]
    assert cases[0].status is CaseStatus.CORRECTION_REQUIRED
    assert cases[0].received_at.utcoffset().total_seconds() == 8 * 3600


def test_case_detail_has_a_timeline_in_order(client, wang):
    case = client.get_case("469023-0002", grant=wang)
    assert case.item_name == "城乡居民基本养老保险待遇申领"
    assert case.applicant_masked == "王*"
    assert [e.status for e in case.timeline] == [CaseStatus.RECEIVED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW,
                                                 CaseStatus.DECIDED, CaseStatus.COMPLETED]


def test_unsigned_request_is_refused(pg_backoffice):
    raw = requests.post(f"{pg_backoffice.url}/v1/cases/search", json={"applicant": WANG}, timeout=10)
    assert raw.status_code == 401
    with pytest.raises(BackofficeRefused) as info:
        BackofficeClient(pg_backoffice.url).list_cases(WANG)
    assert info.value.status == 401


def test_replayed_signed_request_is_refused(pg_backoffice, wang):
    with requests.Session() as http:
        http.auth = TerminalSignature(TERMINAL, pg_backoffice.terminal_secret_file.read_text())
        prepared = http.prepare_request(requests.Request(
            "POST", f"{pg_backoffice.url}/v1/cases/search", json={"applicant": WANG},
            headers={"X-Presence-Grant": wang}))
        first = http.send(prepared, timeout=10)
        again = http.send(prepared, timeout=10)
    assert first.status_code == 200
    assert again.status_code == 401
    assert "replayed" in again.json()["detail"]


def test_migrations_round_trip(postgres_server):
    url = postgres_server.create_database("migrations_round_trip")
    engine = create_engine(url)
    try:
        migrations_runner.upgrade(url)
        assert migrations_runner.current_revision(engine) == migrations_runner.head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == [], "the migrations build the schema the models describe"

        migrations_runner.downgrade(url, "base")
        engine.dispose()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrations_runner.current_revision(engine) is None

        migrations_runner.upgrade(url)
        engine.dispose()
        assert migrations_runner.current_revision(engine) == migrations_runner.head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
