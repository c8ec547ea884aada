"""The real face model (dlib's detector, 5 landmarks and ResNet, from their wheels) on real
faces that ship in packages (tests/face/faces.py says which and where from): the same face
under changes a camera makes still matches its reference, different people do not, and
a picture with no face or two faces is refused with its reason."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from backoffice.face import detect, sequence
from backoffice.face.compare import DEFAULT_THRESHOLD, compare
from backoffice.face.embed import embedding
from tests.face import faces


def embedded(face_model, rgb: np.ndarray, upsample: int = 0) -> np.ndarray:
    return embedding(face_model, rgb, detect.one_face(face_model, rgb, upsample))


@pytest.fixture(scope="module")
def reference(face_model) -> np.ndarray:
    """Her passport-style reference: a tight crop, small, JPEG at quality 50, as a DG2 face."""
    photo = faces.astronaut()[0:380, 60:380]
    return sequence.reference_embedding(face_model, faces.jpeg(cv2.resize(photo, (240, 285)), 50))


CHANGES = {
    "in a camera frame": lambda a: faces.frame(a),
    "cropped tight": lambda a: a[0:300, 100:350],
    "half the size": lambda a: faces.frame(a, 320, 320),
    "rotated +15°": lambda a: faces.rotated(a, 15),
    "rotated -30°": lambda a: faces.rotated(a, -30),
    "blurred (7 px)": lambda a: faces.blurred(a, 7),
    "blurred (15 px)": lambda a: faces.blurred(a, 15),
    "darker (x0.4)": lambda a: faces.brightness(a, 0.4),
    "brighter (+60)": lambda a: faces.brightness(a, 1.0, 60),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_same_face_changed_as_a_camera_changes_it_matches_its_reference(face_model, reference, change):
    probe = CHANGES[change](faces.astronaut())
    small = change == "half the size"  # a 45-pixel face: the detector must look twice as closely
    result = compare(embedded(face_model, probe, upsample=1 if small else 0), reference)
    assert result.match, f"{change}: distance {result.distance}"


@pytest.mark.parametrize("other, upsample", [("grace_hopper", 0), ("messi", 1)])
def test_a_different_person_does_not_match(face_model, reference, other, upsample):
    result = compare(embedded(face_model, getattr(faces, other)(), upsample), reference)
    assert not result.match and result.distance > DEFAULT_THRESHOLD + 0.1, result


def test_the_other_people_do_not_match_each_other(face_model):
    hopper = embedded(face_model, faces.grace_hopper())
    messi = embedded(face_model, faces.messi(), upsample=1)
    assert not compare(hopper, messi).match


def test_a_picture_without_a_face_is_refused_as_no_face(face_model):
    wall = np.full((480, 640, 3), 128, np.uint8)
    with pytest.raises(detect.NoFace):
        detect.one_face(face_model, wall)
    # A real photograph whose one face (small, turned away) the detector does not see.
    with pytest.raises(detect.NoFace):
        detect.one_face(face_model, faces.cameraman())


def test_two_people_in_the_picture_are_refused_as_many_faces(face_model):
    two = np.hstack([faces.frame(faces.astronaut_at_the_glass(), 400, 480),
                     faces.frame(faces.grace_hopper(), 400, 480)])
    with pytest.raises(detect.ManyFaces, match="2 faces"):
        detect.one_face(face_model, two)


def test_a_passers_by_small_face_far_behind_the_citizen_is_not_a_second_face(face_model):
    picture = faces.frame(faces.astronaut_at_the_glass(), 800, 600)
    small = faces.frame(faces.grace_hopper(), 140, 160)
    picture[20:180, 640:780] = small
    assert len(detect.faces(face_model, picture, upsample=1)) == 2
    detect.one_face(face_model, picture, upsample=1)  # the citizen's face, not refused


def test_a_reference_whose_face_fills_the_picture_is_found_with_a_margin(face_model, reference):
    filled = faces.astronaut()[90:170, 175:270]  # the face alone, edge to edge, 95x80 pixels
    found = sequence.reference_embedding(face_model, faces.png(filled))
    assert compare(found, reference).match


def test_the_model_names_its_version(face_model):
    assert face_model.version.startswith("dlib-20.0.1/resnet-v1+sp5/models-0.1.0/")


def test_a_frame_that_is_not_a_jpeg_of_a_sensible_size_is_refused_before_it_is_decoded():
    from io import BytesIO

    from PIL import Image

    from backoffice.face import images

    with pytest.raises(images.ImageRefused, match="not a JPEG"):
        images.decode(faces.png(faces.astronaut()))  # a PNG where a camera frame is asked
    huge = BytesIO()
    Image.new("RGB", (4000, 3000)).save(huge, "JPEG", quality=10)  # 12 megapixels in a few KB
    with pytest.raises(images.ImageRefused, match="4000x3000"):
        images.decode(huge.getvalue())
    assert images.decode(faces.png(faces.astronaut()), images.PHOTO_FORMATS).shape == (512, 512, 3)


def test_a_jpeg_2000_reference_as_passports_carry_it_matches(face_model):
    """Many DG2 faces are JPEG 2000 of 10 to 20 KB; Pillow's wheel decodes them (OpenJPEG)."""
    from io import BytesIO

    from PIL import Image

    photo = BytesIO()
    Image.fromarray(cv2.resize(faces.astronaut()[0:380, 60:380], (240, 285))).save(
        photo, "JPEG2000", quality_mode="rates", quality_layers=[15])
    assert 8_000 < len(photo.getvalue()) < 25_000
    reference = sequence.reference_embedding(face_model, photo.getvalue())
    assert compare(embedded(face_model, faces.frame(faces.astronaut_at_the_glass())), reference).match
