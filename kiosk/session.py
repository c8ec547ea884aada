"""The citizen's session: the only place the applicant's personal data lives.

A session starts at the first touch, card or scan, and ends when the citizen taps
finish, removes the card that identified them, or leaves the kiosk alone past the idle
warning. On end, `wipe()` drops every reference to personal data and deletes the
session's files (captured images, rendered receipts).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from domain.cases import CaseDetail, CaseSummary
from domain.identity import Identity

log = logging.getLogger(__name__)


class Session:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self.generation = 0  # bumps at every start and wipe, so late results are dropped
        self.started = False
        self.identity: Identity | None = None
        self.identified_by_card = False
        self.cases: list[CaseSummary] = []
        self.current_case: CaseDetail | None = None
        self.data: dict[str, Any] = {}  # per-journey state (answers, scans, tickets, ...)
        self.temp_files: list[Path] = []
        self.last_activity = clock()

    @property
    def active(self) -> bool:
        return self.started

    def begin(self) -> None:
        if not self.started:
            self.wipe()
            self.started = True
        self.touch()

    def start(self, identity: Identity, by_card: bool = True) -> None:
        """A new session identified by `identity` (a card placed on the attract screen)."""
        self.wipe()
        self.started = True
        self.identify(identity, by_card)

    def identify(self, identity: Identity, by_card: bool = True) -> None:
        self.identity = identity
        self.identified_by_card = by_card
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
        self.started = False
        self.identity = None
        self.identified_by_card = False
        self.cases = []
        self.current_case = None
        self.data = {}
        self.generation += 1
