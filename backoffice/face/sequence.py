"""One challenge's frames from decode to decision: every frame decoded and searched for
exactly one face, the face followed from frame to frame, the head turn (liveness.py) or
the blink (blink.py) checked over them, the frontal frames and the furthest turned or
closed one embedded and held to one person, and the frontal frames' mean embedding
compared with a reference.

A refusal is a FaceRefused with the problem code the API answers (face_none, face_many,
face_not_live, face_no_match) and a reason in words. The frames, faces and embeddings
are dropped when the call returns."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import blink, detect, images, infrared, liveness
from . import compare as comparing
from .embed import embedding
from .model import FaceModel

# What the back office may ask, and the frames it wants taken while the citizen does it: a
# turn is seen in 5, a blink (eyes closed for about a second) needs them closer together.
ACTIONS = (*liveness.ACTIONS, blink.BLINK)
FRAMES_WANTED = {liveness.TURN_LEFT: 5, liveness.TURN_RIGHT: 5, blink.BLINK: 8}
FRAMES_MIN, FRAMES_MAX = 3, 8
# Every frame's face must be this close to the first frame's: the same person all along,
# not a photo for the frontal frames and someone else turning. Under dlib's own radius
# (0.6): a head turned 30 degrees stays within about 0.45 of itself facing the camera.
SAME_PERSON = 0.55
# Between two frames a quarter of a second apart a citizen's face moves less than its own
# width and keeps its size: a face that jumps is another picture spliced in.
TRACK_JUMP = 1.0
TRACK_SCALE = 1.5


class FaceRefused(Exception):
    def __init__(self, code: str, reason: str, score: float | None = None):
        super().__init__(reason)
        self.code, self.reason, self.score = code, reason, score


@dataclass(frozen=True)
class LiveFace:
    """A live face that turned as asked: the frontal frames' mean embedding, and the
    frontal frame a real-person service is shown (the file as the kiosk sent it)."""
    embedding: np.ndarray
    best_frame: bytes
    excursion: float


def live_face(model: FaceModel, frames: list[bytes], action: str, infrared_frames: Sequence[bytes] = ()) -> LiveFace:
    """The live face in the frames, taken in order during the challenge's action (one of
    ACTIONS), seen in the infrared frames taken with the first and the last, or FaceRefused."""
    if not FRAMES_MIN <= len(frames) <= FRAMES_MAX:
        raise FaceRefused("face_not_live", f"{FRAMES_MIN} to {FRAMES_MAX} frames are needed, not {len(frames)}")
    seen: list[tuple[int, np.ndarray, detect.Face]] = []
    for index, frame in enumerate(frames):
        rgb = images.decode(frame)
        try:
            seen.append((index, rgb, detect.one_face(model, rgb)))
        except detect.ManyFaces as many:
            raise FaceRefused("face_many", f"frame {index + 1}: {many}, only the citizen may be in the picture") \
                from None
        except detect.NoFace:
            if index == 0:
                raise FaceRefused("face_none", "no face in the first frame: the citizen must face the camera") \
                    from None
            # A face turned far enough slips past the detector; the turn is judged on the rest.
    if len(seen) < FRAMES_MIN:
        raise FaceRefused("face_none", f"a face was found in only {len(seen)} of {len(frames)} frames")
    _follow([face for _, _, face in seen])
    poses = [liveness.pose(face.landmarks) for _, _, face in seen]
    # The frames that decide: those facing the camera with the eyes open (the match) and
    # the furthest turned or the closed one (the liveness). Those in between decide
    # nothing, and are not embedded (131 ms each): a blink's first and last frames stand
    # for its frontal ones.
    if action == blink.BLINK:
        moved = blink.check_blink([blink.eye_darkness(rgb, face.landmarks) for _, rgb, face in seen])
        frontal = [0, len(seen) - 1]
    else:
        moved = liveness.check_turn(poses, action)
        frontal = [i for i, p in enumerate(poses) if abs(p.yaw - poses[0].yaw) < liveness.TURN_MIN / 2]
    if not moved.live:
        raise FaceRefused("face_not_live", moved.reason)
    if len(infrared_frames) > infrared.INFRARED_MAX:
        raise FaceRefused("face_not_live", f"at most {infrared.INFRARED_MAX} infrared frames are taken")
    try:
        infrared.check(model, list(infrared_frames), [seen[0][2], seen[-1][2]])
    except infrared.InfraredRefused as refused:
        raise FaceRefused("face_not_live", str(refused)) from None
    embeddings = {i: embedding(model, seen[i][1], seen[i][2]) for i in sorted({*frontal, moved.peak})}
    strayed = max(comparing.distance(e, embeddings[0]) for e in embeddings.values())
    if strayed > SAME_PERSON:
        raise FaceRefused("face_not_live", "the face changed between frames: not one person turning")
    mean = np.mean([embeddings[i] for i in frontal], axis=0)
    best = max(frontal, key=lambda i: seen[i][2].width)
    return LiveFace(mean, frames[seen[best][0]], moved.excursion)


def _follow(found: list[detect.Face]) -> None:
    """FaceRefused when the face jumps or changes size between two frames it was found in."""
    for before, after in zip(found, found[1:]):
        moved = np.hypot((after.box[0] + after.box[2] - before.box[0] - before.box[2]) / 2,
                         (after.box[1] + after.box[3] - before.box[1] - before.box[3]) / 2)
        grown = max(after.width, 1) / max(before.width, 1)
        if moved > TRACK_JUMP * before.width or not 1 / TRACK_SCALE <= grown <= TRACK_SCALE:
            raise FaceRefused("face_not_live", "the face jumped between frames: not one person turning")


def reference_embedding(model: FaceModel, photo: bytes) -> np.ndarray:
    """The face of a trusted reference photo (a chip's DG2, a real-person service's record).
    Such photos are small and tightly cropped: when the detector misses the face it looks
    twice as closely (a face down to 40 pixels), then once more with a margin around the
    picture, for a face that fills it edge to edge."""
    rgb = images.decode(photo, images.PHOTO_FORMATS)
    for attempt, upsample in ((rgb, 0), (rgb, 1), (_with_margin(rgb), 1)):
        try:
            face = detect.one_face(model, attempt, upsample=upsample)
        except detect.NoFace:
            continue
        return embedding(model, attempt, face)
    raise detect.NoFace("no face in the reference photo")


def _with_margin(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    pad = max(height, width) // 4
    return np.pad(rgb, ((pad, pad), (pad, pad), (0, 0)), mode="edge")


def decide(live: LiveFace, reference: np.ndarray, threshold: float) -> comparing.Comparison:
    """The comparison; FaceRefused face_no_match (with its score) when it is not a match."""
    result = comparing.compare(live.embedding, reference, threshold)
    if not result.match:
        raise FaceRefused("face_no_match", "the face is not the reference's", score=result.distance)
    return result
