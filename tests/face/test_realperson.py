"""The real-person service's adapter (实人认证): its emulator answers as the service would,
from reference photos named by ID number, through the real face model."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from backoffice.face.realperson import EmulatedRealPerson, NoRealPerson, real_person_from_settings
from tests.face import faces

WANG, ZHAO = "469023195801041234", "469023199003070020"


@pytest.fixture
def service(tmp_path) -> EmulatedRealPerson:
    (tmp_path / f"{WANG}.jpg").write_bytes(faces.jpeg(faces.astronaut()[0:380, 60:380], 70))
    return EmulatedRealPerson(tmp_path)


def test_the_photo_on_record_matches_its_holders_live_face(service, face_model):
    verdict = service.compare(WANG.lower(), "王建国", faces.jpeg(faces.frame(faces.astronaut_at_the_glass())), 0.45)
    assert verdict is not None and verdict.match and verdict.score is not None and verdict.score < 0.45
    assert verdict.model == f"realperson-emulator/{face_model.version}"


def test_another_persons_face_does_not_match_the_photo_on_record(service):
    verdict = service.compare(WANG, "", faces.jpeg(faces.grace_hopper()), 0.45)
    assert verdict is not None and not verdict.match and verdict.score is not None and verdict.score > 0.45


def test_no_photo_on_record_is_no_match_without_a_score(service):
    verdict = service.compare(ZHAO, "赵丽", faces.jpeg(faces.frame(faces.astronaut_at_the_glass())), 0.45)
    assert verdict is not None and not verdict.match and verdict.score is None
    assert verdict.reason == "no photo on record for this ID number"


def test_a_service_out_of_reach_gives_no_verdict(tmp_path):
    gone = EmulatedRealPerson(tmp_path / "unmounted")
    assert not gone.available() and gone.compare(WANG, "", b"", 0.45) is None
    assert not NoRealPerson().available() and NoRealPerson().compare(WANG, "", b"", 0.45) is None


def test_the_setting_chooses_the_service(tmp_path):
    assert isinstance(real_person_from_settings(SimpleNamespace(real_person=f"emulator:{tmp_path}")),
                      EmulatedRealPerson)
    assert isinstance(real_person_from_settings(SimpleNamespace(real_person="none")), NoRealPerson)
    with pytest.raises(ValueError, match="aliyun, emulator:PATH or none"):
        real_person_from_settings(SimpleNamespace(real_person="tencent"))
