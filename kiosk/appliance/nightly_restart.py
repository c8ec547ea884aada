"""The nightly restart window (`[kiosk] nightly_restart = "03:30"`,
`nightly_restart_window_min = 60`): a long-running kiosk starts afresh once a night, but
never under a citizen or a technician.

The app decides, not a systemd timer: only the app knows whether someone is in the middle
of a session, and a timer would need a way to ask it (and would then only restart it when
told "yes"). So inside the window, with no session active, the app exits with 75 and
systemd starts it again (deploy/systemd/chengmai-kiosk.service). A kiosk that is busy for
the whole window restarts the next night.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from domain.county import CST

log = logging.getLogger(__name__)
CHECK_EVERY_S = 30.0


@dataclass(frozen=True)
class RestartWindow:
    opens: dt.time
    length: dt.timedelta

    @classmethod
    def from_config(cls, kiosk_section: dict) -> "RestartWindow | None":
        """None when no window is configured (a developer's kiosk, the demo)."""
        value = str(kiosk_section.get("nightly_restart", "") or "").strip()
        if not value:
            return None
        hours, minutes = (int(part) for part in value.split(":"))
        length = float(kiosk_section.get("nightly_restart_window_min", 60))
        if length <= 0:
            raise ValueError("nightly_restart_window_min must be positive")
        return cls(dt.time(hours, minutes), dt.timedelta(minutes=length))

    def last_opening(self, now: dt.datetime) -> dt.datetime:
        """When the window opened last, at or before `now` (a window may span midnight)."""
        opening = dt.datetime.combine(now.date(), self.opens, tzinfo=now.tzinfo)
        return opening if opening <= now else opening - dt.timedelta(days=1)

    def restart_due(self, now: dt.datetime, started_at: dt.datetime, idle: bool) -> bool:
        """Inside the window, started before it opened (so once a night), nobody using it."""
        opening = self.last_opening(now)
        return idle and now < opening + self.length and started_at < opening


class NightlyRestart:
    """Asked every CHECK_EVERY_S by the app's Clock; calls `restart` once it is due."""

    def __init__(self, window: RestartWindow, idle: Callable[[], bool], restart: Callable[[], None],
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(CST)):
        self.window = window
        self.idle = idle
        self.restart = restart
        self.now = now
        self.started_at = now()
        self.requested = False

    def check(self, _dt=None) -> bool:
        if self.requested or not self.window.restart_due(self.now(), self.started_at, self.idle()):
            return False
        self.requested = True
        log.info("nightly restart", extra={"started_at": self.started_at.isoformat()})
        self.restart()
        return True
