"""English names for case answers, in process: looked up once per answer, however many
cases it lists (counted in SQL statements), and by the Chinese name a timeline keeps."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from backoffice.auth import Caller
from backoffice.cases import FRONT_DESK, FRONT_DESK_EN, submit
from backoffice.english_names import EnglishNames
from backoffice.models import Case, Item
from backoffice.routes.catalogue import item_guide
from backoffice.routes.deps import context_for
from backoffice.views import case_summary
from tests.api.database import catalogued_app
from tests.api.submissions import application

KIOSK = Caller("terminal", "CM-KIOSK-0001")
ITEMS = ("469023-XK-SCJG-0031", "469023-GF-RS-0052", "469023-GF-MZ-0015", "469023-GG-RS-0033")


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = catalogued_app(tmp_path, monkeypatch)
    with app.state.sessions() as session:
        ctx = context_for(app, session)
        for code in ITEMS:
            submit(session, ctx, application(item_guide(session.get(Item, code))), KIOSK)
        session.commit()
    return app


def statements_while(session, work) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def summaries(session, ctx, cases) -> list[dict]:
    names = EnglishNames.for_cases(session, cases)
    return [case_summary(c, ctx.calendar, ctx.today(), names) for c in cases]


def test_a_list_of_cases_costs_the_same_queries_as_one_case(app):
    with app.state.sessions() as session:
        ctx = context_for(app, session)
        ctx.calendar  # loaded once per request anyway
        cases = list(session.scalars(select(Case)))
        assert len(cases) == len(ITEMS)
        one = statements_while(session, lambda: summaries(session, ctx, cases[:1]))
        every = statements_while(session, lambda: summaries(session, ctx, cases))
        assert every == one <= 3
        listed = summaries(session, ctx, cases)
        assert all(s["item_name_en"] and s["department_en"] == FRONT_DESK_EN for s in listed)


def test_departments_are_found_by_the_name_a_timeline_keeps(app):
    with app.state.sessions() as session:
        names = EnglishNames.for_cases(session, [])
        assert names.department(FRONT_DESK[1]) == FRONT_DESK_EN
        assert names.department("澄迈县民政局、澄迈县教育局") == (
            "Chengmai County Civil Affairs Bureau; Chengmai County Education Bureau")
        # Unknown, or a parallel review's joined names cut short: no English, the kiosk shows the Chinese.
        assert names.department("澄迈县民政局、澄迈县教") == ""
        assert names.department("") == ""
