"""Camera scanning: OpenCV VideoCapture on a device index or a path (a video file or an
image sequence such as `frames/%03d.png`, for tests and the demo). A capture thread keeps
only the newest frame, so decoding never falls behind the camera; poll() decodes it."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import cv2
import numpy as np

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .cascade import CascadeDecoder, to_gray
from .codes import ScannedCode

log = logging.getLogger(__name__)


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


class CameraScannerBackend:
    name = "camera"

    def __init__(self, grabber: FrameGrabber, decoder: CascadeDecoder, device: str = "scanner"):
        self.grabber = grabber
        self.decoder = decoder
        self.device = device
        self._decoded_seq = 0
        self._opened = False
        self.frames_decoded = 0

    def open(self) -> None:
        self._decoded_seq = 0
        self.grabber.start()
        self._opened = True

    def close(self) -> None:
        self._opened = False
        self.grabber.stop()

    def poll(self, timeout: float) -> list[ScannedCode]:
        frame = self.grabber.wait_newer(self._decoded_seq, timeout)
        if frame is None:
            if self.grabber.ended:
                time.sleep(timeout)  # a finished file: nothing more will come
            return []
        self._decoded_seq = frame.seq
        self.frames_decoded += 1
        return self.decoder.decode(to_gray(frame.image))

    def preview_frame(self) -> np.ndarray | None:
        frame = self.grabber.latest()
        return None if frame is None else to_gray(frame.image)

    def status(self) -> DeviceStatus:
        if not self._opened:
            return DeviceStatus(self.device, self.name, DeviceState.OFFLINE, detail="not opened")
        if self.grabber.error and self.grabber.latest() is None:
            return DeviceStatus(self.device, self.name, DeviceState.NO_DEVICE, detail=self.grabber.error)
        if self.grabber.error:
            return DeviceStatus(self.device, self.name, DeviceState.HARDWARE_ERROR, detail=self.grabber.error)
        detail = f"{self.grabber.captured} frames captured, {self.frames_decoded} decoded, {self.decoder.name}"
        return DeviceStatus(self.device, self.name, DeviceState.ONLINE, detail=detail)

    def self_test(self) -> SelfTestResult:
        """The decoder reads a generated code, and the camera delivers a frame."""
        from .corpus import code_patch

        sample = np.pad(code_patch(b"CM-SELFTEST", 4).astype(np.uint8), 40, constant_values=235)
        decoder_ok = [c.data for c in self.decoder.decode(sample)] == [b"CM-SELFTEST"]
        frame = self.grabber.latest() or self.grabber.wait_newer(0, 2.0)
        status = self.status()
        if not decoder_ok:
            return SelfTestResult(False, status, f"{self.decoder.name} did not read the test code")
        if frame is None:
            return SelfTestResult(False, status, "no frame from the camera")
        h, w = frame.image.shape[:2]
        return SelfTestResult(status.state is DeviceState.ONLINE, status, f"decoder ok, frames {w}x{h}")
