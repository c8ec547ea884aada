"""The catalogue as a submission reads it, kept by each server process between requests.

Every submission checks the application against its item and the item's materials, and
names departments in English; all of them change only when a catalogue is loaded, which
writes a new catalogue version in the same transaction (catalogue.load_catalogue_data).
So each request reads the latest version's number (reference_cache.py, one small
statement with the calendar's) and uses what this process already read of that version;
a load by any process or host is seen by the next request everywhere. What is kept is
detached from any session and only read."""
from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Department, Item

DEPARTMENT_NAMES = select(Department.name, Department.name_en)  # Chinese -> English
WITH_MATERIALS = [selectinload(Item.materials)]  # a submission's check reads them all


class CatalogueVersionView:
    """What this process has read of one catalogue version, filled as it is asked for."""

    def __init__(self, version: int | None):
        self.version = version
        self._items: dict[str, Item] = {}
        self._departments: dict[str, str] | None = None
        self._lock = threading.Lock()

    def item(self, session: Session, code: str) -> Item | None:
        """The item with its materials, detached; None when there is no such item."""
        with self._lock:
            kept = self._items.get(code)
        if kept is not None:
            return kept
        item = session.get(Item, code, options=WITH_MATERIALS)
        if item is None:
            return None
        session.expunge(item)  # its materials with it (the relationship cascades)
        with self._lock:
            return self._items.setdefault(code, item)

    def department_names(self, session: Session) -> dict[str, str]:
        """Chinese department name -> English name."""
        if self._departments is None:
            self._departments = dict(session.execute(DEPARTMENT_NAMES).all())
        return self._departments


class CatalogueCache:
    """One per application (reference_cache.ReferenceCache): the view of the latest version."""

    def __init__(self) -> None:
        self._view = CatalogueVersionView(None)
        self._lock = threading.Lock()

    def at(self, version: int | None) -> CatalogueVersionView:
        """The view of `version`, read as the latest one just now."""
        with self._lock:
            if self._view.version != version:
                self._view = CatalogueVersionView(version)
            return self._view
