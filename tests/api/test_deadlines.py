"""Deadlines over time, in process with the county's date moved: the clock pauses during
correction and suspension, the sweep marks overdue cases and terminates expired 容缺
cases, two sweeps never run at once; and the schema migrates up and down."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect

from backoffice import locks, migrations_runner
from backoffice.auth import Caller
from backoffice.cases import apply_action, submit
from backoffice.routes.deps import context_for
from backoffice.supervision import sweep
from domain.lifecycle import Action
from tests.api.database import catalogued_app
from tests.api.submissions import application

D = dt.date
CLERK = Caller("staff", "clerk01", role="clerk")
ADMIN = Caller("staff", "admin", role="admin")
KIOSK = Caller("terminal", "CM-KIOSK-0001")


@pytest.fixture
def app(tmp_path, monkeypatch):
    return catalogued_app(tmp_path, monkeypatch)


def guide_of(session, code):
    from backoffice.models import Item
    from backoffice.routes.catalogue import item_guide

    return item_guide(session.get(Item, code))


def context_on(app, session, day: dt.date):
    ctx = context_for(app, session)
    ctx.today = lambda: day
    return ctx


def received_on(case, day: dt.date) -> None:
    """Date a case's receipt back (cases are stamped with the real clock on submit)."""
    case.received_at = dt.datetime.combine(day, dt.time(1, 0))  # 09:00 CST


def test_suspension_pauses_the_clock(app):
    with app.state.sessions() as session:
        ctx = context_on(app, session, D(2026, 11, 2))
        case = submit(session, ctx, application(guide_of(session, "469023-XK-SCJG-0031")), KIOSK)
        received_on(case, D(2026, 11, 2))
        apply_action(session, ctx, case, Action.ACCEPT, {}, CLERK)  # recomputes from the receipt day
        promised = case.promised_date
        assert promised == ctx.calendar.add_working_days(D(2026, 11, 2), case.promised_days)
        # suspended on Tue 11-03, resumed on Mon 11-09: 4 working days paused
        apply_action(session, ctx, case, Action.ROUTE, {}, CLERK)
        ctx.today = lambda: D(2026, 11, 3)
        apply_action(session, ctx, case, Action.SUSPEND, {"note": "现场核查"}, ADMIN)
        assert case.paused_on == D(2026, 11, 3)
        ctx.today = lambda: D(2026, 11, 9)
        apply_action(session, ctx, case, Action.RESUME, {}, ADMIN)
        assert case.paused_working_days == 4
        assert case.promised_date == ctx.calendar.add_working_days(promised, 4)


def test_sweep_marks_overdue_and_terminates_expired_deferrals(app):
    with app.state.sessions() as session:
        ctx = context_on(app, session, D(2026, 11, 2))
        late = submit(session, ctx, application(guide_of(session, "469023-GF-RS-0052")), KIOSK)
        deferred = submit(session, ctx, application(guide_of(session, "469023-GF-MZ-0015"), defer=True), KIOSK)
        for case in (late, deferred):
            received_on(case, D(2026, 11, 2))
            apply_action(session, ctx, case, Action.ACCEPT, {}, CLERK)
        assert deferred.deferred_pending and deferred.deferred_due
        session.commit()

        result = sweep(session, context_on(app, session, D(2026, 12, 31)))
        assert result["ran"] and result["terminated"] == 1 and result["overdue"] >= 1
        session.refresh(deferred)
        session.refresh(late)
        assert deferred.status == "terminated"
        assert late.overdue
        assert deferred.events[-1].actor == "system:sweep"
        # a second sweep finds nothing new
        again = sweep(session, context_on(app, session, D(2026, 12, 31)))
        assert again["terminated"] == 0 and again["overdue"] == 0


def test_a_sweep_waits_for_the_one_running(app):
    with app.state.sessions() as session:
        assert locks.try_acquire(session, "sweep", "other-process:1")
        result = sweep(session, context_for(app, session))
        assert result == {"ran": False, "reason": "another sweep is running"}
        locks.release(session, "sweep", "other-process:1")
        assert sweep(session, context_for(app, session))["ran"]


def test_an_expired_lease_can_be_taken_over(app):
    with app.state.sessions() as session:
        assert locks.try_acquire(session, "sweep", "crashed:1", ttl_s=-1)
        assert locks.try_acquire(session, "sweep", "me:2")


def test_migrations_upgrade_and_downgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrations_runner.upgrade(url)
    from backoffice.db import make_engine

    engine = make_engine(url)
    assert {"cases", "case_events", "audit_log", "terminals"} <= set(inspect(engine).get_table_names())
    assert migrations_runner.current_revision(engine) == migrations_runner.head_revision()
    migrations_runner.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrations_runner.upgrade(url)
    assert "cases" in inspect(engine).get_table_names()
