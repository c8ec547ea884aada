"""Rate the service from the attract screen: card, pick a case, a face, reasons required
for a low rating, a preset comment; stored at the back office (its audit log and the
rectification a bad rating opens); a second rating of the same case refused calmly."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.accessible import assert_accessible
from tests.ui.staffdesk import FOOD, StaffDesk, person

pytestmark = pytest.mark.ui
SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def desk(backoffice):
    return StaffDesk(backoffice)


def to_levels(app, ui, applicant, number):
    ui.tap(ui.by_text("评价服务"))
    ui.wait_for_screen("rating_start")
    ui.screenshot(SHOTS / "rating_start.png")
    app.devices.idcard_sim.insert(applicant)
    ui.type_code()
    ui.wait_for_screen("rating_cases")
    ui.screenshot(SHOTS / "rating_cases.png")
    row = next(r for r in ui.by_id("rating_cases", "rows").children if r.number == number)
    ui.tap(row)
    ui.wait_for_screen("rating_levels")


def face(ui, level):
    return next(b for b in ui.by_id("rating_levels", "faces").children if b.level == level)


def test_a_bad_rating_needs_a_reason_is_stored_and_a_second_rating_is_refused(kiosk_app, ui, desk):
    app = kiosk_app
    applicant = person("19830318", "121", "孙丽")
    number = desk.submit(applicant, FOOD)

    to_levels(app, ui, applicant, number)
    shown = joined(ui.visible_texts())
    for word in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert word in shown
    assert all(f.height >= 120 for f in ui.by_id("rating_levels", "faces").children)
    ui.screenshot(SHOTS / "rating_levels.png")

    ui.tap(face(ui, 1))
    ui.wait_for_screen("rating_reasons")
    assert ui.by_id("rating_reasons", "next").disabled
    assert "请至少选择一个原因。" in joined(ui.visible_texts())
    ui.tap(ui.by_id("rating_reasons", "next"))  # nothing chosen: stays
    assert app.manager.current == "rating_reasons"
    chip = next(c for c in ui.by_id("rating_reasons", "chips").children if c.message == "Took too long")
    ui.tap(chip)
    assert chip.chosen and not ui.by_id("rating_reasons", "next").disabled
    ui.screenshot(SHOTS / "rating_reasons.png")
    ui.tap(ui.by_id("rating_reasons", "next"))
    ui.wait_for_screen("rating_comment")
    phrase = next(c for c in ui.by_id("rating_comment", "chips").children if c.message == "Please call me back")
    ui.tap(phrase)
    ui.screenshot(SHOTS / "rating_comment.png")
    ui.tap(ui.by_id("rating_comment", "send"))
    ui.wait_for_screen("rating_done")
    ui.screenshot(SHOTS / "rating_done.png")
    assert "感谢您的评价。" in joined(ui.visible_texts())

    (stored,) = desk.audit("rating.create", number)
    assert stored["detail"]["level"] == 1
    rectifications = desk.get("supervisor01", "/v1/rectifications").json()["rectifications"]
    assert any(r["level"] == 1 and r["status"] == "open" for r in rectifications)

    ui.tap(ui.by_id("rating_done", "finish"))
    ui.wait_for_screen("attract")
    app.demo_remove_card()
    ui.wait_until(lambda: not app.devices.idcard_sim.card_present)

    # The same case again: one rating per case.
    to_levels(app, ui, applicant, number)
    ui.tap(face(ui, 4))
    ui.wait_for_screen("rating_comment")
    ui.tap(ui.by_id("rating_comment", "send"))
    ui.wait_for_screen("message")
    ui.screenshot(SHOTS / "rating_already.png")
    assert "此办件已经评价过了" in joined(ui.visible_texts())
    assert len(desk.audit("rating.create", number)) == 1
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("rating_cases")


def test_a_good_rating_needs_no_reason_and_english_works(kiosk_app, ui, desk):
    app = kiosk_app
    applicant = person("19710825", "223", "Smith")
    number = desk.submit(applicant, FOOD)
    to_levels(app, ui, applicant, number)
    ui.tap(app.top_bar.ids.language_toggle)
    shown = joined(ui.visible_texts())
    assert "Very satisfied" in shown and "Very dissatisfied" in shown
    assert f"Case {number}: Issuing the food business licence" in shown
    ui.screenshot(SHOTS / "rating_levels_en.png")
    ui.tap(face(ui, 3))
    ui.wait_for_screen("rating_comment")
    assert "Your rating: Fairly satisfied" in joined(ui.visible_texts())
    ui.tap(ui.by_id("rating_comment", "send"))
    ui.wait_for_screen("rating_done")
    (stored,) = desk.audit("rating.create", number)
    assert stored["detail"]["level"] == 3


def test_a_rating_given_offline_is_kept_and_sent_later(kiosk_app, ui, desk):
    """The case list came from the back office; the line drops before Send: the rating is
    kept in the outbox, the citizen is told so, and it reaches the county once it is back."""
    app = kiosk_app
    applicant = person("19650203", "315", "周强")
    number = desk.submit(applicant, FOOD)
    to_levels(app, ui, applicant, number)
    ui.tap(face(ui, 5))
    ui.wait_for_screen("rating_comment")
    assert app.demo.toggle_network() is True
    try:
        ui.tap(ui.by_id("rating_comment", "send"))
        ui.wait_for_screen("rating_done")
        assert "本机已保存您的评价" in joined(ui.visible_texts())
        assert_accessible(app, ui, "rating_done (kept)")
        assert desk.audit("rating.create", number) == []
        assert app.controller.outbox.stats()["pending"] == 1
    finally:
        app.demo.toggle_network()  # restoring the line nudges the outbox
    ui.wait_until(lambda: app.controller.outbox.stats()["pending"] == 0, timeout=60, what="rating sent")
    (stored,) = desk.audit("rating.create", number)
    assert stored["detail"]["level"] == 5
    ui.tap(ui.by_id("rating_done", "finish"))
    ui.wait_for_screen("attract")
