"""The console benchmark (`python -m benchmarks console`) runs end to end at a tiny size on
PostgreSQL: the county's cases seeded with COPY across the lifecycle, every role signed in
through the console's form, every page answered, and a report with its goal line. How fast
the pages are is the benchmark's to say, never asserted here."""
from __future__ import annotations

import psycopg

from benchmarks import console_seed
from benchmarks.bench_console import measure, report
from benchmarks.report import GOAL


def test_the_benchmark_seeds_a_county_and_times_every_page(postgres_server):
    measured = measure(cases=1500, rounds=1, terminals=4, commands=30, postgres=postgres_server)
    assert all(page.errors == 0 and len(page.latencies_ms) == len(page.cpu_ms) == 1 for page in measured.pages), \
        [(p.path, p.errors) for p in measured.pages]
    assert all(page.cpu_ms[0] > 0 for page in measured.pages)  # the server's own time, read from the scheduler
    paths = {page.path for page in measured.pages}
    assert {"/health", "/console/queue", "/console/department", "/console/supervision", "/console/fleet"} <= paths
    assert any("/materials/" in p and p.endswith("/pages/1.jpg") for p in paths)
    rows = measured.seeded.rows
    assert rows["cases"] == 1500 and rows["case_events"] > rows["cases"] and rows["ratings"] > 0
    assert rows["terminal_commands"] == 4 * 30
    text = report(measured)
    assert "## Console pages at 1,500 cases" in text and "BENCH_CONSOLE_CASES=1500" in text
    assert len(GOAL.findall(text)) == 1


def test_the_seeded_cases_span_the_lifecycle(postgres_server):
    """A fresh database with the schema (no server): the seed's own spread."""
    from backoffice import migrations_runner
    from backoffice.db import make_engine

    url = postgres_server.create_database("console_seed_spread")
    migrations_runner.upgrade(url)
    engine = make_engine(url)
    try:
        _catalogue(engine)
        console_seed.seed(url, cases=2000, terminals=6, commands_per_terminal=50)  # the sixth is silent
    finally:
        engine.dispose()
    with psycopg.connect(console_seed.psycopg_url(url)) as conn:
        states = dict(conn.execute("SELECT status, count(*) FROM cases GROUP BY status").fetchall())
        deferred = conn.execute("SELECT count(*) FROM cases WHERE deferred_pending").fetchone()[0]
        rectified = conn.execute("SELECT count(*) FROM rectifications").fetchone()[0]
        queued = conn.execute("SELECT count(*) FROM terminal_commands WHERE acked_at IS NULL").fetchone()[0]
        bundles = conn.execute("SELECT count(DISTINCT case_id) FROM case_parts").fetchone()[0]
    assert {"received", "accepted", "in_review", "delivered", "completed", "not_accepted", "withdrawn"} <= set(states)
    assert states["delivered"] > sum(n for s, n in states.items() if s in console_seed.OPEN)  # most long settled
    assert deferred and rectified and queued and bundles


def _catalogue(engine) -> None:
    """The county's catalogue, as the server's demo seed loads it: the seed's items and departments."""
    from backoffice.catalogue import load_catalogue
    from backoffice.db import make_sessionmaker

    with make_sessionmaker(engine, b"test audit key")() as session:
        load_catalogue(session, actor="system:test")
        session.commit()
