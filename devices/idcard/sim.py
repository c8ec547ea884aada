"""A simulated reader for the demo and tests: cards are inserted and removed by calls
(an on-screen control, a key, a test), and reach the facade through the same poll loop
a hardware reader uses."""
from __future__ import annotations

import datetime as dt
import json
import queue
from pathlib import Path

from domain.identity import DocumentKind, Identity

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .facade import CardEvent, CardInserted, CardReadError, CardRemoved


class SimulatedIdCardBackend:
    name = "sim"

    def __init__(self, people: dict[str, Identity] | None = None):
        self.people = dict(people or {})
        self._events: queue.Queue[CardEvent] = queue.Queue()
        self._present: Identity | None = None
        self._open = False

    # Controls used by the demo panel and tests.
    def insert(self, key_or_identity: str | Identity) -> None:
        identity = (
            self.people[key_or_identity] if isinstance(key_or_identity, str) else key_or_identity
        )
        if self._present is not None:
            self.remove()
        self._present = identity
        self._events.put(CardInserted(identity))

    def misread(self, reason: str = "The card could not be read. Please try again.") -> None:
        """A card the reader cannot read (dirty, damaged, placed badly)."""
        self._events.put(CardReadError(reason))

    def remove(self) -> None:
        if self._present is not None:
            self._present = None
            self._events.put(CardRemoved())

    @property
    def card_present(self) -> bool:
        return self._present is not None

    # Backend protocol.
    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        self._open = False

    def poll(self, timeout: float) -> CardEvent | None:
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def status(self) -> DeviceStatus:
        state = DeviceState.ONLINE if self._open else DeviceState.OFFLINE
        return DeviceStatus("idcard", self.name, state, detail="simulated reader")

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(passed=status.state is DeviceState.ONLINE, status=status)


def load_demo_people(path: Path) -> dict[str, Identity]:
    """Demo people from the seed file (the back office seeds their cases from the same file)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    people = {}
    for p in data["people"]:
        people[p["key"]] = Identity(
            kind=DocumentKind.RESIDENT_ID,
            name=p["name"],
            document_number=p["document_number"],
            sex=p["sex"],
            nation=p["nation"],
            birth_date=dt.date.fromisoformat(p["birth_date"]),
            address=p["address"],
            issuing_authority=p["issuing_authority"],
            valid_from=dt.date.fromisoformat(p["valid_from"]),
            valid_until=dt.date.fromisoformat(p["valid_until"]) if p["valid_until"] else None,
        )
    return people
