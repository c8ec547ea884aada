"""Working-day arithmetic over the official calendar plus overrides; the traps in the
rules: the day of receipt never counts, and an unknown year is refused, not guessed."""
import datetime as dt

import pytest

from domain.workdays import (
    CalendarUnknown,
    DeadlineLight,
    WorkCalendar,
    add_working_days,
    chinese_calendar_source,
    deadline_light,
    is_working_day,
)

D = dt.date


def test_statutory_holidays_and_make_up_days():
    assert not is_working_day(D(2026, 10, 1))  # National Day
    assert is_working_day(D(2026, 9, 28))  # a weekday before the holiday
    assert not is_working_day(D(2026, 11, 28))  # an ordinary Saturday


def test_the_day_of_receipt_is_excluded():
    # Received on Friday 2026-11-27: day 1 is Monday 11-30.
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)
    assert add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)


def test_received_on_a_rest_day_does_not_count_that_day():
    # chinese_calendar.find_workday(1, saturday) would give the Saturday's next workday
    # counted from the Saturday itself; we count from the next day on.
    assert add_working_days(D(2026, 11, 28), 1) == D(2026, 11, 30)
    assert add_working_days(D(2026, 11, 28), 2) == D(2026, 12, 1)


def test_twenty_working_days_across_national_day():
    # 2026-09-25 (Fri) + 20 working days, skipping the 10-01..10-07 holiday.
    end = add_working_days(D(2026, 9, 25), 20)
    assert end == D(2026, 10, 29)
    assert not any(is_working_day(D(2026, 10, day)) for day in range(1, 8))
    calendar = WorkCalendar(chinese_calendar_source())
    assert calendar.working_days_between(D(2026, 9, 25), end) == 20


def test_unknown_year_is_refused():
    with pytest.raises(CalendarUnknown) as info:
        add_working_days(D(2026, 12, 20), 30)
    assert info.value.year == 2027


def test_overrides_and_declared_years():
    typhoon = D(2026, 11, 30)
    calendar = WorkCalendar(chinese_calendar_source(), {typhoon: False})
    assert calendar.add_working_days(D(2026, 11, 27), 1) == D(2026, 12, 1)
    next_year = WorkCalendar(chinese_calendar_source(), {D(2027, 1, 1): False}, frozenset({2027}))
    assert not next_year.is_working_day(D(2027, 1, 1))
    assert next_year.is_working_day(D(2027, 1, 4))
    assert not next_year.is_working_day(D(2027, 1, 2))


def test_deadline_lights():
    calendar = WorkCalendar(chinese_calendar_source())
    today = D(2026, 11, 23)  # Monday
    assert deadline_light(calendar, today, D(2026, 11, 30)) == DeadlineLight.GREEN
    assert deadline_light(calendar, today, D(2026, 11, 25)) == DeadlineLight.YELLOW
    assert deadline_light(calendar, today, D(2026, 11, 23)) == DeadlineLight.YELLOW
    assert deadline_light(calendar, today, D(2026, 11, 20)) == DeadlineLight.RED
