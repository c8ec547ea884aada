"""A case's traffic light as SQL: the back office's rule (cases.light_of, domain.workdays.
deadline_light on the working-day calendar) turned into two dates for today, so that a
queue or the dashboard can count, filter and sort cases by their light in the database
instead of loading every case to work it out one by one.

The queues and the dashboard's list show the most urgent cases first, a few hundred of
thousands: most_urgent reads them a state at a time along ix_cases_urgency, in the order
shown, so the database never sorts every case in hand.

A case is red once today is past its promised date and yellow while at most WARN_DAYS
working days are left (tests/unit/test_supervision_lights.py checks the dates against
deadline_light, holidays and the calendar's edge included)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select, true, union_all

from domain.workdays import CalendarUnknown, WorkCalendar

from .cases import LIGHT_STATES
from .models import Case

WARN_DAYS = 2  # deadline_light's yellow: at most this many working days left
LIT = [s.value for s in LIGHT_STATES]
RANKS = ("red", "yellow", "green", None)  # most urgent first; a rank is an index here


@dataclass(frozen=True)
class Bounds:
    """Today's traffic light as dates: red before `today`, yellow up to `yellow_until`,
    green up to `green_until` (beyond it the calendar is unknown: no light, as light_of)."""
    today: dt.date
    yellow_until: dt.date
    green_until: dt.date

    def light(self, deadline: dt.date) -> str | None:
        """The light of a lit case promised by `deadline`."""
        if deadline < self.today:
            return "red"
        if deadline <= self.yellow_until:
            return "yellow"
        return "green" if deadline <= self.green_until else None


def light_bounds(calendar: WorkCalendar, today: dt.date, warn_days: int = WARN_DAYS) -> Bounds:
    """deadline_light(calendar, today, d) is yellow for today <= d <= yellow_until: the
    working days after today up to d grow with d, and pass warn_days on the
    (warn_days + 1)-th working day after today."""
    day, counted = today, 0
    while True:
        following = day + dt.timedelta(days=1)
        try:
            working = calendar.is_working_day(following)
        except CalendarUnknown:  # light_of answers no light for a deadline beyond the calendar
            return Bounds(today, day, day)
        counted += working
        if counted > warn_days:
            break
        day = following
    horizon = calendar.horizon(today)
    return Bounds(today, day, max(horizon or day, day))


def lit():
    """Cases that have a light at all: in a state whose clock runs, with a promised date."""
    return and_(Case.status.in_(LIT), Case.promised_date.is_not(None))


def lit_with(bounds: Bounds, light: str):
    """Cases whose light is `light` today ("red", "yellow" or "green"): Bounds.light in SQL."""
    promised = Case.promised_date
    within = {"red": promised < bounds.today, "yellow": promised.between(bounds.today, bounds.yellow_until),
              "green": (promised > bounds.yellow_until) & (promised <= bounds.green_until)}[light]
    return and_(lit(), within)


def count_where(condition):
    """How many rows of a grouped SELECT meet `condition` (0 when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def rank(bounds: Bounds):
    """The light as its index in RANKS: 0 red, 1 yellow, 2 green, 3 none."""
    return case((~lit(), 3), (Case.promised_date < bounds.today, 0), (Case.promised_date <= bounds.yellow_until, 1),
                (Case.promised_date <= bounds.green_until, 2), else_=3)


def most_urgent(columns, states, where, bounds: Bounds, limit: int):
    """A SELECT of `columns` (with promised_date and received_at among them, and `rank`
    added) for at most `limit` cases in `states` matching `where`: by light, then promised
    date (none last), then time received.

    Within one state the light only grows with the promised date (a state either has a
    light or has none), so each state's first `limit` in that order are one ordered range of
    ix_cases_urgency; the answer is the first `limit` of those branches together."""
    urgency = rank(bounds)
    branches = [select(*columns, Case.id.label("case_id"), urgency.label("rank"))
                .where(Case.status == state, true() if where is None else where)
                .order_by(Case.promised_date.asc().nulls_last(), Case.received_at, Case.id).limit(limit).subquery()
                for state in states]
    merged = union_all(*[branch.select() for branch in branches]).subquery()
    return select(merged).order_by(merged.c.rank, merged.c.promised_date.asc().nulls_last(), merged.c.received_at,
                                   merged.c.case_id).limit(limit)
