"""The real-person service (实人认证) through Alibaba Cloud's 金融级实人认证, ContrastFaceVerify,
against an emulator on loopback that checks each request's signature and answers as the
provider documents (tests/api/loopback_services.py; its comparison is this back office's
face model standing in for the provider's): the adapter's verdicts and refusals in words,
what leaves the county, faults that are no verdict, and a resident ID card's holder granted
presence by their face over HTTP against the real back office with the adapter chosen."""
from __future__ import annotations

import base64
import uuid
from types import SimpleNamespace

import pytest

from backoffice.face import detect
from backoffice.face.model import model
from backoffice.face.realperson import AliyunRealPerson, real_person_from_settings
from demo.embedded_backoffice import EmbeddedBackoffice
from services.api import BackofficeClient, BackofficeRefused
from tests.api.loopback_services import KEY_ID, KEY_SECRET, CloudauthEmulator, serving
from tests.face import faces

WANG, ZHAO = "469023195801041234", "469023199003070020"
SCENE = "1000000123"
CONSENT = "face-consent-2026.1"


@pytest.fixture
def cloudauth():
    record = faces.jpeg(faces.astronaut()[0:380, 60:380], 70)
    CloudauthEmulator.records, CloudauthEmulator.exhausted = {WANG: ("王建国", record)}, set()
    CloudauthEmulator.received, CloudauthEmulator.throttled = [], False
    with serving(CloudauthEmulator) as url:
        yield url


def service(endpoint: str, secret: str = KEY_SECRET) -> AliyunRealPerson:
    return AliyunRealPerson(KEY_ID, secret, SCENE, endpoint=endpoint, timeout_s=30)


def holder_at_the_glass() -> bytes:
    return faces.jpeg(faces.frame(faces.astronaut_at_the_glass()))


def test_the_holders_live_face_passes_and_the_provider_gets_what_it_needs(cloudauth, face_model):
    live = holder_at_the_glass()
    verdict = service(cloudauth).compare(WANG.lower(), " 王建国 ", live, 0.45)
    assert verdict is not None and verdict.match, verdict
    assert verdict.model == "aliyun-cloudauth/ContrastFaceVerify/ID_MIN"
    assert verdict.score is not None and verdict.score > 55  # verifyScore: higher is closer
    (sent,) = CloudauthEmulator.received
    assert (sent["ProductCode"], sent["CertType"], sent["SceneId"]) == ("ID_MIN", "IDENTITY_CARD", SCENE)
    assert (sent["CertNo"], sent["CertName"]) == (WANG, "王建国")
    assert sent["Model"] == "REAR_CAMERA_LIVENESS"  # a fixed camera: the provider checks liveness again
    assert base64.b64decode(sent["FaceContrastPicture"]) == live  # the one frame, as the kiosk took it
    assert len(sent["OuterOrderNo"]) == 32
    service(cloudauth).compare(WANG, "王建国", holder_at_the_glass(), 0.45)
    assert CloudauthEmulator.received[1]["OuterOrderNo"] != sent["OuterOrderNo"]  # each check its own order


def test_the_providers_refusals_come_back_in_words(cloudauth):
    realperson = service(cloudauth)
    someone_else = realperson.compare(WANG, "王建国", faces.jpeg(faces.grace_hopper()), 0.45)
    assert someone_else is not None and not someone_else.match
    assert someone_else.reason == "the face is not the one on record" and someone_else.refusal == "face_no_match"
    assert someone_else.score is not None and someone_else.score < 55
    wrong_name = realperson.compare(WANG, "王建华", holder_at_the_glass(), 0.45)
    assert wrong_name is not None and not wrong_name.match and wrong_name.score is None
    assert wrong_name.reason == "the name and the ID number do not belong together"
    unknown = realperson.compare(ZHAO, "赵丽", holder_at_the_glass(), 0.45)
    assert unknown is not None and unknown.reason == "the service holds no identity for this ID number"
    CloudauthEmulator.exhausted = {WANG}
    used_up = realperson.compare(WANG, "王建国", holder_at_the_glass(), 0.45)
    assert used_up is not None and not used_up.match
    assert used_up.reason == "the service's face checks for this identity are used up for today"
    assert realperson.available()  # answers about a citizen say nothing against the line


def test_a_card_without_a_name_is_not_sent(cloudauth):
    verdict = service(cloudauth).compare(WANG, "  ", holder_at_the_glass(), 0.45)
    assert verdict is not None and not verdict.match and verdict.reason == "the service needs the name on the card"
    assert CloudauthEmulator.received == []


