"""The working-day calendar as the county runs it: the official schedule plus the
administrator's overrides (typhoon closures, next year's schedule)."""
from __future__ import annotations

import functools

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.workdays import WorkCalendar, chinese_calendar_source

from .models import CalendarOverride, CalendarYear

# The official schedule is the installed package's fixed data, so each day's answer is
# kept: a deadline walks day by day through it, on every submission and every answer.
_official = functools.lru_cache(maxsize=4096)(chinese_calendar_source())


def load_calendar(session: Session) -> WorkCalendar:
    overrides = {o.day: o.working for o in session.scalars(select(CalendarOverride))}
    years = frozenset(session.scalars(select(CalendarYear.year)))
    return WorkCalendar(_official, overrides, years)
