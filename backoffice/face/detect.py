"""Finding the face in an image: dlib's HOG detector, then its 5 landmarks (the two eyes'
corners and the base of the nose). A frame must hold exactly one face: none and two are
refused with their own reasons, since a second face beside the citizen's could be the
one that passes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import FaceModel

# HOG scores under this were stray textures in our measurements (a spacesuit's folds at
# 0.14); a real face scored above 0.6.
MIN_SCORE = 0.3
# A face less than this share of the largest one's width is someone far behind the
# citizen, not a second person at the glass.
SECOND_FACE_SHARE = 0.5


class NoFace(ValueError):
    """No face was found."""


class ManyFaces(ValueError):
    """More than one face of the citizen's size was found."""


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # left, top, right, bottom in pixels
    score: float
    landmarks: np.ndarray  # 5 x 2 (x, y): dlib's order, two points per eye then the nose's base
    shape: Any  # dlib.full_object_detection, what the recogniser aligns the face with

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


def faces(model: FaceModel, rgb: np.ndarray, upsample: int = 0) -> list[Face]:
    """Every face found, largest first. `upsample` 1 finds faces down to about 40 pixels
    wide (a passport's small DG2 image) at twice the time; 0 finds those over 80."""
    rgb = np.ascontiguousarray(rgb)  # dlib reads rows straight from memory: a cropped view will not do
    with model.lock:
        boxes, scores, _ = model.detector.run(rgb, upsample, 0.0)
        found = []
        for box, score in zip(boxes, scores):
            if score < MIN_SCORE:
                continue
            shape = model.landmarks(rgb, box)
            points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(shape.num_parts)], dtype=float)
            found.append(Face((box.left(), box.top(), box.right(), box.bottom()), float(score), points, shape))
    return sorted(found, key=lambda f: f.width, reverse=True)


def one_face(model: FaceModel, rgb: np.ndarray, upsample: int = 0) -> Face:
    """The face in the image, or NoFace / ManyFaces."""
    found = faces(model, rgb, upsample)
    if not found:
        raise NoFace("no face was found")
    if len(found) > 1 and found[1].width >= SECOND_FACE_SHARE * found[0].width:
        raise ManyFaces(f"{len([f for f in found if f.width >= SECOND_FACE_SHARE * found[0].width])} faces were found")
    return found[0]
