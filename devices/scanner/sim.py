"""A simulated scanner for the demo and tests: codes are 'scanned' by calls (the demo
panel, a test) and reach the facade through the same poll loop as a real scanner.

It is a simulated camera too: `preview_frame()` draws what a camera over the counter
would see (corpus.py's synthetic counter, fresh sensor noise each frame), with each
scanned code held in view for a moment, so a live view has pictures to show."""
from __future__ import annotations

import queue
import threading
import time

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .codes import ScannedCode

HELD_IN_VIEW_S = 3.0  # how long a scanned code stays in the simulated camera's picture
CODE_SIDE_PX = 264  # the code's side in the 640x480 picture: a phone held close


class SimulatedScannerBackend:
    name = "sim"

    def __init__(self, device: str = "scanner", clock=time.monotonic):
        self.device = device
        self.clock = clock
        self._codes: queue.Queue[ScannedCode] = queue.Queue()
        self._open = False
        self._view = SimulatedView()

    def scan(self, payload: bytes | str, symbology: str = "QRCode") -> None:
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        self._view.hold(data, self.clock())
        self._codes.put(ScannedCode(data, symbology, self.name))

    def open(self) -> None:
        self._open = True

    def close(self) -> None:
        self._open = False

    def poll(self, timeout: float) -> list[ScannedCode]:
        try:
            codes = [self._codes.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self._codes.empty():
            codes.append(self._codes.get_nowait())
        return codes

    def preview_frame(self):
        return self._view.frame(self.clock()) if self._open else None

    def status(self) -> DeviceStatus:
        state = DeviceState.ONLINE if self._open else DeviceState.OFFLINE
        return DeviceStatus(self.device, self.name, state)

    def self_test(self) -> SelfTestResult:
        return SelfTestResult(self._open, self.status(), "simulated scanner")


class SimulatedView:
    """The simulated camera's picture. OpenCV and the counter are loaded at the first
    frame, so a kiosk that never shows a live view never pays for them."""

    def __init__(self, seed: int = 469023):
        self.seed = seed
        self._lock = threading.Lock()
        self._held: tuple[bytes, float] | None = None  # the code in view, and since when
        self._patch = None  # the held code drawn, made once per code
        self._counter = None
        self._noise = None

    def hold(self, data: bytes, now: float) -> None:
        with self._lock:
            self._held, self._patch = (data, now), None

    def frame(self, now: float):
        import numpy as np

        with self._lock:
            if self._counter is None:
                self._counter, self._noise = self._empty_counter(np)
            held = self._held if self._held is not None and now - self._held[1] < HELD_IN_VIEW_S else None
            if held is not None and self._patch is None:
                self._patch = _code_picture(held[0])
            patch = self._patch if held is not None else None
        view = self._counter + self._noise.normal(0, 3, self._counter.shape).astype(np.float32)
        if patch is not None:
            top, left = (view.shape[0] - patch.shape[0]) // 2, (view.shape[1] - patch.shape[1]) // 2
            view[top:top + patch.shape[0], left:left + patch.shape[1]] = patch
        return np.clip(view, 0, 255).astype(np.uint8)

    def _empty_counter(self, np):
        import random

        from .corpus import background

        counter = background(random.Random(self.seed), np.random.default_rng(self.seed))
        return counter.astype(np.float32), np.random.default_rng(self.seed + 1)


def _code_picture(data: bytes):
    """The code as printed paper, as large as fits CODE_SIDE_PX in whole modules."""
    from .corpus import code_patch, qr_modules

    modules = qr_modules(data).shape[0]
    return code_patch(data, max(1, CODE_SIDE_PX // modules))
