"""A challenge's frames: N frames spread over a few seconds (a head turn takes about one),
each a 640x480 JPEG, the size the back office accepts (POST /v1/presence/face-grants), and
a binocular camera's infrared frames (grey JPEGs) with the first and the last."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BURST_SIZE = (640, 480)
JPEG_QUALITY = 85
MAX_FRAMES = 30  # a challenge asking for more is refused here, before the camera runs long
MAX_SECONDS = 10.0


@dataclass(frozen=True)
class Burst:
    ok: bool
    reason: str = ""  # why not, for the screen's journey and the log ("no frame from the camera")
    jpegs: tuple[bytes, ...] = field(default=(), repr=False)
    seconds: float = 0.0  # from the first frame to the last
    infrared: tuple[bytes, ...] = field(default=(), repr=False)  # the infrared eye's, with the first and the last


def to_burst_frame(image: np.ndarray, size: tuple[int, int] = BURST_SIZE) -> np.ndarray:
    """The frame at `size`, cut to its aspect first (a 16:9 camera loses its sides, never
    stretches the face)."""
    import cv2

    h, w = image.shape[:2]
    want = size[0] / size[1]
    if abs(w / h - want) > 0.01:
        if w / h > want:
            cut = round(h * want)
            image = image[:, (w - cut) // 2:(w - cut) // 2 + cut]
        else:
            cut = round(w / want)
            image = image[(h - cut) // 2:(h - cut) // 2 + cut]
    if image.shape[1] != size[0]:
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image


def encode(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", to_burst_frame(image), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return data.tobytes()
