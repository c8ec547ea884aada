"""The live view of a maintenance camera test (the QR scanner's camera, the face camera):
its frames, made small and grey on a thread of their own, handed over a few times a second
until the test is stopped or its time is up. No Kivy: `show` and `ended` are given by the
caller, which brings them onto the UI thread (the maintenance journey does it through the
Clock)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)

PREVIEW_HEIGHT_PX = 240  # 320x240 from a 4:3 camera: small, enough to aim a code
FRAMES_PER_S = 5.0


class CameraPreview:
    def __init__(self, camera: Any, limit_s: float, *, height_px: int = PREVIEW_HEIGHT_PX,
                 fps: float = FRAMES_PER_S, clock: Callable[[], float] = time.monotonic):
        self.camera = camera  # anything with preview_frame(): a grey or BGR picture, or None
        self.limit_s = limit_s
        self.height_px = height_px
        self.interval_s = 1.0 / fps
        self.clock = clock
        self.frames = 0  # frames handed to `show`
        self.thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive() and not self._stop.is_set()

    def start(self, show: Callable[[Any], None], ended: Callable[[], None]) -> None:
        """`show(pixels)` for each frame and, if the time runs out, `ended()` once; both
        called on the preview's own thread."""
        self.thread = threading.Thread(target=self._run, args=(show, ended), name="camera-preview", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Returns at once; the thread ends after the frame it may be making."""
        self._stop.set()

    def _run(self, show: Callable[[Any], None], ended: Callable[[], None]) -> None:
        import cv2

        from devices.doccam.page import preview

        deadline = self.clock() + self.limit_s
        while not self._stop.wait(self.interval_s):
            if self.clock() >= deadline:
                self._stop.set()
                ended()
                return
            try:
                frame = self.camera.preview_frame()
            except Exception:  # a camera fault shows as no picture; the test still decodes
                log.exception("camera preview frame failed")
                frame = None
            if frame is not None:  # none yet, or a scanner without a camera
                if frame.ndim == 3:  # the face camera films in colour; the view is grey like the scanner's
                    frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
                self.frames += 1
                show(preview(frame, self.height_px))
