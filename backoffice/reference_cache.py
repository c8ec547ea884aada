"""What each server process keeps between requests of what seldom changes: the catalogue
a submission checks against (catalogue_cache.py) and the working-day calendar, which every
submission and every dated answer needs. A request reads both their version numbers in
one small statement and reads the rest only when a number has moved, so a change made
through the back office by any process or host (the API, the console, the command line)
is seen by the next request everywhere. What is kept is only read."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.workdays import WorkCalendar

from .calendar import load_calendar
from .catalogue_cache import CatalogueCache, CatalogueVersionView
from .driver_statement import DriverStatement
from .models import CalendarVersion, CatalogueVersion

_NUMBERS = DriverStatement(select(
    select(func.max(CatalogueVersion.number)).scalar_subquery(),
    select(CalendarVersion.number).where(CalendarVersion.id == 1).scalar_subquery()))


@dataclass(frozen=True)
class Reference:
    catalogue: CatalogueVersionView
    calendar: WorkCalendar


class ReferenceCache:
    """One per application (app.state.reference)."""

    def __init__(self) -> None:
        self._catalogue = CatalogueCache()
        self._calendar: tuple[int, WorkCalendar] | None = None  # replaced whole, never changed

    def now(self, session: Session) -> Reference:
        """The latest catalogue and calendar, as the database holds them at this moment."""
        catalogue_version, calendar_version = _NUMBERS.rows(session, {})[0]
        kept = self._calendar
        if calendar_version is None or kept is None or kept[0] != calendar_version:
            # Read after the number: a change landing between the two is kept under the
            # older number, and read again by the next request.
            calendar = load_calendar(session)
            self._calendar = None if calendar_version is None else (calendar_version, calendar)
        else:
            calendar = kept[1]
        return Reference(self._catalogue.at(catalogue_version), calendar)
