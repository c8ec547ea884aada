"""The face-camera facade: the camera runs while a screen that needs it is open (face
verification, the maintenance test); meanwhile a worker thread of its own tells listeners
where the face is (a FaceCue, a few times a second), and capture_burst() takes a
challenge's frames as JPEGs for the back office, which alone decides the match.

Nothing is kept here: the burst's JPEGs belong to the caller, who sends them and lets go.
OpenCV and the cascade are imported with the first frame analysed, not with the kiosk."""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Callable

from ..frame_grabber import FrameGrabber
from ..health import DeviceState, DeviceStatus, SelfTestResult
from .burst import MAX_FRAMES, MAX_SECONDS, Burst

if TYPE_CHECKING:
    import numpy as np

    from .cue import FaceCue, FaceFinder
    from .sim import ScenePlayer

log = logging.getLogger(__name__)

CUE_INTERVAL_S = 0.25  # the face guide follows a few times a second; the cascade costs ~0.1 s a frame
BURST_FRAMES, BURST_SECONDS = 5, 2.0  # when a challenge does not say


class FaceCamera:
    def __init__(self, grabber: FrameGrabber, backend: str, *, infrared: FrameGrabber | None = None,
                 player: ScenePlayer | None = None, device: str = "face"):
        self.grabber = grabber
        self.backend = backend
        self.infrared_eye = infrared  # a binocular camera's second eye, near-infrared: None without one
        self.player = player  # the simulated camera's scenes (the demo panel's handle), else None
        self.device = device
        self.last_cue: FaceCue | None = None
        self._listeners: list[Callable[[FaceCue], None]] = []
        self._finder: FaceFinder | None = None
        self._worker: tuple[threading.Thread, threading.Event] | None = None

    # --- open and close ------------------------------------------------------------------
    @property
    def infrared(self) -> bool:
        return self.infrared_eye is not None

    def open(self) -> None:
        if self._worker is not None:
            return
        self.grabber.start()
        if self.infrared_eye is not None:
            self.infrared_eye.start()
        stop = threading.Event()
        thread = threading.Thread(target=self._watch, args=(stop,), name=f"{self.device}-cue", daemon=True)
        self._worker = (thread, stop)
        thread.start()

    def close(self) -> None:
        """Called on the UI thread as the screen closes: the threads end by themselves after
        the frame they are on, so closing never waits for the camera or the cascade."""
        if self._worker is None:
            return
        self._worker[1].set()
        self._worker = None
        self.last_cue = None
        self.grabber.stop(wait=False)
        if self.infrared_eye is not None:
            self.infrared_eye.stop(wait=False)

    @property
    def is_open(self) -> bool:
        return self._worker is not None

    # --- events ----------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[FaceCue], None]) -> None:
        """`listener(cue)` runs on the face camera's worker thread."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[FaceCue], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _watch(self, stop: threading.Event) -> None:
        seq = 0
        while not stop.is_set():
            if not self._listeners:  # nobody follows the face: the cascade need not run
                stop.wait(CUE_INTERVAL_S)
                continue
            frame = self.grabber.wait_newer(seq, CUE_INTERVAL_S * 2)
            if frame is None:
                if self.grabber.ended:
                    stop.wait(CUE_INTERVAL_S)
                continue
            seq, started = frame.seq, time.monotonic()
            try:
                cue = self.cue_of(frame.image)
            except Exception:  # a bad frame must not stop the guide for the rest of the visit
                log.exception("face cue failed")
                stop.wait(CUE_INTERVAL_S)
                continue
            if stop.is_set():
                return  # closed meanwhile: this cue is for a screen that is gone
            self.last_cue = cue
            for listener in list(self._listeners):
                try:
                    listener(cue)
                except Exception:
                    log.exception("face cue listener failed")
            stop.wait(max(0.0, CUE_INTERVAL_S - (time.monotonic() - started)))

    def cue_of(self, image: np.ndarray) -> FaceCue:
        if self._finder is None:
            from .cue import FaceFinder

            self._finder = FaceFinder()
        return self._finder.cue(image)

    def instructed(self, action: str) -> None:
        """What the citizen is being asked to do now ("" once the frames are taken). A real
        camera has no use for it; the simulated camera's demo person does as asked."""
        if self.player is not None:
            self.player.hear(action)

    # --- frames ----------------------------------------------------------------------------
    def preview_frame(self) -> np.ndarray | None:
        """The newest frame (BGR) for a live view, or None; never waits for the camera."""
        frame = self.grabber.latest()
        return None if frame is None else frame.image

    def capture_burst(self, frames: int = BURST_FRAMES, seconds: float = BURST_SECONDS,
                      timeout: float = 3.0) -> Burst:
        """`frames` JPEGs spread evenly over `seconds` (a challenge's frames_wanted), each a
        newer frame than the one before, and the infrared eye's frame with the first and the
        last (where the camera has one). Blocks for about `seconds`: call off the UI thread."""
        from .burst import encode

        if not self.is_open:
            return Burst(False, "face camera not open")
        if not 1 <= frames <= MAX_FRAMES or not 0 <= seconds <= MAX_SECONDS:
            return Burst(False, f"a burst is 1-{MAX_FRAMES} frames over at most {MAX_SECONDS:.0f} s")
        interval = seconds / (frames - 1) if frames > 1 else 0.0
        jpegs: list[bytes] = []
        infrared: list[bytes] = []
        seq, infrared_seq, first = 0, 0, None
        start = time.monotonic()
        for i in range(frames):
            time.sleep(max(0.0, start + i * interval - time.monotonic()))
            frame = self.grabber.wait_newer(seq, timeout)
            if frame is None:
                return Burst(False, "no frame from the face camera")
            seq = frame.seq
            first = frame.at if first is None else first
            jpegs.append(encode(frame.image))
            last = frame.at
            if self.infrared_eye is not None and i in (0, frames - 1):
                seen = self.infrared_eye.wait_newer(infrared_seq, timeout)
                if seen is None:
                    return Burst(False, "no frame from the face camera's infrared eye")
                infrared_seq = seen.seq
                infrared.append(encode(seen.image))
        return Burst(True, "", tuple(jpegs), round(last - first, 3), tuple(infrared))

    # --- health ----------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        if not self.is_open:
            return DeviceStatus(self.device, self.backend, DeviceState.OFFLINE, detail="not opened")
        if self.grabber.error:
            state = DeviceState.NO_DEVICE if self.grabber.latest() is None else DeviceState.HARDWARE_ERROR
            return DeviceStatus(self.device, self.backend, state, detail=self.grabber.error)
        frame = self.grabber.latest()
        size = f", {frame.image.shape[1]}x{frame.image.shape[0]}" if frame is not None else ""
        infrared = ""
        if self.infrared_eye is not None:
            infrared = f", infrared eye: {self.infrared_eye.error or f'{self.infrared_eye.captured} frames'}"
        return DeviceStatus(self.device, self.backend, DeviceState.ONLINE,
                            detail=f"{self.grabber.captured} frames{size}{infrared}")

    def self_test(self) -> SelfTestResult:
        """The face finder on a simulated person and an empty room, then a frame from the
        camera: a technician learns both that faces are found and that the camera films."""
        from .cue import CueKind
        from .filming import render
        from .scene import Scene

        found = self.cue_of(render(Scene("person", "li"), 0.0)).kind
        empty = self.cue_of(render(Scene(), 0.0)).kind
        if found is not CueKind.CENTRED or empty is not CueKind.NONE:
            return SelfTestResult(False, self.status(),
                                  f"face finder: {found.value} for a face, {empty.value} for nobody")
        frame = self.grabber.latest() or (self.grabber.wait_newer(0, 2.0) if self.is_open else None)
        status = self.status()
        if frame is None:
            return SelfTestResult(False, status, "face finder ok; no frame from the camera")
        h, w = frame.image.shape[:2]
        cue = self.cue_of(frame.image).kind.value
        return SelfTestResult(status.state is DeviceState.ONLINE, status,
                              f"face finder ok; frames {w}x{h}, in view now: {cue}")
