"""The working-day calendar as the county runs it: the official schedule plus the
administrator's overrides (typhoon closures, next year's schedule)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.workdays import WorkCalendar, chinese_calendar_source

from .models import CalendarOverride, CalendarYear

_official = chinese_calendar_source()


def load_calendar(session: Session) -> WorkCalendar:
    overrides = {o.day: o.working for o in session.scalars(select(CalendarOverride))}
    years = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(_official, overrides, years)
