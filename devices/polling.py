"""What the card reader's and the scanner's facades share: the backend polled on a worker
thread of the facade's own, its events handed to the listeners there, and a backend
that fails kept polling (a bug must not stop a device for the night) with a wait that
grows while it keeps failing."""
from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import Any, Callable

log = logging.getLogger(__name__)


class PollingDevice(ABC):
    POLL_INTERVAL = 0.2
    MAX_FAILURE_WAIT_S = 5.0

    def __init__(self, device: str):
        self.device = device
        self._listeners: list[Callable[[Any], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0

    def subscribe(self, listener: Callable[[Any], None]) -> None:
        """`listener(event)` runs on the device's worker thread."""
        self._listeners.append(listener)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _start_polling(self, thread_name: str) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)
        self._thread.start()

    def _stop_polling(self, timeout: float) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    @abstractmethod
    def _poll(self) -> list:
        """One poll of the backend (waiting at most POLL_INTERVAL): the events it gave."""

    def _poll_failed(self) -> list:
        """The events to send when a poll raised (nothing by default)."""
        return []

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                events = self._poll()
                self._failures = 0
            except Exception:  # a backend bug must not stop the device for the night
                self._failures += 1
                if self._failures in (1, 10, 100):
                    log.exception("%s backend poll failed (%d in a row)", self.device, self._failures)
                events = self._poll_failed()
                self._stop.wait(min(self.MAX_FAILURE_WAIT_S, self.POLL_INTERVAL * self._failures))
            for event in events:
                self._emit(event)

    def _emit(self, event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("%s listener failed", self.device)
