""""Is a face there, and in the guide?": the cue the face guide on screen follows, from
OpenCV's LBP frontal-face cascade run by scikit-image (OpenCV 5 ships no cascades and no
CascadeClassifier). It finds faces only; whether the face is the card holder's is the
back office's decision, from the frames the kiosk sends.

The frame is searched at WORK_WIDTH pixels wide: a face at the guide is large, and the
cascade's time grows with the pixels it looks at."""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from enum import Enum

import numpy as np

WORK_WIDTH = 256
MIN_FACE = 0.17  # the face's width as a share of the frame's: smaller is too far away
MAX_FACE = 0.40  # larger is too near (and the face's edges leave the frame soon)
CENTRE = (0.5, 0.45)  # the guide's centre in the frame: faces sit a little above the middle
CENTRE_TOLERANCE = (0.12, 0.14)  # how far the face's centre may be from it, as shares of the frame


class CueKind(str, Enum):
    CENTRED = "centred"
    OFF_CENTRE = "off_centre"
    TOO_FAR = "too_far"
    TOO_NEAR = "too_near"
    NONE = "none"
    SEVERAL = "several"


@dataclass(frozen=True)
class FaceCue:
    kind: CueKind
    faces: tuple[tuple[float, float, float, float], ...] = ()  # x, y, w, h as shares of the frame
    offset: tuple[float, float] = (0.0, 0.0)  # the face's centre minus the guide's: + is right, down

    @property
    def ready(self) -> bool:
        return self.kind is CueKind.CENTRED

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "faces": [[round(v, 3) for v in f] for f in self.faces],
                "offset": [round(v, 3) for v in self.offset]}


def judge(faces: list[tuple[float, float, float, float]]) -> FaceCue:
    """The cue for the faces found (as shares of the frame)."""
    found = tuple(faces)
    if not found:
        return FaceCue(CueKind.NONE)
    if len(found) > 1:
        return FaceCue(CueKind.SEVERAL, found)
    x, y, w, h = found[0]
    offset = (x + w / 2 - CENTRE[0], y + h / 2 - CENTRE[1])
    if w < MIN_FACE:
        kind = CueKind.TOO_FAR
    elif w > MAX_FACE:
        kind = CueKind.TOO_NEAR
    elif abs(offset[0]) > CENTRE_TOLERANCE[0] or abs(offset[1]) > CENTRE_TOLERANCE[1]:
        kind = CueKind.OFF_CENTRE
    else:
        kind = CueKind.CENTRED
    return FaceCue(kind, found, offset)


class FaceFinder:
    """Searches frames with the cascade, which is loaded once for the process."""

    def __init__(self, work_width: int = WORK_WIDTH):
        self.work_width = work_width

    def faces(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Faces in a BGR or grey frame, largest first, as shares of the frame."""
        import cv2

        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        h, w = gray.shape
        scale = self.work_width / w
        small = cv2.equalizeHist(cv2.resize(gray, (self.work_width, round(h * scale)), interpolation=cv2.INTER_AREA))
        sh, sw = small.shape
        with _CASCADE_LOCK:
            found = _cascade().detect_multi_scale(small, scale_factor=1.2, step_ratio=1, min_size=(18, 18),
                                                  max_size=(sh, sh), min_neighbor_number=3)
        boxes = merge([(d["c"], d["r"], d["width"], d["height"]) for d in found])
        return [(x / sw, y / sh, bw / sw, bh / sh) for x, y, bw, bh in boxes]

    def cue(self, image: np.ndarray) -> FaceCue:
        return judge(self.faces(image))


def merge(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """One box per face: the detector reports a face at neighbouring sizes as boxes whose
    centres lie inside each other; the largest of such a group stands for it."""
    kept: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes, key=lambda b: b[2] * b[3], reverse=True):
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        if not any(k[0] <= cx <= k[0] + k[2] and k[1] <= cy <= k[1] + k[3] for k in kept):
            kept.append(box)
    return kept


_CASCADE_LOCK = threading.Lock()  # one search at a time: the detector object keeps state


@functools.cache
def _cascade():
    from skimage import data
    from skimage.feature import Cascade

    return Cascade(data.lbp_frontal_face_cascade_filename())
