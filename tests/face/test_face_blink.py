"""The blink the back office may ask instead of a head turn, through the real model on real
faces (tests/face/faces.py says where each comes from). The closed eyes are SYNTHETIC: a
lid of the citizen's own skin drawn over each eye (faces.live_blink); no package ships a
face blinking. A photo held up and moved never closes its eyes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from backoffice.face import blink, detect, sequence
from backoffice.face.liveness import TURN_LEFT
from tests.face import faces

PEOPLE = {"astronaut": faces.astronaut_at_the_glass, "hopper": faces.grace_hopper}


def landmarks(face_model, rgb):
    return detect.one_face(face_model, rgb).landmarks


def jpegs(frames) -> list[bytes]:
    return [faces.jpeg(f) for f in frames]


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_a_blink_is_seen_and_the_open_eyed_face_is_the_one_matched(face_model, who):
    picture = PEOPLE[who]()
    live = sequence.live_face(face_model, jpegs(faces.live_blink(picture, landmarks(face_model, picture), seed=1)),
                              blink.BLINK)
    assert live.excursion >= 1 - blink.CLOSED_RATIO
    reference = sequence.reference_embedding(face_model, faces.jpeg(picture))
    assert sequence.decide(live, reference, 0.45).match


def test_a_photo_held_up_and_moved_never_blinks(face_model):
    for picture in (faces.astronaut_at_the_glass(), faces.grace_hopper()):
        frames = faces.flat_print_moved(picture)
        darkness = [blink.eye_darkness(f, landmarks(face_model, f)) for f in frames]
        for eye in (0, 1):  # an eighth or so from frame to frame, far from the halving of a blink
            values = [d[eye] for d in darkness]
            assert min(values) / max(values) > 0.75, values
        with pytest.raises(sequence.FaceRefused) as refused:
            sequence.live_face(face_model, jpegs(frames), blink.BLINK)
        assert refused.value.code == "face_not_live"
        assert refused.value.reason == "the eyes did not close and open again"


def test_eyes_that_close_and_stay_closed_are_not_a_blink(face_model):
    picture = faces.astronaut_at_the_glass()
    frames = faces.live_blink(picture, landmarks(face_model, picture), steps=(0.0, 0.0, 0.6, 1.0, 1.0), seed=2)
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(frames), blink.BLINK)
    assert refused.value.reason == "the eyes did not close and open again"


def test_a_turn_is_not_a_blink_and_a_blink_is_not_a_turn(face_model):
    picture = faces.astronaut_at_the_glass()
    points = landmarks(face_model, picture)
    with pytest.raises(sequence.FaceRefused) as turned:
        sequence.live_face(face_model, jpegs(faces.live_turn(picture, points, left=True, seed=3)), blink.BLINK)
    assert turned.value.reason == "the eyes did not close and open again"
    with pytest.raises(sequence.FaceRefused) as blinked:
        sequence.live_face(face_model, jpegs(faces.live_blink(picture, points, seed=4)), TURN_LEFT)
    assert blinked.value.reason == "the face did not turn"


def test_another_face_spliced_in_with_its_eyes_closed_is_refused(face_model):
    picture, other = faces.astronaut_at_the_glass(), faces.grace_hopper()
    own = faces.live_blink(picture, landmarks(face_model, picture), steps=(0.0,) * 8, seed=5)
    closed = faces.live_blink(other, landmarks(face_model, other), steps=(1.0,), seed=6)
    with pytest.raises(sequence.FaceRefused) as refused:
        sequence.live_face(face_model, jpegs(own[:3] + closed + own[4:]), blink.BLINK)
    assert refused.value.code == "face_not_live"


def test_the_blink_rule_over_the_eyes_darkness():
    opened, shut = (0.55, 0.58), (0.12, 0.15)
    assert blink.check_blink([opened, opened, shut, opened]).live
    assert blink.check_blink([opened, shut, opened]).peak == 1
    one_eye = [(0.12, 0.33), (0.12, 0.32), (0.2, 0.13), (0.12, 0.34)]  # the other eye cannot be read
    assert blink.check_blink(one_eye).live
    assert blink.check_blink([opened, (0.3, 0.31), opened]).reason == "the eyes did not close and open again"
    assert blink.check_blink([shut, shut, opened]).reason == "the eyes did not close and open again"
    assert blink.check_blink([(0.1, 0.05)] * 4).reason == "the eyes cannot be seen clearly: glare or glasses"
    assert blink.check_blink([opened, shut]).reason == "too few frames to see a blink"


def test_the_face_check_needs_no_opencv_which_the_back_office_does_not_install():
    """requirements/backoffice.lock has no OpenCV (the kiosk's extra has it): the back office's
    face modules must run with it missing."""
    code = ("import sys; sys.modules['cv2'] = None\n"
            "import numpy as np\n"
            "from backoffice.face import blink, infrared, sequence\n"
            "corners = np.array([[40.0, 30], [52, 30], [12, 30], [24, 30], [32, 45]])\n"
            "print(blink.eye_darkness(np.full((64, 64, 3), 200, np.uint8), corners))\n")
    ran = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2], capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "(0.0, 0.0)"  # an even grey: no eye darker than its skin
    assert "opencv" not in (Path(__file__).parents[2] / "requirements" / "backoffice.lock").read_text().lower()
