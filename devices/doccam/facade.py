"""The document-camera facade: the camera runs while a capture screen is open; capture()
takes the newest frame and turns it into a flat, clean page JPEG (or says why not).

The page pipeline (OpenCV, numpy) is imported with the first capture, not with the
kiosk: building this facade at start must not cost the first frame a tenth of a second."""
from __future__ import annotations

import logging

from ..frame_grabber import FrameGrabber
from ..health import DeviceState, DeviceStatus, SelfTestResult

log = logging.getLogger(__name__)


class DocumentCamera:
    def __init__(self, source: int | str, *, width: int = 1600, height: int = 1200, loop: bool = True,
                 device: str = "doccam"):
        self.device = device
        self.grabber = FrameGrabber(source, width=width, height=height, loop=loop, pace_fps=10)
        self._open = False

    def open(self) -> None:
        if not self._open:
            self.grabber.start()
            self._open = True

    def close(self) -> None:
        """Called on the UI thread as the citizen leaves the capture page: the capture
        thread closes the camera by itself after its current frame."""
        if self._open:
            self.grabber.stop(wait=False)
            self._open = False

    def capture(self, timeout: float = 3.0):
        """A PageResult (devices/doccam/page.py)."""
        from .page import PageResult, process

        if not self._open:
            return PageResult(False, "document camera not open")
        frame = self.grabber.latest() or self.grabber.wait_newer(0, timeout)
        if frame is None:
            return PageResult(False, "no image from the document camera")
        try:
            return process(frame.image)
        except Exception:  # a bad frame must not take the capture screen down
            log.exception("page processing failed")
            return PageResult(False, "the page could not be processed")

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(self.device, "opencv", DeviceState.OFFLINE, detail="not opened")
        if self.grabber.error:
            state = DeviceState.NO_DEVICE if self.grabber.latest() is None else DeviceState.HARDWARE_ERROR
            return DeviceStatus(self.device, "opencv", state, detail=self.grabber.error)
        return DeviceStatus(self.device, "opencv", DeviceState.ONLINE, detail=f"{self.grabber.captured} frames")

    def self_test(self) -> SelfTestResult:
        """The page pipeline on a generated photo, then a frame from the camera."""
        from .page import process
        from .synthetic import photograph

        image, _ = photograph(1, rotation_deg=10, tilt=0.1, shadow=0.3)
        result = process(image)
        if not result.ok:
            return SelfTestResult(False, self.status(), f"page pipeline: {result.reason}")
        frame = self.grabber.latest() or (self.grabber.wait_newer(0, 2.0) if self._open else None)
        status = self.status()
        if frame is None:
            return SelfTestResult(False, status, "page pipeline ok; no frame from the camera")
        h, w = frame.image.shape[:2]
        return SelfTestResult(status.state is DeviceState.ONLINE, status, f"page pipeline ok; frames {w}x{h}")
