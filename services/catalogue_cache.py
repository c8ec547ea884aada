"""The kiosk's own copy of the county's catalogue: windows, items, bundles and every guide,
kept in one JSON file and served from it, so service guides open without the network (and
without a round trip when it is up). `refresh()` replaces the copy while the back office
answers: at start, every `refresh_s`, on the back office's refresh_catalogue command, and
as soon as a heartbeat's answer names a catalogue version newer than the copy's
(`CatalogueRefresher.catch_up`): a catalogue load reaches every kiosk within a heartbeat.
The county's working-day calendar travels with it: a guide's "by this date if you apply
today" counts the years the county imported too. So do Chengmai's towns and villages, which
the address step of a result by post offers (an offline kiosk that copied them once still
can).

Until a first copy exists, requests go to the back office directly. Searching the copy
uses the same matching as the back office (domain/catalogue_search.py).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from domain.catalogue_search import matches_query
from domain.workdays import WorkCalendar, default_calendar
from services.api import BackofficeClient, BackofficeError, BackofficeRefused

from .background import BackgroundWorker

log = logging.getLogger(__name__)


class CatalogueCache:
    def __init__(self, api: BackofficeClient, path: Path):
        self.api = api
        self.path = path
        self._lock = threading.Lock()
        # One refresh at a time: the refresher's thread (its period, a heartbeat naming a
        # newer version) and the refresh_catalogue command's would write the same scratch file.
        self._refreshing = threading.Lock()
        self._copy: dict[str, Any] | None = None
        try:
            self._copy = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._copy = None  # no copy yet (first start) or a broken file: the next refresh writes one
        self._calendar = _work_calendar(self._copy)

    @property
    def fetched_at(self) -> float | None:
        copy = self._copy
        return None if copy is None else float(copy.get("fetched_at", 0))

    @property
    def version(self) -> int | None:
        """The back office's catalogue version this copy was made from; None without a copy
        (or with one from before copies were versioned)."""
        copy = self._copy
        number = None if copy is None else copy.get("version")
        return number if isinstance(number, int) else None

    def refresh(self) -> dict[str, int]:
        """Fetch the whole catalogue and replace the copy in one step (raises
        BackofficeError while the back office cannot give all of it: the old copy stays)."""
        with self._refreshing:
            return self._refresh()

    def _refresh(self) -> dict[str, int]:
        # Asked first: a load while the rest is fetched leaves the copy labelled older than
        # it is, and the next heartbeat fetches it again, never the other way round.
        version = self.api.catalogue_version()
        windows, bundles = self.api.windows(), self.api.bundles()
        items = self.api.items()
        guides = {item["code"]: self.api.guide(item["code"]) for item in items}
        county_calendar = self.api.calendar()
        towns = self._fetch_towns()
        copy = {"fetched_at": time.time(), "version": version, "windows": windows, "bundles": bundles, "items": items,
                "guides": guides, "calendar": county_calendar, "towns": towns}
        calendar = _work_calendar(copy)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_suffix(".tmp")
        with open(scratch, "w", encoding="utf-8") as handle:
            json.dump(copy, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, self.path)
        with self._lock:
            self._copy = copy
            self._calendar = calendar
        counts = {"windows": len(windows), "items": len(items), "bundles": len(bundles), "version": version}
        log.info("catalogue copy refreshed", extra=counts)
        return counts

    def _fetch_towns(self) -> list[dict] | None:
        """The towns, or the copy's own where the back office has no such list yet (an older
        back office must not stop the catalogue from refreshing)."""
        try:
            return self.api.towns()
        except BackofficeRefused:
            copy = self._copy
            return copy.get("towns") if copy else None

    def work_calendar(self) -> WorkCalendar:
        """The official schedule with the county's imported years and days, as last copied."""
        return self._calendar

    # --- the same calls as BackofficeClient's, answered from the copy -------------------------
    def windows(self) -> list[dict]:
        copy = self._copy
        return copy["windows"] if copy else self.api.windows()

    def bundles(self) -> list[dict]:
        copy = self._copy
        return copy["bundles"] if copy else self.api.bundles()

    def items(self, q: str = "", window: str = "", type: str = "", audience: str = "",
              kiosk: str | bool = "") -> list[dict]:
        copy = self._copy
        if not copy:
            return self.api.items(q=q, window=window, type=type, audience=audience, kiosk=str(kiosk).lower()
                                  if kiosk != "" else "")
        wanted_kiosk = None if kiosk == "" else str(kiosk).lower() in ("1", "true", "yes")
        found = [i for i in copy["items"]
                 if (not window or i.get("window") == window) and (not type or i.get("type") == type)
                 and (wanted_kiosk is None or bool(i.get("kiosk")) == wanted_kiosk)
                 and (not audience or audience in (i.get("audience") or []))
                 and matches_query(q, i.get("name", ""), i.get("name_en", ""), i.get("pinyin_initials", ""),
                                   i.get("pinyin_full", ""))]
        return sorted(found, key=lambda i: (i.get("window", ""), i.get("code", "")))

    def guide(self, item_code: str) -> dict:
        copy = self._copy
        if copy and item_code in copy["guides"]:
            return copy["guides"][item_code]
        return self.api.guide(item_code)

    def held_towns(self) -> list[dict] | None:
        """The towns as copied, without asking the back office (None: never copied)."""
        copy = self._copy
        return (copy.get("towns") or None) if copy else None

    def towns(self) -> list[dict]:
        """Chengmai's towns and their villages: the copy's, else the back office's (raises
        BackofficeError when there is no copy and it cannot give them)."""
        return self.held_towns() or self.api.towns()


