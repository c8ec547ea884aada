"""The code-scanner facade: one worker thread polls a backend (camera, keyboard-wedge,
serial, simulated) and hands `CodeScanned` events to listeners, after dropping repeats
of the same payload within the debounce interval."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from ..health import DeviceState, DeviceStatus, SelfTestResult
from ..polling import PollingDevice
from .codes import ScannedCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeScanned:
    code: ScannedCode


Listener = Callable[[CodeScanned], None]


class ScannerBackend(Protocol):
    name: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def poll(self, timeout: float) -> list[ScannedCode]:
        """Wait up to `timeout` seconds; the codes read in that time (often none)."""

    def status(self) -> DeviceStatus: ...

    def self_test(self) -> SelfTestResult: ...


class Debouncer:
    """A code held in front of the camera is read on every frame; a person means it once.
    The same payload is let through again only after `interval_s` without seeing it."""

    def __init__(self, interval_s: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.interval_s = interval_s
        self._clock = clock
        self._last_seen: dict[bytes, float] = {}

    def accept(self, data: bytes) -> bool:
        now = self._clock()
        last = self._last_seen.get(data)
        self._last_seen[data] = now
        if len(self._last_seen) > 256:  # forget old payloads; a kiosk runs for months
            cutoff = now - self.interval_s
            self._last_seen = {k: v for k, v in self._last_seen.items() if v >= cutoff}
        return last is None or now - last >= self.interval_s

    def forget(self) -> None:
        """At session end: the next person may scan the same appointment code again."""
        self._last_seen.clear()


class Scanner(PollingDevice):
    """What the kiosk uses. Listeners run on the scanner's worker thread."""

    def __init__(self, backend: ScannerBackend, debounce_s: float = 2.0, device: str = "scanner"):
        super().__init__(device)
        self.backend = backend
        self.debouncer = Debouncer(debounce_s)

    def open(self) -> None:
        if self.running:
            return
        try:
            self.backend.open()
        except Exception:  # an unplugged scanner is a status, not a crash at start-up
            log.exception("scanner backend %s did not open", self.backend.name)
        self._start_polling(f"{self.device}-{self.backend.name}")

    def close(self) -> None:
        self._stop_polling(timeout=3)
        self.backend.close()

    def status(self) -> DeviceStatus:
        if not self.running:
            return DeviceStatus(self.device, self.backend.name, DeviceState.OFFLINE, detail="not opened")
        return self.backend.status()

    def self_test(self) -> SelfTestResult:
        try:
            return self.backend.self_test()
        except Exception as exc:
            log.exception("scanner self-test failed")
            status = DeviceStatus(self.device, self.backend.name, DeviceState.HARDWARE_ERROR, detail=str(exc))
            return SelfTestResult(False, status, f"self-test raised {type(exc).__name__}")

    def reset_session(self) -> None:
        self.debouncer.forget()

    def preview_frame(self):
        """The camera's newest frame in grey (a numpy array), for a live view; None from a
        scanner with no camera (keyboard wedge, serial) or before the first frame. Any
        thread may ask: it never waits for the camera."""
        frame = getattr(self.backend, "preview_frame", None)
        return frame() if frame is not None else None

    def _poll(self) -> list:
        return [CodeScanned(code) for code in self.backend.poll(self.POLL_INTERVAL)
                if self.debouncer.accept(code.data)]
