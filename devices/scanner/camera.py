"""Camera scanning: frames from devices/frame_grabber.py (a capture thread keeps only the
newest frame, so decoding never falls behind the camera); poll() decodes it, and when it
holds no code, also the combination of the last few frames (devices/scanner/frame_stack.py)."""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

from ..frame_grabber import FrameGrabber, GrabbedFrame, parse_source  # noqa: F401  (shared, re-exported)
from ..health import DeviceState, DeviceStatus, SelfTestResult
from .codes import ScannedCode

if TYPE_CHECKING:
    import numpy as np

    from .cascade import CascadeDecoder
    from .frame_stack import FrameStack

log = logging.getLogger(__name__)


class CameraScannerBackend:
    name = "camera"

    def __init__(self, grabber: FrameGrabber, decoder: CascadeDecoder | None = None, device: str = "scanner", *,
                 make_decoder: Callable[[], CascadeDecoder] | None = None):
        """`decoder`, or `make_decoder` to make it when the scanner opens: OpenCV and the
        decoding library are then imported with the camera, after the kiosk's first frame."""
        if (decoder is None) == (make_decoder is None):
            raise ValueError("a decoder, or a way to make one")
        self.grabber = grabber
        self.decoder = decoder
        self._make_decoder = make_decoder
        self.device = device
        self._decoded_seq = 0
        self._opened = False
        self.frames_decoded = 0
        self.combined_reads = 0  # codes found only in a combination of frames
        self._unread: FrameStack | None = None

    def _ensure_decoder(self) -> CascadeDecoder:
        if self.decoder is None:
            self.decoder = self._make_decoder()
        return self.decoder

    def open(self) -> None:
        self._ensure_decoder()
        self._decoded_seq = 0
        self._unread = None
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
        from .cascade import to_gray
        from .frame_stack import FrameStack

        self._decoded_seq = frame.seq
        self.frames_decoded += 1
        gray = to_gray(frame.image)
        codes = self.decoder.decode(gray)
        if self._unread is None:
            self._unread = FrameStack()
        if codes:
            self._unread.clear()
            return codes
        self._unread.add(gray)
        if not self._unread.full:  # one combined look per few frames: an empty view costs little more
            return []
        combined = self._unread.combined()
        self._unread.clear()
        codes = [] if combined is None else self.decoder.decode(combined)
        self.combined_reads += bool(codes)
        return codes

    def preview_frame(self) -> np.ndarray | None:
        from .cascade import to_gray

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
        import numpy as np

        from .corpus import code_patch

        sample = np.pad(code_patch(b"CM-SELFTEST", 4).astype(np.uint8), 40, constant_values=235)
        decoder_ok = [c.data for c in self._ensure_decoder().decode(sample)] == [b"CM-SELFTEST"]
        frame = self.grabber.latest() or self.grabber.wait_newer(0, 2.0)
        status = self.status()
        if not decoder_ok:
            return SelfTestResult(False, status, f"{self.decoder.name} did not read the test code")
        if frame is None:
            return SelfTestResult(False, status, "no frame from the camera")
        h, w = frame.image.shape[:2]
        return SelfTestResult(status.state is DeviceState.ONLINE, status, f"decoder ok, frames {w}x{h}")