def test_a_liveness_risk_the_provider_sees_is_refused_as_not_live(cloudauth, monkeypatch):
    original = CloudauthEmulator._verdict
    monkeypatch.setattr(CloudauthEmulator, "_verdict", lambda self, form: (("F", "205"), original(self, form)[1]))
    verdict = service(cloudauth).compare(WANG, "王建国", holder_at_the_glass(), 0.45)
    assert verdict is not None and not verdict.match and verdict.refusal == "face_not_live"
    assert verdict.reason == "the service saw a risk that the face is not live"


@pytest.mark.parametrize("fault", ["throttled", "wrong secret", "nothing listening"])
def test_a_fault_is_no_verdict_and_rests_the_service_a_minute(cloudauth, fault):
    CloudauthEmulator.throttled = fault == "throttled"
    realperson = service("http://127.0.0.1:9/" if fault == "nothing listening" else cloudauth,
                         secret="a-wrong-secret" if fault == "wrong secret" else KEY_SECRET)
    assert realperson.available()
    assert realperson.compare(WANG, "王建国", holder_at_the_glass(), 0.45) is None
    assert not realperson.available()  # the next citizen is offered the code before turning for nothing
    assert realperson.compare(WANG, "王建国", holder_at_the_glass(), 0.45) is None
    assert len(CloudauthEmulator.received) == (1 if fault == "throttled" else 0)  # asked once, then rested


def test_the_setting_chooses_the_provider_with_its_own_key_or_the_sms_one():
    settings = SimpleNamespace(real_person="aliyun", real_person_aliyun_key_id="", real_person_aliyun_key_secret="",
                               sms_aliyun_key_id=KEY_ID, sms_aliyun_key_secret=KEY_SECRET,
                               real_person_aliyun_scene_id=SCENE, real_person_aliyun_endpoint="https://x.invalid/")
    chosen = real_person_from_settings(settings)
    assert isinstance(chosen, AliyunRealPerson) and chosen.available() and chosen.access_key_id == KEY_ID
    settings.real_person_aliyun_key_id = "LTAI-realperson"
    assert real_person_from_settings(settings).access_key_id == "LTAI-realperson"
    settings.real_person_aliyun_scene_id = ""
    assert not real_person_from_settings(settings).available()  # no scene made in the console: no face route


def test_a_resident_id_holder_is_granted_presence_through_the_provider(cloudauth, tmp_path):
    glass = faces.astronaut_at_the_glass()
    landmarks = detect.one_face(model(), glass).landmarks
    settings = {"BACKOFFICE_REAL_PERSON": "aliyun", "BACKOFFICE_REAL_PERSON_ALIYUN_ENDPOINT": cloudauth,
                "BACKOFFICE_REAL_PERSON_ALIYUN_SCENE_ID": SCENE, "BACKOFFICE_REAL_PERSON_ALIYUN_KEY_ID": KEY_ID,
                "BACKOFFICE_REAL_PERSON_ALIYUN_KEY_SECRET": KEY_SECRET}
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", environ=settings) as server:
        api = BackofficeClient(server.url, terminal_id="CM-KIOSK-0001", secret=server.terminal_secret_file.read_text())
        ref = uuid.uuid4().hex
        issued = api.face_challenge(ref, "resident_id", WANG, "王建国", CONSENT)
        frames = faces.live_turn(glass, landmarks, left=issued["actions"] == ["turn_left"], seed=11)
        granted = api.face_grant(ref, issued["challenge"], [faces.jpeg(f) for f in frames])
        assert granted["evidence"] == "face_realperson" and granted["model"].startswith("aliyun-cloudauth/")
        assert granted["score"] > 55
        (sent,) = CloudauthEmulator.received  # the head turn was judged here: one frontal frame went out
        assert sent["CertNo"] == WANG
        # The provider's "not this face" is the kiosk's face_no_match, and no grant.
        other = uuid.uuid4().hex
        issued = api.face_challenge(other, "resident_id", WANG, "王建国", CONSENT)
        hopper = faces.grace_hopper()
        frames = faces.live_turn(hopper, detect.one_face(model(), hopper).landmarks,
                                 left=issued["actions"] == ["turn_left"], seed=12)
        with pytest.raises(BackofficeRefused) as refused:
            api.face_grant(other, issued["challenge"], [faces.jpeg(f) for f in frames])
        assert refused.value.status == 403 and refused.value.code == "face_no_match"
