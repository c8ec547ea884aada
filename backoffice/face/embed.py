"""The 128 numbers dlib's ResNet gives a face, aligned on its 5 landmarks. Faces of one
person lie close together (dlib trained them into balls of radius 0.6); the numbers stay
in memory for one decision and are never stored."""
from __future__ import annotations

import numpy as np

from .detect import Face
from .model import FaceModel


def embedding(model: FaceModel, rgb: np.ndarray, face: Face) -> np.ndarray:
    with model.lock:
        # One pass, no jitter: ten jitters cost 0.9 s for a 0.1 change, and the frames'
        # own mean (sequence.py) steadies the result instead.
        return np.array(model.recogniser.compute_face_descriptor(np.ascontiguousarray(rgb), face.shape, 0))
