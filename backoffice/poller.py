"""A server process's thread that does one pass of work with a fresh session every `poll_s`
(the alerts to staff, the texts to citizens): what is due leaves within seconds, and the
supervision sweep still does what a stopped process left."""
from __future__ import annotations

import logging
import threading
from typing import Callable

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, name: str, sessions: Callable[[], Session], work: Callable[[Session], object], poll_s: float):
        self.name, self.sessions, self.work, self.poll_s = name, sessions, work, poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "Poller":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                with self.sessions() as session:
                    self.work(session)
            except Exception:  # the database away for a moment: try again next time
                log.exception("background pass failed", extra={"poller": self.name})
