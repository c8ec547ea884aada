"""The dashboard and the queues count and sort lights in SQL from two dates
(lights.light_bounds, and Bounds.light for a case already read); for
every day and deadline those dates give the light the back office gives a case
(domain.workdays.deadline_light, through cases.light_of), over holidays, make-up working
days, an administrator's typhoon closure and the edge of the known calendar."""
import datetime as dt

from backoffice.console.supervision import weeks_of
from backoffice.lights import light_bounds
from domain.workdays import CalendarUnknown, WorkCalendar, chinese_calendar_source, deadline_light


def light_from(bounds, deadline: dt.date) -> str | None:
    if deadline < bounds.today:
        return "red"
    if deadline <= bounds.yellow_until:
        return "yellow"
    return "green" if deadline <= bounds.green_until else None


def expected(calendar: WorkCalendar, today: dt.date, deadline: dt.date) -> str | None:
    try:
        return deadline_light(calendar, today, deadline)
    except CalendarUnknown:
        return None


def check(calendar: WorkCalendar, first: dt.date, days: int) -> None:
    for offset in range(days):
        today = first + dt.timedelta(days=offset)
        bounds = light_bounds(calendar, today)
        for ahead in range(-3, 15):
            deadline = today + dt.timedelta(days=ahead)
            assert light_from(bounds, deadline) == expected(calendar, today, deadline), (today, deadline)
            assert bounds.light(deadline) == light_from(bounds, deadline)


def test_the_bounds_give_the_back_offices_light_through_holidays():
    official = chinese_calendar_source()
    check(WorkCalendar(official), dt.date(2025, 9, 20), 30)  # National Day and its make-up Saturdays
    check(WorkCalendar(official), dt.date(2025, 1, 20), 20)  # the Spring Festival
    typhoon = WorkCalendar(official, {dt.date(2025, 7, 16): False, dt.date(2025, 7, 17): False})
    check(typhoon, dt.date(2025, 7, 10), 12)


def test_beyond_the_known_calendar_there_is_no_light_as_for_a_case():
    def only_2030(day: dt.date):
        return day.weekday() < 5 if day.year == 2030 else None

    check(WorkCalendar(only_2030), dt.date(2030, 12, 20), 12)


def test_the_weeks_end_with_this_one():
    mondays = weeks_of(dt.date(2026, 12, 6))
    assert len(mondays) == 12 and mondays[-1] == dt.date(2026, 11, 30) and mondays[0] == dt.date(2026, 9, 14)
    assert all(m.weekday() == 0 for m in mondays)
