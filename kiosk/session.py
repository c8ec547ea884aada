"""The citizen's session: the only place the applicant's personal data lives.

A session starts with a card (later also a touch or a scan) and ends when the card is
removed, the citizen taps finish, or nobody touches the screen for the idle timeout. On
end, `wipe()` drops every reference to personal data and deletes the session's files.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from kiosk.domain.cases import CaseDetail, CaseSummary
from kiosk.domain.identity import Identity

log = logging.getLogger(__name__)


class Session:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self.generation = 0  # bumps at every start and wipe, so late results are dropped
        self.identity: Identity | None = None
        self.cases: list[CaseSummary] = []
        self.current_case: CaseDetail | None = None
        self.temp_files: list[Path] = []
        self.last_activity = clock()

    @property
    def active(self) -> bool:
        return self.identity is not None

    def start(self, identity: Identity) -> None:
        self.wipe()
        self.identity = identity
        self.touch()

    def touch(self) -> None:
        self.last_activity = self._clock()

    def idle_seconds(self) -> float:
        return self._clock() - self.last_activity

    def add_temp_file(self, path: Path) -> None:
        self.temp_files.append(Path(path))

    def wipe(self) -> None:
        for path in self.temp_files:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not delete a session file")
        self.temp_files = []
        self.identity = None
        self.cases = []
        self.current_case = None
        self.generation += 1
