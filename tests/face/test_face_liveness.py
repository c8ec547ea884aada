"""Liveness over a challenge's frames through the real model: a flat photo held up and
moved, scaled, turned in its plane or turned about its vertical axis (as a print is tilted
to fake a head turn) fails; a head turning the asked way passes, the other way fails.

The live sequences are SYNTHETIC (tests/face/faces.py nose_moved): no package ships a
real sequence of one person turning their head, so a real face is warped so its nose
moves against its eyes, the parallax a real head shows and a flat print cannot. Real
sequences recorded at a kiosk are still needed to set TURN_MIN (SECURITY.md)."""
from __future__ import annotations

import numpy as np
import pytest

from backoffice.face import detect, liveness, sequence
from backoffice.face.liveness import TURN_LEFT, TURN_RIGHT, Pose, check_turn
from tests.face import faces


@pytest.fixture(scope="module")
def glass(face_model):
    """Her face at a kiosk's distance and its landmarks."""
    picture = faces.astronaut_at_the_glass()
    return picture, detect.one_face(face_model, picture).landmarks


def jpegs(frames: list[np.ndarray]) -> list[bytes]:
    return [faces.jpeg(f) for f in frames]


@pytest.mark.parametrize("left, action", [(True, TURN_LEFT), (False, TURN_RIGHT)])
def test_a_head_turning_the_asked_way_is_live(face_model, glass, left, action):
    live = sequence.live_face(face_model, jpegs(faces.live_turn(*glass, left=left)), action)
    assert live.excursion >= liveness.TURN_MIN


@pytest.mark.parametrize("left, action", [(True, TURN_RIGHT), (False, TURN_LEFT)])
def test_a_head_turning_the_other_way_is_not_live(face_model, glass, left, action):
    with pytest.raises(sequence.FaceRefused, match="other way") as refused:
        sequence.live_face(face_model, jpegs(faces.live_turn(*glass, left=left)), action)
    assert refused.value.code == "face_not_live"


@pytest.mark.parametrize("action", [TURN_LEFT, TURN_RIGHT])
def test_a_flat_photo_moved_scaled_and_tilted_is_not_live(face_model, glass, action):
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(faces.flat_print_moved(glass[0])), action)
    assert refused.value.code == "face_not_live"


def test_a_print_turned_far_gains_some_yaw_but_narrows_too_much_to_count(face_model, glass):
    poses = [liveness.pose(detect.one_face(face_model, faces.frame(faces.squeezed(glass[0], f))).landmarks)
             for f in (1.0, 0.75, 0.6)]
    assert poses[2].aspect < liveness.FLAT_SQUEEZE * poses[0].aspect
    assert not check_turn(poses, TURN_LEFT).live


def test_the_same_photo_sent_as_every_frame_is_not_live(face_model, glass):
    still = faces.jpeg(faces.frame(glass[0]))
    with pytest.raises(sequence.FaceRefused, match="did not turn"):
        sequence.live_face(face_model, [still] * 5, TURN_LEFT)


def test_a_photo_for_the_frontal_frames_and_another_person_turning_is_not_one_person(face_model, glass):
    hopper = faces.grace_hopper()
    turning = faces.live_turn(hopper, detect.one_face(face_model, hopper).landmarks, left=True)
    frames = [faces.frame(glass[0]), *turning[1:4], faces.frame(glass[0])]
    with pytest.raises(sequence.FaceRefused, match="one person") as refused:
        sequence.live_face(face_model, jpegs(frames), TURN_LEFT)
    assert refused.value.code == "face_not_live"


def test_no_face_in_the_first_frame_is_refused_as_none(face_model, glass):
    empty = np.full((480, 640, 3), 90, np.uint8)
    frames = [empty, *faces.live_turn(*glass, left=True)[1:]]
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(frames), TURN_LEFT)
    assert refused.value.code == "face_none"


def test_a_second_person_in_a_frame_is_refused_as_many(face_model, glass):
    frames = faces.live_turn(*glass, left=True)
    crowded = np.hstack([frames[2], faces.frame(faces.grace_hopper(), 400, 480)])
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs([frames[0], frames[1], crowded, frames[3]]), TURN_LEFT)
    assert refused.value.code == "face_many"


def test_too_few_frames_cannot_show_a_turn(face_model, glass):
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(faces.live_turn(*glass, left=True)[:2]), TURN_LEFT)
    assert refused.value.code == "face_not_live"


def test_the_turn_must_start_facing_the_camera():
    turned_away = [Pose(0.3, 1.3), Pose(0.45, 1.3), Pose(0.5, 1.3)]
    assert check_turn(turned_away, TURN_LEFT).reason == "the first frame does not face the camera"


def test_a_tilted_head_reads_as_upright():
    upright = np.array([[60, 50], [45, 50], [15, 50], [30, 50], [37.5, 75]], float)
    angle = np.radians(25)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    tilted = upright @ rotation.T + [200, 100]
    a, b = liveness.pose(upright), liveness.pose(tilted)
    assert abs(a.yaw - b.yaw) < 1e-9 and abs(a.aspect - b.aspect) < 1e-9