def _work_calendar(copy: dict[str, Any] | None) -> WorkCalendar:
    county = (copy or {}).get("calendar") or {}
    try:
        overrides = {dt.date.fromisoformat(o["day"]): bool(o["working"]) for o in county.get("overrides", [])}
        years = frozenset(int(y["year"]) for y in county.get("years", []))
    except (KeyError, TypeError, ValueError):  # a copy from before the calendar travelled with it
        overrides, years = {}, frozenset()
    return WorkCalendar(default_calendar().official, overrides, years)


class CatalogueRefresher(BackgroundWorker):
    """Refreshes the copy at start and every `refresh_s`; after a failure, tries again
    sooner (every `retry_s`). `refresh_now()` is the back office's refresh command."""

    thread_name = "catalogue-refresh"

    def __init__(self, cache: CatalogueCache, refresh_s: float = 3600.0, retry_s: float = 120.0):
        super().__init__()
        self.cache = cache
        self.refresh_s = refresh_s
        self.retry_s = retry_s
        self.last_error = ""
        self._failed_at = 0.0  # time.monotonic() of the last failed refresh

    def refresh_now(self) -> dict[str, int]:
        """Synchronous (the command's worker waits for it and acks with the counts)."""
        counts = self.cache.refresh()
        self.last_error = ""
        return counts

    def catch_up(self, current_version: int) -> bool:
        """The back office's catalogue is at `current_version` (a heartbeat's answer): when
        the copy is older, refresh now on this worker's thread instead of at the next
        period. True when a refresh was asked for."""
        held = self.cache.version
        if held is not None and held >= current_version:
            return False
        if self.last_error and time.monotonic() - self._failed_at < self.retry_s:
            return False  # failing: the retry comes at its own time, not at every heartbeat
        log.info("catalogue copy older than the back office's", extra={"held": held, "current": current_version})
        self.wake()
        return True

    def _run(self) -> None:
        while not self.stopping:
            try:
                self.refresh_now()
                wait = self.refresh_s
            except BackofficeError as exc:
                self.last_error = type(exc).__name__
                self._failed_at = time.monotonic()
                log.info("catalogue copy not refreshed", extra={"error": self.last_error})
                wait = self.retry_s
            except Exception:  # a bug must not stop refreshing for good
                log.exception("catalogue refresh failed")
                self.last_error, self._failed_at = "bug", time.monotonic()
                wait = self.retry_s
            self._pause(wait)
