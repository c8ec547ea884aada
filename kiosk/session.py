"""The citizen's session: the only place the applicant's personal data lives.

A session starts at the first touch, card or scan, and ends when the citizen taps
finish, removes the card that identified them, or leaves the kiosk alone past the idle
warning. On end, `wipe()` drops every reference to personal data and deletes the
session's files (captured images, rendered receipts: kiosk/session_files.py).

Each journey keeps its own typed state here (a dataclass of its own, looked up by its
type), so everything a citizen entered goes with one wipe.
"""
from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path
from typing import Any, TypeVar

from domain.cases import CaseDetail, CaseSummary
from domain.identity import Identity

from .session_files import SessionFiles

log = logging.getLogger(__name__)
State = TypeVar("State")


class Session:
    def __init__(self, clock=time.monotonic, files_root: Path | None = None):
        self._clock = clock
        self.files = SessionFiles(files_root)
        self.generation = 0  # bumps at every start and wipe, so late results are dropped
        self.started = False
        self.identity: Identity | None = None
        self.identified_by_card = False
        self.cases: list[CaseSummary] = []
        self.current_case: CaseDetail | None = None
        self._states: dict[type, Any] = {}  # each journey's typed state, by its type
        self.resume_after_identify = ""  # the journey that goes on once the citizen is identified
        self.ref = ""  # this session's random name: a presence grant is bound to it
        # The back office's presence grant for `identity`: the citizen typed the code it
        # texted them. Without it the back office serves none of their data.
        self.grant = ""
        self.last_activity = clock()

    @property
    def active(self) -> bool:
        return self.started

    def begin(self) -> None:
        if not self.started:
            self.wipe()
            self.started, self.ref = True, secrets.token_urlsafe(12)
        self.touch()

    def start(self, identity: Identity, by_card: bool = True) -> None:
        """A new session identified by `identity` (a card placed on the attract screen)."""
        self.wipe()
        self.started, self.ref = True, secrets.token_urlsafe(12)
        self.identify(identity, by_card)

    def identify(self, identity: Identity, by_card: bool = True) -> None:
        if self.identity is not None and self.identity.document_number != identity.document_number:
            self.grant = ""  # another person's card: the grant was not theirs
        self.identity = identity
        self.identified_by_card = by_card
        self.touch()

    def touch(self) -> None:
        self.last_activity = self._clock()

    def idle_seconds(self) -> float:
        return self._clock() - self.last_activity

    def state(self, kind: type[State]) -> State:
        """The journey state of this type, made empty on first use."""
        found = self._states.get(kind)
        if found is None:
            found = self._states[kind] = kind()
        return found

    def peek(self, kind: type[State]) -> State | None:
        """The journey state of this type if a journey made one in this session."""
        return self._states.get(kind)

    def keep(self, state: State) -> State:
        """Replaces the journey state of its type (a journey starting over)."""
        self._states[type(state)] = state
        return state

    def discard(self, kind: type) -> None:
        self._states.pop(kind, None)

    def wipe(self) -> None:
        self.files.wipe()
        self.started = False
        self.identity = None
        self.identified_by_card = False
        self.cases = []
        self.current_case = None
        self._states = {}
        self.resume_after_identify = ""
        self.ref = self.grant = ""
        self.generation += 1
