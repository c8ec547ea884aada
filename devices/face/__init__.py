"""Face camera for face verification (人证核验): where the face is, for the guide on screen,
and a challenge's frames as JPEGs for the back office, which alone decides the match.
The cue and the simulated scenes (OpenCV, scikit-image) are imported when first used."""
from .build import build_face_camera
from .facade import FaceCamera

__all__ = ["FaceCamera", "build_face_camera"]
