"""Whether a frame sequence shows a live head turning as the back office asked, from the 5
landmarks alone.

The cue is parallax: the base of the nose stands a few centimetres in front of the eyes,
so when a real head turns it slides sideways against them. `yaw` is the nose's offset
from the eyes' midpoint along the line through the eyes, divided by the eyes' distance:
moving, scaling or rotating a flat photo in its plane leaves it unchanged, and so does
turning a flat print (which compresses nose and eyes alike). A turn is a start near
frontal, then an excursion of at least TURN_MIN in the asked direction.

A print turned far enough about its vertical axis gains some yaw from perspective (its
near edge grows), but it narrows much more than a head does for the same yaw: a frame
whose eyes' span over the eyes-to-nose height fell under FLAT_SQUEEZE of the first
frame's does not count towards the turn.

Frames are as the camera took them, not mirrored: a citizen turning to their own left
moves their nose to the image's right, so "turn_left" is a growing yaw.

The other challenge, a blink, is blink.py's (5 landmarks carry no eyelids). Not covered:
a video of the citizen turning both ways played on a screen, a curved print or a mask
(SECURITY.md, "What is not done yet").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TURN_LEFT, TURN_RIGHT = "turn_left", "turn_right"
ACTIONS = (TURN_LEFT, TURN_RIGHT)
# A real head turned by about 20 degrees moved it by 0.10-0.15; flat photos moved, scaled,
# compressed or rotated in our tests by under 0.03 (tests/unit/test_face_liveness.py).
TURN_MIN = 0.10
FRONTAL_MAX = 0.15  # the turn starts from a face looking at the camera
# A head turned 30 degrees keeps cos(30) = 0.87 of its width; a print must be turned about
# 50 degrees (0.64) before perspective gives it a yaw of TURN_MIN.
FLAT_SQUEEZE = 0.75


@dataclass(frozen=True)
class Liveness:
    live: bool
    reason: str  # why not, in words for the log and the kiosk's technician; "" when live
    excursion: float  # the largest yaw change in the asked direction
    peak: int = -1  # the pose that turned furthest the asked way


@dataclass(frozen=True)
class Pose:
    yaw: float  # the nose's sideways offset over the eyes' span: 0 frontal, > 0 toward the image's right
    aspect: float  # the eyes' span over the height from the eyes' line down to the nose


def pose(landmarks: np.ndarray) -> Pose:
    """From dlib's 5 points: two per eye (the citizen's left eye first, on the image's
    right), then the base of the nose. Measured along the eyes' line and across it, so a
    head tilted sideways reads as upright."""
    points = np.asarray(landmarks, dtype=float)
    image_left_eye, image_right_eye = points[2:4].mean(axis=0), points[0:2].mean(axis=0)
    axis = image_right_eye - image_left_eye
    span = float(np.linalg.norm(axis))
    if span == 0:
        return Pose(0.0, 0.0)
    along = axis / span
    across = np.array([-along[1], along[0]])
    nose = points[4] - (image_left_eye + image_right_eye) / 2
    height = abs(float(np.dot(nose, across)))
    return Pose(float(np.dot(nose, along)) / span, span / height if height else 0.0)


def check_turn(poses: list[Pose], action: str) -> Liveness:
    """Over the frames' poses in the order taken: a near-frontal start and a turn the asked way."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if len(poses) < 3:
        return Liveness(False, "too few frames to see a turn", 0.0)
    start = poses[0]
    if abs(start.yaw) > FRONTAL_MAX:
        return Liveness(False, "the first frame does not face the camera", 0.0)
    way = 1.0 if action == TURN_LEFT else -1.0
    headlike = [i for i, p in enumerate(poses) if i > 0 and p.aspect >= FLAT_SQUEEZE * start.aspect]
    peak = max(headlike, key=lambda i: way * (poses[i].yaw - start.yaw), default=-1)
    excursion = way * (poses[peak].yaw - start.yaw) if peak > 0 else 0.0
    if excursion < TURN_MIN:
        wrong_way = max((-way * (poses[i].yaw - start.yaw) for i in headlike), default=0.0)
        reason = ("the head turned the other way" if wrong_way >= TURN_MIN
                  else "the face narrowed as a flat picture does" if len(headlike) < len(poses) - 1
                  else "the face did not turn")
        return Liveness(False, reason, round(excursion, 4))
    return Liveness(True, "", round(excursion, 4), peak)
