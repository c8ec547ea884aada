"""The county's clock. Chengmai keeps China Standard Time, UTC+8 all year (no daylight
saving), whatever zone the machine is set to: dates on slips, working days, deadlines and
the nightly window are the county's."""
from __future__ import annotations

import datetime as dt

CST = dt.timezone(dt.timedelta(hours=8), "CST")


def to_cst(utc_naive: dt.datetime) -> dt.datetime:
    """A naive UTC time (as the database keeps it) in the county's time."""
    return utc_naive.replace(tzinfo=dt.timezone.utc).astimezone(CST)


def today_cst() -> dt.date:
    return dt.datetime.now(CST).date()
