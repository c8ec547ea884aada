"""The case state machine as a hypothesis RuleBasedStateMachine: random legal and illegal
actions on one case through the back office's own lifecycle (backoffice.cases.apply_action,
in process on SQLite, the county's date moved forward between actions).

Illegal moves are refused and change nothing; closed states have no way out; every state
reached is a documented one and the one domain.lifecycle's table names; the
promised-time clock stops in correction and suspension and, resumed, the promised date
moves by exactly the working days spent stopped."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from backoffice.auth import Caller
from backoffice.cases import PAUSED, apply_action, submit
from backoffice.errors import Conflict
from backoffice.models import Item
from backoffice.routes.catalogue import item_guide
from backoffice.routes.deps import context_for
from domain.cases import CLOSED_STATUSES, STATUS_LABELS, CaseStatus
from domain.lifecycle import CLOCK_RUNS, TRANSITIONS, Action, allowed_actions, next_status
from tests.api.database import catalogued_app
from tests.api.submissions import application

ADMIN = Caller("staff", "admin", role="admin")  # may take every action: roles are tested elsewhere
KIOSK = Caller("terminal", "CM-KIOSK-0001")
ITEM = "469023-XK-SCJG-0031"
FIRST_DAY = dt.date(2026, 3, 2)  # a Monday, far enough from the calendar's last known year
# What each action needs besides the move itself.
PARAMS = {
    Action.REFUSE: {"note": "材料不符合法定形式"},
    Action.REQUEST_CORRECTION: {"deficiencies": [{"material": "营业执照", "problem": "复印件不清晰"}]},
    Action.SUPPLEMENT: {"materials": [{"code": "M-EXTRA", "name": "补充说明"}]},
    Action.SUSPEND: {"note": "现场核查"},
    Action.TERMINATE: {"note": "申请人未按期补交"},
}


def test_the_documented_states_split_into_open_and_closed():
    # Paused and running never overlap; every open state is received, running or paused.
    assert not set(PAUSED) & CLOCK_RUNS
    open_states = set(CaseStatus) - CLOSED_STATUSES
    assert {CaseStatus.RECEIVED, CaseStatus.DECIDED, CaseStatus.COMPLETED} | CLOCK_RUNS | set(PAUSED) == open_states
    assert set(STATUS_LABELS) == set(CaseStatus)
    for table in TRANSITIONS.values():
        assert set(table) | set(table.values()) <= set(CaseStatus)


class CaseLifecycle(RuleBasedStateMachine):
    def __init__(self, app):
        super().__init__()
        self.app = app
        self.session = app.state.sessions()
        self.today = FIRST_DAY
        self.ctx = context_for(app, self.session)
        self.ctx.today = lambda: self.today

    @initialize()
    def submit_a_case(self):
        guide = item_guide(self.session.get(Item, ITEM))
        self.case = submit(self.session, self.ctx, application(guide), KIOSK)
        self.case.received_at = dt.datetime.combine(self.today, dt.time(1, 0))  # 09:00 CST that day
        self.session.commit()
        self.status = CaseStatus.RECEIVED
        self.stopped_since: dt.date | None = None
        self.stopped_days = 0  # working days the clock stood still, as counted here

    @rule(days=st.integers(min_value=0, max_value=6))
    def time_passes(self, days):
        self.today += dt.timedelta(days=days)

    @rule(action=st.sampled_from(Action))
    def act(self, action):
        before = self.status
        events = len(self.case.events)
        if action not in allowed_actions(before):
            with pytest.raises(Conflict):
                apply_action(self.session, self.ctx, self.case, action, PARAMS.get(action, {}), ADMIN)
            self.session.rollback()
            assert CaseStatus(self.case.status) == before and len(self.case.events) == events
            return
        apply_action(self.session, self.ctx, self.case, action, PARAMS.get(action, {}), ADMIN)
        self.session.commit()
        self.status = CaseStatus(self.case.status)
        assert self.status == next_status(before, action)
        assert len(self.case.events) == events + 1
        self._follow_the_clock(before, self.status)
        # Each move recomputes the promised date (the receipt's was stamped with the real clock).
        received = self.case.received_at.date()  # 09:00 CST is 01:00 UTC the same day
        assert self.case.promised_date == self.ctx.calendar.add_working_days(
            received, self.case.promised_days + self.stopped_days)

    def _follow_the_clock(self, before, after):
        if after in PAUSED and before not in PAUSED:
            self.stopped_since = self.today
        elif before in PAUSED and after not in PAUSED:
            self.stopped_days += self.ctx.calendar.working_days_between(self.stopped_since, self.today)
            self.stopped_since = None

    @invariant()
    def only_documented_states(self):
        if hasattr(self, "case"):
            assert CaseStatus(self.case.status) in STATUS_LABELS

    @invariant()
    def closed_cases_have_no_way_out(self):
        if hasattr(self, "case") and self.status in CLOSED_STATUSES:
            assert allowed_actions(self.status) == []

    @invariant()
    def the_clock_stops_and_resumes(self):
        if not hasattr(self, "case"):
            return
        assert self.case.paused_on == self.stopped_since
        assert self.case.paused_working_days == self.stopped_days

    def teardown(self):
        self.session.close()


def test_random_actions_on_a_case(tmp_path, monkeypatch):
    app = catalogued_app(tmp_path, monkeypatch)
    run_state_machine_as_test(lambda: CaseLifecycle(app),
                              settings=settings(max_examples=40, stateful_step_count=25, deadline=None))
