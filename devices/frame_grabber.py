"""Frames from a camera: OpenCV VideoCapture on a device index or a path (a video file or
an image sequence such as `frames/%03d.png`, for tests and the demo), read on a thread of
its own that keeps only the newest frame. The code scanner and the document camera share it.

OpenCV (and numpy with it) is imported when a camera is first opened: the import takes a
tenth of a second or more, which the kiosk's first frame should not wait for; the document
camera is only opened by the capture page."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import cv2
    import numpy as np


def parse_source(source: int | str) -> int | str:
    if isinstance(source, str) and source.strip().isdigit():
        return int(source)
    return source


@dataclass(frozen=True)
class GrabbedFrame:
    seq: int  # 1, 2, ... in capture order; gaps mean frames were dropped in favour of newer ones
    image: np.ndarray
    at: float


class FrameGrabber:
    """Reads frames on its own thread and keeps the newest one only."""

    def __init__(self, source: int | str, *, width: int = 640, height: int = 480, loop: bool = False,
                 pace_fps: float = 0.0, reopen_s: float = 2.0):
        self.source = parse_source(source)
        self.is_file = not isinstance(self.source, int)
        self.width, self.height = width, height
        self.loop = loop
        self.pace_s = 1.0 / pace_fps if pace_fps > 0 else 0.0  # files play at a camera's rate
        self.reopen_s = reopen_s
        self.error = ""
        self.ended = False  # a file source without loop ran out of frames
        self.captured = 0
        self._latest: GrabbedFrame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cap: cv2.VideoCapture | None = None

    def start(self) -> None:
        previous = self._thread
        if previous is not None and previous.is_alive():
            previous.join(timeout=3)  # a stop(wait=False) still finishing its last read
        self._stop.clear()
        self.ended = False
        self._thread = threading.Thread(target=self._run, name="camera-capture", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Stops the capture thread, which closes the camera as it ends. `wait=False` does
        not wait for that: the thread may be in the middle of reading a frame (tens of
        milliseconds), and the UI thread closing a camera must not stall a frame."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            self._latest = None
        if wait and self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def latest(self) -> GrabbedFrame | None:
        with self._cond:
            return self._latest

    def wait_newer(self, seq: int, timeout: float) -> GrabbedFrame | None:
        """The newest frame if it is newer than `seq`, waiting up to `timeout` for one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest.seq <= seq:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set() or self.ended:
                    return None
                self._cond.wait(left)
            return self._latest

    def _open(self) -> bool:
        import cv2  # with the first camera opened, not with this module (see the docstring)

        cap = cv2.VideoCapture(self.source)
        if not self.is_file:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # a driver queue of stale frames adds latency
        if not cap.isOpened():
            cap.release()
            self.error = f"cannot open camera source {self.source!r}"
            return False
        self._cap = cap
        self.error = ""
        return True

    def _release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def _run(self) -> None:
        try:
            self._capture_until_stopped()
        finally:
            self._release()

    def _capture_until_stopped(self) -> None:
        while not self._stop.is_set():
            if self._cap is None and not self._open():
                self._stop.wait(self.reopen_s)  # unplugged camera: try again later
                continue
            ok, image = self._cap.read()
            if not ok or image is None:
                if self.is_file and self.loop and self.captured:
                    self._release()  # rewinding by reopening works for videos and image sequences
                    continue
                if self.is_file:
                    self.ended = True
                    with self._cond:
                        self._cond.notify_all()
                    return
                self.error = "camera stopped delivering frames"
                self._release()
                self._stop.wait(self.reopen_s)
                continue
            if self._stop.is_set():
                return  # stopped while reading: no frame after stop()
            self.captured += 1
            with self._cond:
                self._latest = GrabbedFrame(self.captured, image, time.monotonic())
                self._cond.notify_all()
            if self.pace_s:
                self._stop.wait(self.pace_s)


class ReplayGrabber:
    """Recorded frames handed out in order, one per poll, as a camera delivering them: a
    grabber for replaying a recording through the live loop (benchmarks, tests)."""

    def __init__(self, images):
        self.frames = [GrabbedFrame(i + 1, image, 0.0) for i, image in enumerate(images)]
        self.ended, self.error, self.captured = False, "", len(images)

    def start(self) -> None:
        pass

    def stop(self, wait: bool = True) -> None:
        pass

    def latest(self) -> GrabbedFrame:
        return self.frames[-1]

    def wait_newer(self, seq: int, timeout: float) -> GrabbedFrame | None:
        return self.frames[seq] if seq < len(self.frames) else None
