"""The lifecycle the kiosk's background workers share (outbox sender, catalogue refresh,
heartbeat): one daemon thread, woken early by `wake()`, stopped promptly by `stop()`
(an Event, never a sleep the process has to wait out)."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod


class BackgroundWorker(ABC):
    thread_name = "kiosk-worker"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self):
        if self._thread is None:
            self._stop.clear()  # a stopped worker can be started again
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Returns once the thread ended, or after `timeout` (a request in flight ends at
        the client's own timeout; the thread is a daemon)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _pause(self, seconds: float) -> None:
        """Wait for `seconds`, a wake() or stop(), whichever comes first."""
        self._wake.wait(max(0.0, seconds))
        self._wake.clear()

    @abstractmethod
    def _run(self) -> None:
        """The thread's loop: until `stopping`, do a round of work, then `_pause(...)`."""
