"""The face check on the real Kivy window: the consent page, the camera page with the
citizen's picture and the oval, the other ways after two checks that did not confirm it;
in Chinese and English, standard and elder mode, with the accessibility check at zero.
The demo panel's camera buttons choose who stands at the glass (the simulated camera)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.accessible import assert_accessible

SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))
FACE_CHECK_S = 60  # the cues, a two-second turn and the back office's model on a busy machine

pytestmark = pytest.mark.ui


def joined(texts):
    return "\n".join(texts)


def to_consent(app, ui, who: str) -> None:
    app.demo_insert_card(who)
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))
    ui.wait_for_screen("face_consent")


def test_the_card_holder_confirms_it_by_face_after_reading_what_is_kept(kiosk_app, ui):
    app = kiosk_app
    to_consent(app, ui, "li")
    shown = joined(ui.visible_texts())
    assert "用您的面部确认是您本人？" in shown and "不会保存您面部的任何信息" in shown
    assert "改用短信验证码" in shown  # the other way, as large as agreeing
    ui.screenshot(SHOTS / "face_consent.png")
    assert_accessible(app, ui, "face_consent")
    app.demo_film("nobody")  # no one in front yet: the page waits for a face
    ui.tap_button("face_consent", "agree")
    ui.wait_for_screen("face_camera", FACE_CHECK_S)
    screen = app.manager.get_screen("face_camera")
    ui.wait_until(lambda: screen.view is not None and screen.view.texture is not None, what="the camera's picture")
    ui.wait_until(lambda: "看不到人脸" in joined(ui.visible_texts()), what="the guide asking for a face")
    ui.screenshot(SHOTS / "face_camera.png")
    assert_accessible(app, ui, "face_camera")
    app.demo_film("holder")  # 李秀英 steps in front of the camera and turns as asked
    ui.wait_for_screen("cases", FACE_CHECK_S)
    assert "469023-0004" in joined(ui.visible_texts())
    assert not app.devices.face.is_open


def test_after_two_checks_that_did_not_confirm_it_the_other_ways_are_offered(kiosk_app, ui):
    app = kiosk_app
    to_consent(app, ui, "wang")
    app.demo_film("photo")  # 王建国's photo held up to the camera
    ui.tap_button("face_consent", "agree")
    ui.wait_for_screen("face_other_ways", FACE_CHECK_S * 2)
    shown = joined(ui.visible_texts())
    assert "这次未能通过面部确认" in shown and "人工窗口" in shown
    ui.screenshot(SHOTS / "face_other_ways.png")
    assert_accessible(app, ui, "face_other_ways")
    ui.tap_button("face_other_ways", "code")
    ui.type_code()
    ui.wait_for_screen("cases")


def test_a_blink_is_asked_on_the_camera_page_in_english_and_done(kiosk_app, ui, monkeypatch):
    from kiosk.journeys import face as face_journey

    app = kiosk_app
    monkeypatch.setattr(face_journey, "FACE_ACTIONS", ("blink",))  # a kiosk that offers the blink alone
    app.translator.switch("en")
    to_consent(app, ui, "chen")
    assert "turn your head or close your eyes as asked" in joined(ui.visible_texts())
    app.demo_film("holder")  # 陈明 at the glass: he closes his eyes when asked
    ui.tap_button("face_consent", "agree")
    ui.wait_until(lambda: "Now close your eyes for a second, then open them again." in joined(ui.visible_texts()),
                  timeout=FACE_CHECK_S, what="the blink asked")
    ui.screenshot(SHOTS / "face_camera_blink.png")
    assert_accessible(app, ui, "face_camera")
    ui.wait_for_screen("cases", FACE_CHECK_S)
