"""Confirming it is them by their face, without Kivy: the kiosk's face journey with the
simulated face camera (the demo people's faces, devices/face/portraits.py) against the
real back office, which runs the real face model and the real-person service's emulator
holding the demo people's photos (demo/face_records.py).

The simulated person does as the kiosk asks (turns their head, or blinks); a photo held up and
another person do not pass, and after two checks the texted code and the staffed window
are offered. The face is offered only where the presence policy asks for it."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from devices.face import build_face_camera
from domain.identity import DocumentKind, Identity
from kiosk.demo import phone_texts
from kiosk.journeys import face as face_journey
from kiosk.journeys.face import CONSENT_VERSION, MSG_AGAIN_OTHER, MSG_OTHER_WAYS, FaceState
from kiosk.journeys.presence_policy import PresencePolicy, Way
from kiosk.ui.screen_names import Screen
from tests.api.database import query
from tests.devices.idcard_fixtures import pcscd  # noqa: F401
from tests.journeys.conftest import running_kiosk

FACE_CHECK_S = 60  # a camera's cues, a two-second turn and the model on a busy machine


@pytest.fixture
def camera():
    face = build_face_camera({"driver": "sim", "scene": "nobody"})
    yield face
    face.close()


@pytest.fixture
def kiosk(backoffice, printer_emulator, tmp_path, camera):
    yield from running_kiosk(backoffice, printer_emulator, tmp_path, devices=SimpleNamespace(face=camera))


@pytest.fixture
def binocular():
    face = build_face_camera({"driver": "sim", "scene": "nobody", "infrared": True})
    yield face
    face.close()


@pytest.fixture
def binocular_kiosk(backoffice, printer_emulator, tmp_path, binocular):
    yield from running_kiosk(backoffice, printer_emulator, tmp_path, devices=SimpleNamespace(face=binocular))


def face_checks(backoffice) -> list[dict]:
    rows = query(backoffice, "SELECT action, detail FROM audit_log WHERE action LIKE 'presence.face%' ORDER BY id")
    return [{"action": action, **(json.loads(detail) if isinstance(detail, str) else detail)}
            for action, detail in rows]


def to_consent(kiosk, who: str, journey: str = "progress"):
    kiosk.journey(journey).start()
    kiosk.insert_card(who)
    kiosk.on(Screen.FACE_CONSENT)
    return kiosk.controller.session.peek(FaceState)


def refused_twice(kiosk, camera, backoffice, scene: str, card: str) -> list[str]:
    """`scene` at the glass, `card` in the reader, the face check agreed to: the outcomes of
    the two checks after which the other ways are offered (and no grant)."""
    checks_before = len(face_checks(backoffice))
    camera.player.show(scene)
    state = to_consent(kiosk, card)
    kiosk.journey("face").agree()
    kiosk.until(lambda: kiosk.ui.screen == Screen.FACE_OTHER_WAYS, "the other ways", FACE_CHECK_S * 2)
    assert state.failures == 2 and not kiosk.controller.session.grant
    return [c["outcome"] for c in face_checks(backoffice)[checks_before:] if c["action"] == "presence.face_checked"]


def test_the_card_holders_face_opens_their_cases_and_only_the_outcome_is_kept(kiosk, camera, backoffice):
    texts_before, checks_before = len(phone_texts(kiosk.phone_inbox)), len(face_checks(backoffice))
    camera.player.show("person:wang")
    to_consent(kiosk, "wang")
    assert not camera.is_open  # nothing is filmed before the citizen agrees
    kiosk.journey("face").agree()
    kiosk.on(Screen.FACE_CAMERA)
    assert camera.is_open
    kiosk.until(lambda: kiosk.ui.screen == Screen.CASES, "the cases after the face check", FACE_CHECK_S)
    assert kiosk.controller.session.grant and kiosk.controller.session.peek(FaceState) is None
    assert not camera.is_open  # the camera stops with the answer
    assert len(phone_texts(kiosk.phone_inbox)) == texts_before  # no code was needed
    checks = face_checks(backoffice)[checks_before:]
    assert [c["action"] for c in checks] == ["presence.face_challenge", "presence.face_checked"]
    assert checks[1]["outcome"] == "match" and checks[1]["consent_version"] == CONSENT_VERSION
    assert checks[1]["evidence"] == "face_realperson" and checks[1]["score"] < 0.45
    assert "469023195801041234" not in json.dumps(checks)  # a keyed hash names the citizen, never the number


def test_the_card_holder_blinks_when_the_back_office_asks_a_blink(kiosk, camera, backoffice, monkeypatch):
    monkeypatch.setattr(face_journey, "FACE_ACTIONS", ("blink",))  # a kiosk that offers the blink alone
    checks_before = len(face_checks(backoffice))
    camera.player.show("person:wang")
    to_consent(kiosk, "wang")
    kiosk.journey("face").agree()
    kiosk.until(lambda: kiosk.ui.screen == Screen.CASES, "the cases after the blink", FACE_CHECK_S)
    asked, checked = face_checks(backoffice)[checks_before:]
    assert asked["asked"] == "blink" and checked["outcome"] == "match"


def test_a_binocular_camera_lets_the_holder_through_and_not_a_video_of_them_on_a_tablet(binocular_kiosk,
                                                                                          binocular, backoffice):
    kiosk = binocular_kiosk
    # Her video, doing whatever the kiosk asks: only the infrared eye tells.
    assert refused_twice(kiosk, binocular, backoffice, "screen:li", "li") == ["face_not_live", "face_not_live"]
    kiosk.remove_card()  # the next citizen: 李秀英 herself
    binocular.player.show("person:li")
    to_consent(kiosk, "li")
    kiosk.journey("face").agree()
    kiosk.until(lambda: kiosk.ui.screen == Screen.CASES, "the cases after the face check", FACE_CHECK_S)
    assert face_checks(backoffice)[-1]["outcome"] == "match"


def test_a_photo_held_up_twice_leads_to_the_other_ways_and_the_code_still_opens_the_cases(kiosk, camera,
                                                                                         backoffice):
    checks_before = len(face_checks(backoffice))
    camera.player.show("photo:li")
    state = to_consent(kiosk, "li")
    face = kiosk.journey("face")
    face.agree()
    kiosk.until(lambda: state.failures == 1 and state.phase == "waiting", "the first check's answer", FACE_CHECK_S)
    assert kiosk.ui.screen == Screen.FACE_CAMERA and state.notice == MSG_AGAIN_OTHER
    kiosk.until(lambda: kiosk.ui.screen == Screen.FACE_OTHER_WAYS, "the other ways", FACE_CHECK_S)
    assert state.other_ways_reason == MSG_OTHER_WAYS and not camera.is_open
    assert not kiosk.controller.session.grant
    outcomes = [c["outcome"] for c in face_checks(backoffice)[checks_before:] if c["action"] == "presence.face_checked"]
    assert outcomes == ["face_not_live", "face_not_live"]
    face.use_code()
    kiosk.type_code()
    kiosk.on(Screen.CASES)
    assert kiosk.controller.session.grant


def test_someone_else_at_the_glass_is_not_the_card_holder(kiosk, camera, backoffice):
    # 陈明 in front of the camera with 李秀英's card.
    assert refused_twice(kiosk, camera, backoffice, "person:chen", "li") == ["face_no_match", "face_no_match"]
    kiosk.journey("face").ask_at_the_window()
    assert kiosk.ui.screen == Screen.MESSAGE and "Wenhua North Road" in kiosk.ui.messages[-1].body


def test_a_citizen_who_prefers_a_code_is_never_filmed(kiosk, camera, backoffice):
    checks_before = len(face_checks(backoffice))
    camera.player.show("person:wang")
    to_consent(kiosk, "wang")
    kiosk.journey("face").use_code()
    kiosk.type_code()
    kiosk.on(Screen.CASES)
    assert not camera.is_open and camera.grabber.captured == 0
    assert face_checks(backoffice)[checks_before:] == []


def test_the_policy_decides_which_journeys_ask_for_a_face(kiosk):
    """Ratings ask for the code (the default table); a county may set my cases to the code too."""
    kiosk.journey("rating").start()
    kiosk.insert_card("wang")
    kiosk.on(Screen.PRESENCE_CODE)
    kiosk.controller.finish("next")
    kiosk.controller.presence_policy = PresencePolicy.from_config({"progress": "code"})
    assert kiosk.controller.presence_policy.way("collect") is Way.FACE
    kiosk.journey("progress").start()
    kiosk.insert_card("wang")
    kiosk.on(Screen.PRESENCE_CODE)


def test_a_passport_without_a_chip_read_is_asked_for_the_code(kiosk):
    """A face can only be compared with a passport's chip photo that the back office proved
    in this session: with no chip read, the face is not offered."""
    traveller = Identity(kind=DocumentKind.PASSPORT, name="SMITH JANE", document_number="E12345678")
    kiosk.journey("progress").start()
    kiosk.present(traveller)
    kiosk.until(lambda: kiosk.ui.screen in (Screen.PRESENCE_CODE, Screen.MESSAGE), "the code's way")
    assert Screen.FACE_CONSENT not in kiosk.ui.screens


def test_a_passport_without_active_authentication_is_confirmed_by_its_proven_chip_face(kiosk, camera, pcscd,
                                                                                     backoffice):
    """The chip's DG2 holds 李秀英's face (the demo portrait) and passive authentication
    proves it; the chip cannot sign (no Active Authentication), so no grant from the chip
    alone: the face at the glass is compared with the DG2 the back office kept."""
    import cv2

    from devices.face.portraits import portrait
    from tests.journeys.test_presence_journey import passport_on_reader

    photo = cv2.imencode(".jpg", portrait("li").image, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
    card, reader, identity = passport_on_reader(kiosk, pcscd, backoffice.passport_pki().signer, read_face=True,
                                                face=photo, active_authentication=False)
    checks_before = len(face_checks(backoffice))
    try:
        camera.player.show("person:li")
        kiosk.journey("progress").start()
        kiosk.present(identity)
        kiosk.on(Screen.FACE_CONSENT)
        assert kiosk.controller.session.peek(FaceState).document_kind is DocumentKind.PASSPORT
        kiosk.journey("face").agree()
        kiosk.until(lambda: kiosk.ui.screen == Screen.CASES, "the cases after the face check", FACE_CHECK_S)
        assert kiosk.controller.session.grant
        checked = [c for c in face_checks(backoffice)[checks_before:] if c["action"] == "presence.face_checked"]
        assert [(c["outcome"], c["evidence"]) for c in checked] == [("match", "face_passport_dg2")]
    finally:
        card.remove()
        reader.close()


def test_a_misspelt_way_stops_the_kiosk_at_start():
    with pytest.raises(ValueError, match="progress"):
        PresencePolicy.from_config({"progress": "fase"})


def test_the_session_ending_stops_the_camera(kiosk, camera):
    camera.player.show("nobody")  # no face: the check waits for one
    to_consent(kiosk, "wang")
    kiosk.journey("face").agree()
    kiosk.on(Screen.FACE_CAMERA)
    assert camera.is_open
    kiosk.controller.finish("card_removed")
    assert not camera.is_open and kiosk.controller.session.peek(FaceState) is None
