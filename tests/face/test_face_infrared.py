"""A binocular camera's infrared frames, checked by the back office through the real
model: the face must show in them where the visible frames have it. The infrared frames
are SYNTHETIC: the visible frame in grey, brighter and flatter, as skin is in near-infrared
(devices/face/filming.py in_infrared), and a screen's dark pane for a video played on a
tablet (a screen gives off no infrared)."""
from __future__ import annotations

import numpy as np
import pytest

from backoffice.face import detect, infrared, sequence
from backoffice.face.liveness import TURN_LEFT
from devices.face.filming import in_infrared
from tests.face import faces


@pytest.fixture(scope="module")
def turning(face_model):
    picture = faces.astronaut_at_the_glass()
    return faces.live_turn(picture, detect.one_face(face_model, picture).landmarks, left=True, seed=21)


def jpegs(frames) -> list[bytes]:
    return [faces.jpeg(f) for f in frames]


def test_a_face_seen_in_infrared_where_it_is_passes(face_model, turning):
    live = sequence.live_face(face_model, jpegs(turning), TURN_LEFT,
                              jpegs([in_infrared(turning[0]), in_infrared(turning[-1])]))
    assert live.excursion >= 0.1


def test_a_screen_shows_no_face_in_infrared_however_well_it_turns(face_model, turning):
    dark_pane = np.full(turning[0].shape, 14, np.uint8)
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(turning), TURN_LEFT, jpegs([dark_pane, dark_pane]))
    assert refused.value.code == "face_not_live"
    assert refused.value.reason == "no face in infrared frame 1: a screen shows none"
    # The same with the last frame's alone dark: each infrared frame is looked at.
    with pytest.raises(sequence.FaceRefused) as last:
        sequence.live_face(face_model, jpegs(turning), TURN_LEFT, jpegs([in_infrared(turning[0]), dark_pane]))
    assert last.value.reason == "no face in infrared frame 2: a screen shows none"


def test_a_face_elsewhere_in_infrared_or_two_of_them_are_refused(face_model, turning):
    elsewhere = in_infrared(faces.frame(faces.astronaut_at_the_glass(), dx=200))
    with pytest.raises(sequence.FaceRefused) as moved:
        sequence.live_face(face_model, jpegs(turning), TURN_LEFT, jpegs([elsewhere]))
    assert moved.value.reason == "the face in infrared frame 1 is not where the camera's face is"
    two = in_infrared(faces.frame(np.hstack([faces.astronaut_at_the_glass()] * 2)))
    with pytest.raises(sequence.FaceRefused) as many:
        sequence.live_face(face_model, jpegs(turning), TURN_LEFT, jpegs([two]))
    assert many.value.reason.startswith("infrared frame 1: 2 faces")


def test_no_more_infrared_frames_than_the_camera_takes(face_model, turning):
    ir = jpegs([in_infrared(f) for f in turning[:infrared.INFRARED_MAX + 1]])
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(turning), TURN_LEFT, ir)
    assert refused.value.reason == f"at most {infrared.INFRARED_MAX} infrared frames are taken"
