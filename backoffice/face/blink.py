"""Whether the eyes closed and opened again over a frame sequence, as the back office
asked ("blink"), from the picture around dlib's eye corners.

dlib's 5 landmarks carry no eyelids, only each eye's two corners. Between them, an open
eye shows the dark iris and pupil; a closed one shows the lid's skin and a thin line of
lashes. Each eye is cut out along the line of its corners and scaled to one size (so a
face near or far, tilted or not, reads alike), and its darkness is how far the middle of
the eye falls below the skin around it, over the skin's brightness: about 0.3-0.75 for
an open eye in our photographs, under half of that once closed. A photo held up keeps
its darkness within about an eighth from frame to frame as it is moved, tilted and
turned (tests/face/test_face_blink.py), so an eye that falls to CLOSED_RATIO of its open
level and comes back is a blink no print makes.

Not covered: a video of the citizen blinking played on a screen, or a mask with the
eyes cut out (SECURITY.md, "What is not done yet"). The numbers were set on real faces
with their eyes closed by a synthetic lid (devices/face/filming.py), not on real blinks:
record consented blinks at a kiosk and set them there."""
from __future__ import annotations

import numpy as np

from .liveness import Liveness

BLINK = "blink"
CLOSED_RATIO = 0.5  # an eye is closed at this share of its open darkness or less
OPEN_MIN = 0.2  # an eye darker than its skin by less than this, open, cannot be read (glare, glasses)
PATCH = (48, 32)  # width, height of each eye once cut out: 1.2 and 0.8 of its corners' distance


def eye_darkness(rgb: np.ndarray, landmarks: np.ndarray) -> tuple[float, float]:
    """Each eye's darkness (0 = as bright as the skin around it), in dlib's order of eyes."""
    grey = np.asarray(rgb, dtype=np.float32) @ np.float32([0.299, 0.587, 0.114])
    points = np.asarray(landmarks, dtype=float)
    return _darkness(grey, points[0], points[1]), _darkness(grey, points[2], points[3])


def _darkness(grey: np.ndarray, corner: np.ndarray, other: np.ndarray) -> float:
    patch = _eye_patch(grey, corner, other)
    if patch is None:
        return 0.0
    h, w = patch.shape
    skin = float(np.percentile(patch, 85))
    centre = float(np.median(patch[h // 4:3 * h // 4, w // 3:2 * w // 3]))
    return max(0.0, (skin - centre) / max(skin, 1.0))


def _eye_patch(grey: np.ndarray, corner: np.ndarray, other: np.ndarray) -> np.ndarray | None:
    """The eye cut out along the line of its corners, PATCH in size, each pixel the mean of
    four samples (bilinear) so a large eye is averaged down rather than skipped over. With
    numpy alone: the back office installs no image library beyond Pillow."""
    width = float(np.linalg.norm(other - corner))
    if width < 4:
        return None
    along = (other - corner) / width
    if along[0] < 0:
        along = -along  # left to right in the image whichever corner came first
    across = np.array([-along[1], along[0]])
    middle = (corner + other) / 2
    w, h = PATCH
    offsets = np.array([0.25, 0.75])
    u = ((np.arange(w)[:, None] + offsets).ravel() / w - 0.5) * 1.2 * width  # along the eye, 2 samples a pixel
    v = ((np.arange(h)[:, None] + offsets).ravel() / h - 0.5) * 0.8 * width  # across it
    xs = middle[0] + u[None, :] * along[0] + v[:, None] * across[0]
    ys = middle[1] + u[None, :] * along[1] + v[:, None] * across[1]
    samples = _bilinear(grey, xs, ys)
    return samples.reshape(h, 2, w, 2).mean(axis=(1, 3))


def _bilinear(grey: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    rows, cols = grey.shape
    xs, ys = np.clip(xs, 0, cols - 1.001), np.clip(ys, 0, rows - 1.001)
    x0, y0 = xs.astype(int), ys.astype(int)
    fx, fy = xs - x0, ys - y0
    top = grey[y0, x0] * (1 - fx) + grey[y0, x0 + 1] * fx
    bottom = grey[y0 + 1, x0] * (1 - fx) + grey[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def check_blink(darkness: list[tuple[float, float]]) -> Liveness:
    """Over each frame's two eyes' darkness, in the order taken: an eye that reads open
    falls to CLOSED_RATIO of its open darkness or less (the lower of its darkest frame
    before and its darkest frame after) and opens again. `excursion` is how far it closed
    (1 - that share), `peak` the closed frame."""
    if len(darkness) < 3:
        return Liveness(False, "too few frames to see a blink", 0.0)
    eyes = [[frame[eye] for frame in darkness] for eye in (0, 1)]
    if all(max(values) < OPEN_MIN for values in eyes):
        return Liveness(False, "the eyes cannot be seen clearly: glare or glasses", 0.0)
    closest, peak = 0.0, -1
    for values in eyes:
        for closed in range(1, len(values) - 1):
            opened = min(max(values[:closed]), max(values[closed + 1:]))  # open before it and after it
            if opened >= OPEN_MIN and 1 - values[closed] / opened > closest:
                closest, peak = 1 - values[closed] / opened, closed
    if closest < 1 - CLOSED_RATIO:
        return Liveness(False, "the eyes did not close and open again", round(closest, 4))
    return Liveness(True, "", round(closest, 4), peak)
