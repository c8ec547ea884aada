"""Working days (工作日) for statutory time limits.

Rules (Administrative Licensing Law art. 82; standards.md):
- a working day is a day that is neither a weekend nor a statutory holiday, except that
  make-up working days (调休) on weekends count;
- the day of receipt is excluded: day 1 is the first working day after it;
- a year the calendar does not know raises CalendarUnknown: a promised date is never
  guessed. The official schedule (PyPI `chinesecalendar`) covers 2004 up to the latest
  year the State Council announced; an override table adds typhoon closures and the next
  year's schedule once an administrator enters it (and declares the year complete).

The official data source is injected, so this module stays free of I/O.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

# Returns True/False for a date it knows, None for a year it does not know.
OfficialSource = Callable[[_dt.date], Optional[bool]]


class CalendarUnknown(LookupError):
    """The working-day calendar has no data for this year; enter it before promising dates."""

    def __init__(self, year: int):
        super().__init__(f"no working-day calendar for {year}")
        self.year = year


def chinese_calendar_source() -> OfficialSource:
    """The official schedule from PyPI `chinesecalendar` (imported lazily)."""
    import chinese_calendar

    def official(day: _dt.date) -> Optional[bool]:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # the package's way of saying "year not covered"
            return None

    return official


@dataclass
class WorkCalendar:
    official: OfficialSource
    overrides: Mapping[_dt.date, bool] = field(default_factory=dict)  # True = working day
    declared_years: frozenset[int] = frozenset()  # years entered in full by an administrator

    def is_working_day(self, day: _dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = self.official(day)
        if known is not None:
            return known
        if day.year in self.declared_years:
            return day.weekday() < 5  # declared year: weekdays work unless overridden
        raise CalendarUnknown(day.year)

    def knows_year(self, year: int) -> bool:
        """Whether every day of `year` has an answer (official data or a declared year)."""
        return year in self.declared_years or self.official(_dt.date(year, 7, 1)) is not None

    def horizon(self, today: _dt.date) -> _dt.date | None:
        """The last day up to which every day from `today` on is known (the end of the
        last known year in a row), or None when not even today's year is known."""
        year = today.year
        while year < _dt.MAXYEAR and self.knows_year(year):
            year += 1
        return None if year == today.year else _dt.date(year - 1, 12, 31)

    def add_working_days(self, start: _dt.date, n: int) -> _dt.date:
        """The date of the n-th working day after `start` (`start` itself never counts).

        n == 0 gives `start` (an item settled on the spot, 即办)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, counted = start, 0
        while counted < n:
            day += _dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: _dt.date, end: _dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += _dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def working_days_in(self, first: _dt.date, last: _dt.date) -> list[_dt.date]:
        days, day = [], first
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
            day += _dt.timedelta(days=1)
        return days


_default: WorkCalendar | None = None


def default_calendar() -> WorkCalendar:
    global _default
    if _default is None:
        _default = WorkCalendar(chinese_calendar_source())
    return _default


def is_working_day(day: _dt.date) -> bool:
    return default_calendar().is_working_day(day)


def add_working_days(start: _dt.date, n: int) -> _dt.date:
    return default_calendar().add_working_days(start, n)


class DeadlineLight:
    GREEN = "green"
    YELLOW = "yellow"  # <= 2 working days left
    RED = "red"        # overdue


def deadline_light(calendar: WorkCalendar, today: _dt.date, deadline: _dt.date, warn_days: int = 2) -> str:
    if today > deadline:
        return DeadlineLight.RED
    if calendar.working_days_between(today, deadline) <= warn_days:
        return DeadlineLight.YELLOW
    return DeadlineLight.GREEN
