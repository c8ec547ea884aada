"""The working-day calendar as the county runs it: the official schedule, the State
Council's arrangements imported each year, and the administrator's own days (typhoon
closures). Everything that changes it is audited."""
from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from sqlalchemy import Boolean, Date, Integer, cast, delete, null, select, union_all, update
from sqlalchemy.orm import Session

from domain.workdays import WorkCalendar, chinese_calendar_source

from . import audit
from .cases import fill_pending_dates
from .holiday_arrangement import Arrangement
from .models import CalendarOverride, CalendarVersion, CalendarYear, utcnow

log = logging.getLogger(__name__)

# The official schedule is the installed package's fixed data, so each day's answer is
# kept: a deadline walks day by day through it, on every submission and every answer.
official = functools.lru_cache(maxsize=4096)(chinese_calendar_source())

# Supervisors are warned this many days before the year ends while the next is unknown.
WARN_DAYS_BEFORE_YEAR_END = 60


def load_calendar(session: Session) -> WorkCalendar:
    overrides, years = {}, set()
    for day, working, year in session.execute(_DAYS_AND_YEARS):
        if year is None:
            overrides[day] = working
        else:
            years.add(year)
    return WorkCalendar(official, overrides, frozenset(years))


# One statement, built once: every submission and every dated answer loads the calendar.
_overrides, _years = CalendarOverride.__table__, CalendarYear.__table__
_DAYS_AND_YEARS = union_all(
    select(_overrides.c.day, _overrides.c.working, cast(null(), Integer).label("year")),
    select(cast(null(), Date), cast(null(), Boolean), _years.c.year))
_CHANGED = update(CalendarVersion).where(CalendarVersion.id == 1).values(number=CalendarVersion.number + 1)


def _changed(session: Session) -> None:
    """Every change to the calendar says so, in the same transaction: each server process
    keeps the calendar and reads only this number to know it is stale (reference_cache)."""
    session.execute(_CHANGED)


def import_arrangement(session: Session, arrangement: Arrangement, actor: str) -> dict[str, Any]:
    """Applies a validated arrangement in the caller's transaction: replaces the days an
    earlier import of the same year set, keeps days set by hand (a typhoon closure is the
    later word), declares the year, and audits it with the notice and the file's hash."""
    source = f"arrangement:{arrangement.year}"
    session.execute(delete(CalendarOverride).where(CalendarOverride.source == source))
    by_hand = {o.day for o in session.scalars(select(CalendarOverride).where(CalendarOverride.source == ""))}
    written = kept = 0
    days = arrangement.days()
    for day, (working, reason) in sorted(days.items()):
        if day in by_hand:
            kept += 1
            continue
        session.merge(CalendarOverride(day=day, working=working, reason=reason, source=source))
        written += 1
    notice = arrangement.notice
    session.merge(CalendarYear(year=arrangement.year, declared_by=actor.split(":", 1)[-1], declared_at=utcnow(),
                               notice_number=notice.number, notice_issued=notice.issued,
                               notice_title=notice.title, notice_url=notice.url, sha256=arrangement.sha256))
    _changed(session)
    session.flush()
    dated = fill_pending_dates(session, load_calendar(session))
    rest = sum(1 for working, _ in days.values() if not working)
    audit.record(session, actor, "calendar.import", str(arrangement.year), notice=notice.number,
                 issued=notice.issued.isoformat(), sha256=arrangement.sha256, days_off=rest,
                 working_days=written + kept - rest, kept_by_hand=kept, cases_dated=dated)
    log.info("holiday arrangement imported", extra={"year": arrangement.year, "notice": notice.number,
                                                     "actor": actor, "cases_dated": dated})
    return {"year": arrangement.year, "notice": notice.number, "days": written, "kept_by_hand": kept,
            "cases_dated": dated, "declared": True}


def set_day(session: Session, day: dt.date, working: bool, reason: str, actor: str) -> None:
    """An administrator's own day (a typhoon closure, a day given back)."""
    session.merge(CalendarOverride(day=day, working=working, reason=reason[:200], source=""))
    _changed(session)
    audit.record(session, actor, "calendar.override", day.isoformat(), working=working)


def delete_day(session: Session, day: dt.date, actor: str) -> bool:
    """Removes a day's override, whoever set it; False when there was none."""
    existing = session.get(CalendarOverride, day)
    if existing is None:
        return False
    audit.record(session, actor, "calendar.override_deleted", day.isoformat(), working=existing.working,
                 reason=existing.reason, source=existing.source)
    session.delete(existing)
    _changed(session)
    return True


def overview(session: Session, today: dt.date, year: int | None = None) -> dict[str, Any]:
    """The calendar as an administrator (and a kiosk's copy) reads it: the horizon, the
    years entered by import with their notices, and the override days."""
    calendar = load_calendar(session)
    horizon = calendar.horizon(today)
    stmt = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day >= dt.date(year, 1, 1), CalendarOverride.day <= dt.date(year, 12, 31))
    years = session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    return {
        "today": today.isoformat(),
        "horizon": horizon.isoformat() if horizon else None,
        "next_year_known": calendar.knows_year(today.year + 1),
        "years": [{"year": y.year, "notice_number": y.notice_number,
                   "notice_issued": y.notice_issued.isoformat() if y.notice_issued else None,
                   "notice_title": y.notice_title, "notice_url": y.notice_url, "sha256": y.sha256,
                   "declared_by": y.declared_by, "declared_at": y.declared_at.isoformat() + "Z"} for y in years],
        "overrides": [{"day": o.day.isoformat(), "working": o.working, "reason": o.reason,
                       "source": o.source or "manual"} for o in session.scalars(stmt)],
    }


def missing_year(calendar: WorkCalendar, today: dt.date) -> int | None:
    """The year supervisors must be warned about: this year when it is unknown, next year
    from WARN_DAYS_BEFORE_YEAR_END days before this one ends, else None."""
    if not calendar.knows_year(today.year):
        return today.year
    warn_from = dt.date(today.year, 12, 31) - dt.timedelta(days=WARN_DAYS_BEFORE_YEAR_END)
    if today >= warn_from and not calendar.knows_year(today.year + 1):
        return today.year + 1
    return None


def horizon_days(calendar: WorkCalendar, today: dt.date) -> int:
    """Days from today to the horizon; -1 when today's own year is unknown."""
    horizon = calendar.horizon(today)
    return -1 if horizon is None else (horizon - today).days

