"""The supervision figures over a county's spread of cases: /v1/supervision/summary and
/v1/supervision/cases count and filter in the database (the lights as dates, lights.py),
and must say what the per-case rule says (cases.light_of, each completed case's own
dates), which this test works out case by case from the same database."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backoffice.calendar import load_calendar
from backoffice.cases import light_of
from backoffice.models import Case
from backoffice.supervision import OPEN_STATES
from benchmarks import console_seed
from demo.embedded_backoffice import EmbeddedBackoffice
from domain.county import to_cst, today_cst
from tests.api.conftest import DEMO_PASSWORD


@pytest.fixture(scope="module")
def county(postgres_server, tmp_path_factory):
    """A back office on PostgreSQL holding the demo's cases and 1,500 seeded across two years."""
    var = tmp_path_factory.mktemp("supervision")
    url = postgres_server.create_database("supervision_figures")
    server = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "backoffice.log")
    server.start(timeout=120)
    try:
        console_seed.seed(url, cases=1500, terminals=2, commands_per_terminal=5)
        token = requests.post(f"{server.url}/v1/auth/token", json={"username": "supervisor01",
                                                                   "password": DEMO_PASSWORD}, timeout=10)
        assert token.status_code == 200, token.text
        yield server, {"Authorization": f"Bearer {token.json()['access_token']}"}
    finally:
        server.stop()


def per_case(server) -> tuple[dict[str, dict], dict[str, set[str]]]:
    """The figures and the lit cases, worked out one case at a time."""
    engine = create_engine(server.database_url)
    figures: dict[str, dict] = {}
    lit: dict[str, set[str]] = {"red": set(), "yellow": set(), "green": set()}
    with Session(engine) as session:
        calendar, today = load_calendar(session), today_cst()
        for case in session.scalars(select(Case)):
            dep = figures.setdefault(case.department_code, {"open": 0, "at_risk": 0, "overdue": 0, "completed": 0,
                                                            "on_time": 0, "days": []})
            light = light_of(case, calendar, today)
            dep["open"] += case.status in OPEN_STATES
            dep["at_risk"] += light == "yellow"
            dep["overdue"] += light == "red"
            if light and case.status in OPEN_STATES:
                lit[light].add(case.number)
            if case.completed_at is not None:
                done = to_cst(case.completed_at).date()
                dep["completed"] += 1
                dep["on_time"] += bool(case.promised_date and done <= case.promised_date)
                try:
                    dep["days"].append(calendar.working_days_between(to_cst(case.received_at).date(), done))
                except LookupError:
                    pass
    engine.dispose()
    return figures, lit


def test_the_summary_and_the_lit_cases_are_the_per_case_rules(county):
    server, supervisor = county
    expected, lit = per_case(server)
    answer = requests.get(f"{server.url}/v1/supervision/summary", headers=supervisor, timeout=60)
    assert answer.status_code == 200, answer.text
    summary = {d["department_code"]: d for d in answer.json()["departments"]}
    assert set(summary) == set(expected)
    assert sum(d["completed"] for d in summary.values()) > 100 and sum(d["overdue"] for d in summary.values()) > 0
    for code, want in expected.items():
        got = summary[code]
        assert {k: got[k] for k in ("open", "at_risk", "overdue", "completed", "on_time")} == \
            {k: want[k] for k in ("open", "at_risk", "overdue", "completed", "on_time")}, code
        days = want["days"]
        assert got["average_working_days"] == (round(sum(days) / len(days), 1) if days else None), code
    for light, numbers in lit.items():
        listed = requests.get(f"{server.url}/v1/supervision/cases", params={"light": light}, headers=supervisor,
                              timeout=60)
        assert listed.status_code == 200, listed.text
        assert {c["number"] for c in listed.json()["cases"]} == numbers, light
    assert lit["red"] and lit["yellow"]


def test_a_department_s_lit_cases_are_its_own(county):
    server, supervisor = county
    red = requests.get(f"{server.url}/v1/supervision/cases", params={"light": "red"}, headers=supervisor,
                       timeout=60).json()["cases"]
    department = red[0]["department_code"]
    mine = requests.get(f"{server.url}/v1/supervision/cases", params={"light": "red", "department": department},
                        headers=supervisor, timeout=60).json()["cases"]
    assert [c["number"] for c in mine] == [c["number"] for c in red if c["department_code"] == department]
