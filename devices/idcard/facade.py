"""The identity-reader facade: one worker thread polls a backend and hands events to
listeners. Backends (simulated, GA 467 serial SAM, PC/SC) only know how to poll."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Protocol, Union

from domain.identity import Identity

from ..health import DeviceState, DeviceStatus, SelfTestResult
from ..polling import PollingDevice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CardInserted:
    identity: Identity


@dataclass(frozen=True)
class CardRemoved:
    pass


@dataclass(frozen=True)
class CardReadError:
    """A read that failed in a way a person can be told about (an English message id)."""

    reason: str


UID_LENGTHS = (4, 7, 10)  # ISO/IEC 14443-3 single, double and triple size UIDs, in bytes


@dataclass(frozen=True)
class CardPresented(CardReadError):
    """A card not read as an identity document: with no passport details typed, the PC/SC
    reader asks only for the card's contactless UID (a maintenance card is known by it).
    To a citizen it is the read error `reason`; the UID is never shown or logged."""

    uid: bytes = field(default=b"", repr=False)


CardEvent = Union[CardInserted, CardRemoved, CardReadError]
Listener = Callable[[CardEvent], None]


class IdCardBackend(Protocol):
    name: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def poll(self, timeout: float) -> CardEvent | None:
        """Wait up to `timeout` seconds for the next event; None when nothing happened."""

    def status(self) -> DeviceStatus: ...

    def self_test(self) -> SelfTestResult: ...


class IdCardReader(PollingDevice):
    """What the kiosk uses. Listeners run on the reader's worker thread."""

    def __init__(self, backend: IdCardBackend):
        super().__init__("idcard")
        self.backend = backend

    def open(self) -> None:
        self.backend.open()
        self._start_polling("idcard-reader")

    def close(self) -> None:
        self._stop_polling(timeout=2)
        self.backend.close()

    def status(self) -> DeviceStatus:
        if not self.running:
            return DeviceStatus("idcard", self.backend.name, DeviceState.OFFLINE, detail="not opened")
        return self.backend.status()

    def self_test(self) -> SelfTestResult:
        return self.backend.self_test()

    def _poll(self) -> list:
        event = self.backend.poll(self.POLL_INTERVAL)
        return [event] if event is not None else []

    def _poll_failed(self) -> list:
        return [CardReadError("The card could not be read. Please try again.")]
