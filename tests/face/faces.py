"""Real faces for the face tests, each from a package the project installs, and the
changes made to them. No face is downloaded and none is kept in this repository.

- Eileen Collins, NASA astronaut (public domain NASA photograph): scikit-image's
  `skimage.data.astronaut()`, in the scikit-image wheel (the dev extra).
- Grace Hopper (US Navy photograph, public domain): matplotlib's
  `mpl-data/sample_data/grace_hopper.jpg`, in the matplotlib wheel (the dev extra).
- Lionel Messi: `messi5.jpg` from Debian's opencv-doc package
  (/usr/share/doc/opencv-doc/examples/data, scripts/debian-packages.txt); a small face,
  about 40 pixels wide.
- The cameraman: `skimage.data.camera()`; a small face in profile that dlib's detector
  does not find: a real photograph with no face the model can see.

Eileen Collins is the only person with more than one photograph here, so every genuine
pair is her photograph and a changed copy of it."""
from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from devices.face.filming import close_eyes

MESSI = Path("/usr/share/doc/opencv-doc/examples/data/messi5.jpg")


@functools.cache
def astronaut() -> np.ndarray:
    import skimage.data

    return skimage.data.astronaut()


def astronaut_at_the_glass() -> np.ndarray:
    """Her head and shoulders, as near as a citizen stands to a kiosk's camera."""
    return astronaut()[0:330, 90:390]


@functools.cache
def grace_hopper() -> np.ndarray:
    import matplotlib.cbook

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        return cv2.cvtColor(cv2.imdecode(np.frombuffer(file.read(), np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@functools.cache
def messi() -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(MESSI)), cv2.COLOR_BGR2RGB)


@functools.cache
def cameraman() -> np.ndarray:
    import skimage.data

    return cv2.cvtColor(skimage.data.camera(), cv2.COLOR_GRAY2RGB)


def jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


def png(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    assert ok
    return data.tobytes()


def frame(rgb: np.ndarray, width: int = 640, height: int = 480, dx: int = 0, dy: int = 0,
          scale: float = 1.0) -> np.ndarray:
    """The picture letterboxed into a camera frame, moved by (dx, dy) and scaled."""
    s = min(width / rgb.shape[1], height / rgb.shape[0]) * scale
    resized = cv2.resize(rgb, (int(rgb.shape[1] * s), int(rgb.shape[0] * s)), interpolation=cv2.INTER_AREA)
    m = np.float32([[1, 0, (width - resized.shape[1]) / 2 + dx], [0, 1, (height - resized.shape[0]) / 2 + dy]])
    return cv2.warpAffine(resized, m, (width, height), borderMode=cv2.BORDER_CONSTANT)


def rotated(rgb: np.ndarray, degrees: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    return cv2.warpAffine(rgb, cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0), (w, h),
                          borderMode=cv2.BORDER_REPLICATE)


def brightness(rgb: np.ndarray, gain: float, offset: float = 0) -> np.ndarray:
    return cv2.convertScaleAbs(rgb, alpha=gain, beta=offset)


def blurred(rgb: np.ndarray, kernel: int) -> np.ndarray:
    return cv2.GaussianBlur(rgb, (kernel, kernel), 0)


def squeezed(rgb: np.ndarray, factor: float) -> np.ndarray:
    """A flat print turned about its vertical axis: narrower by `factor`, with the slight
    perspective of its near edge taller than its far one."""
    h, w = rgb.shape[:2]
    near, far = 0.0, (1 - factor) * 0.15 * h
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[w * (1 - factor) / 2, near], [w * (1 + factor) / 2, far],
                      [w * (1 + factor) / 2, h - far], [w * (1 - factor) / 2, h - near]])
    return cv2.warpPerspective(rgb, cv2.getPerspectiveTransform(src, dst), (w, h))


def nose_moved(rgb: np.ndarray, landmarks: np.ndarray, shift: float) -> np.ndarray:
    """SYNTHETIC: the region around the nose pushed sideways by `shift` eye-distances
    (positive: to the image's right), the eyes left where they are. A real head turning
    moves its nose against its eyes this way (parallax); a flat print cannot. No package
    ships a real sequence of one person turning, so the live sequences are made so."""
    h, w = rgb.shape[:2]
    nose, eyes = landmarks[4], landmarks[:4].mean(axis=0)
    eye_distance = float(np.linalg.norm(landmarks[0:2].mean(axis=0) - landmarks[2:4].mean(axis=0)))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy, sigma = nose[0], (nose[1] + eyes[1]) / 2 + 0.3 * eye_distance, 0.55 * eye_distance
    bump = np.exp(-((xx - cx) ** 2 / (2 * sigma ** 2) + (yy - cy) ** 2 / (2 * (1.2 * sigma) ** 2)))
    return cv2.remap(rgb, (xx - shift * eye_distance * bump).astype(np.float32), yy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


TURN = (0.0, 0.12, 0.3, 0.15, 0.0)  # a head turning and coming back, as nose shifts


def live_turn(rgb: np.ndarray, landmarks: np.ndarray, left: bool, steps=TURN, seed: int = 0) -> list[np.ndarray]:
    """SYNTHETIC live frames of a head turning to the citizen's left (the image's right,
    the camera not mirrored) or right, with the small moves and sensor noise of a camera:
    the frames differ from one another, and from another `seed`'s, as a camera's would."""
    way = 1 if left else -1
    rng = np.random.default_rng([seed, 1 if left else 2])
    frames = []
    for i, step in enumerate(steps):
        moved = nose_moved(rgb, landmarks, way * step)
        noisy = np.clip(moved.astype(np.int16) + rng.normal(0, 3, moved.shape).astype(np.int16), 0, 255)
        frames.append(frame(noisy.astype(np.uint8), dx=3 * i, dy=-2 * i))
    return frames


BLINK = (0.0, 0.0, 0.5, 1.0, 1.0, 0.4, 0.0, 0.0)  # eyes closing, shut for a moment, opening


def live_blink(rgb: np.ndarray, landmarks: np.ndarray, steps=BLINK, seed: int = 0) -> list[np.ndarray]:
    """SYNTHETIC live frames of the citizen closing their eyes and opening them again (a lid
    of their own skin drawn over each eye, devices/face/filming.py close_eyes), with the
    small moves and sensor noise of a camera. No package ships a real face blinking."""
    eyes = (landmarks[2:4].mean(axis=0), landmarks[0:2].mean(axis=0))
    rng = np.random.default_rng([seed, 3])
    frames = []
    for i, shut in enumerate(steps):
        closed = close_eyes(rgb, eyes, shut) if shut else rgb
        noisy = np.clip(closed.astype(np.int16) + rng.normal(0, 3, closed.shape).astype(np.int16), 0, 255)
        frames.append(frame(noisy.astype(np.uint8), dx=2 * i, dy=-i))
    return frames


def flat_print_moved(rgb: np.ndarray) -> list[np.ndarray]:
    """A photo held up and moved: shifted, nearer, farther, turned in its plane, turned
    about its vertical axis (squeezed) and back."""
    return [frame(rgb), frame(rgb, dx=25, dy=5, scale=1.1), frame(rotated(rgb, 8), dx=-10),
            frame(squeezed(rgb, 0.75)), frame(squeezed(rgb, 0.6), dx=15, scale=0.95), frame(rgb, dx=5)]
