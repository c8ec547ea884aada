"""The simulated face camera: the scene the demo panel (or a test) chose, filmed at a
camera's frame rate through the same capture thread as a real camera, so the facade
cannot tell them apart."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from ..frame_grabber import FrameGrabber
from .scene import FRAME_SIZE, Scene

FPS = 10.0
REACTION_S = 0.3  # from hearing the request to the head starting to turn


class ScenePlayer:
    """Plays one scene at a time from when it was chosen; read() as cv2.VideoCapture's."""

    def __init__(self, scene: Scene | None = None, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._scene, self._since = scene or Scene(), clock()
        self._asked: tuple[str, float] = ("", 0.0)  # what the citizen was last asked to do, and when
        self._seq = 0

    @property
    def scene(self) -> Scene:
        with self._lock:
            return self._scene

    def show(self, scene: Scene | str) -> None:
        chosen = Scene.parse(scene) if isinstance(scene, str) else scene
        with self._lock:
            self._scene, self._since = chosen, self.clock()

    def hear(self, action: str) -> None:
        """The kiosk asked the citizen to do `action` ("" when it stopped asking): a demo
        person who was just standing there does it once, a moment later, as a citizen would
        (turns their head and looks back, or blinks), and so does the video on a tablet held
        up (the worst an impostor can bring); a photo, nobody, or a person already moving on
        their own do not change."""
        with self._lock:
            self._asked = (action, self.clock())

    def read(self, infrared: bool = False):
        """The scene now, as cv2.VideoCapture.read() answers: in near-infrared for a
        binocular camera's second eye."""
        from .filming import TURN_PERIOD_S, render  # OpenCV and the faces: with the camera's first frame

        with self._lock:
            scene, t = self._scene, self.clock() - self._since
            action, asked_at = self._asked
            turning = self.clock() - asked_at - REACTION_S
            if action and scene.kind in ("person", "screen") and not scene.action and 0 < turning < TURN_PERIOD_S:
                scene, t = replace(scene, action=action), turning
            self._seq += 1
            seq = self._seq
        return True, render(scene, t, seq, infrared=infrared)

    def release(self) -> None:
        pass


class _InfraredEye:
    """The player seen through a binocular camera's infrared eye, as a VideoCapture."""

    def __init__(self, player: ScenePlayer):
        self.player = player

    def read(self):
        return self.player.read(infrared=True)

    def release(self) -> None:
        pass


class SceneGrabber(FrameGrabber):
    """FrameGrabber whose "camera" is a ScenePlayer: never missing, never unplugged."""

    def __init__(self, player: ScenePlayer, fps: float = FPS, infrared: bool = False):
        super().__init__("sim-infrared" if infrared else "sim", width=FRAME_SIZE[0], height=FRAME_SIZE[1],
                         pace_fps=fps)
        self.is_file = False  # a camera, not a file that ends
        self.player = player
        self.infrared = infrared

    def _open(self) -> bool:
        # read() and release() as VideoCapture's
        self._cap = _InfraredEye(self.player) if self.infrared else self.player  # type: ignore[assignment]
        self.error = ""
        return True
