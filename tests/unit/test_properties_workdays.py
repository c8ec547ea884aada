"""Properties of the working-day arithmetic (domain/workdays.py) over the official
calendar: it knows 2004 to 2026 (chinesecalendar); any other year is refused."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.workdays import CalendarUnknown, WorkCalendar, chinese_calendar_source

FIRST_KNOWN, LAST_KNOWN = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
CALENDAR = WorkCalendar(chinese_calendar_source())
PROPERTY = settings(max_examples=150, deadline=None)

# Starts early enough that 60 working days (the sums below) stay inside the known years.
starts = st.dates(min_value=FIRST_KNOWN, max_value=dt.date(2026, 9, 15))
counts = st.integers(min_value=0, max_value=30)


@PROPERTY
@given(starts, counts, counts)
def test_adding_n_then_m_working_days_is_adding_n_plus_m(start, n, m):
    assert CALENDAR.add_working_days(CALENDAR.add_working_days(start, n), m) == \
        CALENDAR.add_working_days(start, n + m)


@PROPERTY
@given(starts, st.integers(min_value=1, max_value=60))
def test_the_result_is_a_working_day_after_the_start(start, n):
    day = CALENDAR.add_working_days(start, n)
    assert day > start
    assert CALENDAR.is_working_day(day)


@PROPERTY
@given(starts, st.integers(min_value=0, max_value=60))
def test_counting_back_gives_n(start, n):
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@PROPERTY
@given(starts, counts, counts, st.integers(min_value=0, max_value=20))
def test_monotonic_in_the_count_and_in_the_start(start, n, m, later_by):
    low, high = sorted((n, m))
    assert CALENDAR.add_working_days(start, low) <= CALENDAR.add_working_days(start, high)
    later = start + dt.timedelta(days=later_by)
    assert CALENDAR.add_working_days(start, n) <= CALENDAR.add_working_days(later, n)


@PROPERTY
@given(st.dates(min_value=FIRST_KNOWN, max_value=LAST_KNOWN), st.integers(min_value=0, max_value=60))
def test_the_listed_working_days_agree_with_the_count(first, length):
    last = min(first + dt.timedelta(days=length), LAST_KNOWN)
    listed = CALENDAR.working_days_in(first, last)
    assert len(listed) == CALENDAR.working_days_between(first - dt.timedelta(days=1), last)
    assert all(CALENDAR.is_working_day(d) for d in listed)


unknown_days = st.one_of(st.dates(max_value=FIRST_KNOWN - dt.timedelta(days=1)),
                         st.dates(min_value=LAST_KNOWN + dt.timedelta(days=1)))


@PROPERTY
@given(unknown_days)
def test_a_day_of_an_unknown_year_is_refused_not_guessed(day):
    with pytest.raises(CalendarUnknown) as refused:
        CALENDAR.is_working_day(day)
    assert refused.value.year == day.year


@PROPERTY
@given(st.dates(min_value=dt.date(2026, 11, 1), max_value=LAST_KNOWN), st.integers(min_value=45, max_value=400))
def test_a_deadline_that_runs_into_an_unknown_year_is_refused(start, n):
    with pytest.raises(CalendarUnknown) as refused:
        CALENDAR.add_working_days(start, n)
    assert refused.value.year == LAST_KNOWN.year + 1


@PROPERTY
@given(st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2027, 12, 31)), st.booleans())
def test_an_override_decides_its_day_even_in_an_unknown_year(day, working):
    calendar = WorkCalendar(chinese_calendar_source(), overrides={day: working})
    assert calendar.is_working_day(day) is working
    declared = WorkCalendar(chinese_calendar_source(), declared_years=frozenset({2027}))
    assert declared.is_working_day(day) is (day.weekday() < 5)


@PROPERTY
@given(starts, st.integers(max_value=-1))
def test_a_negative_count_is_refused(start, n):
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(start, n)
