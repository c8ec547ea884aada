"""The address step of a result by post through the controller with a recording UI: the
towns fetched once when the kiosk has no copy yet, each part prefilled where the kiosk knows
it, the submission's delivery, Back along the step, collection chosen again dropping the
address, and the address gone with the session."""
from __future__ import annotations

from kiosk.ui.screen_names import Screen

ITEM = "469023-GG-RS-0042"  # 社会保障卡申领: bank, delivery (post offered), contact phone
JINJIANG, WENHUABEI = "469023100000", "469023100004"


def to_the_address(kiosk):
    catalogue, apply = kiosk.journey("catalogue"), kiosk.journey("apply")
    catalogue.start()
    kiosk.on(Screen.CATALOGUE)
    catalogue.open_window("W5")
    kiosk.on(Screen.CATALOGUE_ITEMS)
    catalogue.open_guide(ITEM)
    kiosk.on(Screen.GUIDE)
    apply.begin()
    kiosk.on(Screen.APPLY_IDENTIFY)
    kiosk.insert_card("wang")
    kiosk.on(Screen.APPLY_FIELD)
    for answer in (apply.current_field()["values"][0]["key"], "post", "13907561234"):
        apply.answer(answer)
    kiosk.on(Screen.APPLY_POST_TOWN)  # fetched from the back office: this kiosk has no copy yet
    return apply


def test_the_address_is_asked_after_the_form_and_sent_with_the_application(kiosk):
    apply = to_the_address(kiosk)
    step, state = apply.post, apply.state
    assert kiosk.controller.catalogue.held_towns() is None and len(step.towns()) == 12
    assert (state.post.recipient, state.post.phone) == ("王建国", "13907561234")  # prefilled
    step.choose_town(JINJIANG)
    assert kiosk.ui.screen == Screen.APPLY_POST_VILLAGE
    step.choose_village("469023101001")  # 老城镇's: not offered in 金江镇
    assert kiosk.ui.screen == Screen.APPLY_POST_VILLAGE and state.post.village_code == ""
    step.choose_village(WENHUABEI)
    step.detail_done("8")  # too short for the courier
    assert kiosk.ui.screen == Screen.APPLY_POST_DETAIL
    step.detail_done("建设路88号")
    step.recipient_done("王建国")
    step.phone_done("1390756")  # not a mobile number
    assert kiosk.ui.screen == Screen.APPLY_POST_PHONE
    assert kiosk.controller.back_from(Screen.APPLY_POST_PHONE) and kiosk.ui.screen == Screen.APPLY_POST_RECIPIENT
    step.recipient_done("符海燕")  # someone else receives it
    step.phone_done("13876543210")
    assert kiosk.ui.screen == Screen.APPLY_MATERIALS
    assert step.masked() == "金江镇文化北社区居委会****  符*  138****3210"
    assert apply.application()["delivery"] == {"method": "post", "town_code": JINJIANG, "village_code": WENHUABEI,
                                               "detail": "建设路88号", "recipient": "符海燕", "phone": "13876543210"}
    apply.back_from_materials()
    assert kiosk.ui.screen == Screen.APPLY_POST_PHONE  # where the citizen came from

    kiosk.remove_card()
    assert kiosk.controller.session.peek(type(state)) is None  # the address went with the session


def test_back_from_the_towns_returns_to_the_form_and_collection_drops_the_address(kiosk):
    apply = to_the_address(kiosk)
    apply.post.back_from_town()
    assert kiosk.ui.screen == Screen.APPLY_FIELD and apply.current_field()["code"] == "contact_phone"
    apply.answer("13907561234")
    kiosk.on(Screen.APPLY_POST_TOWN)  # post still chosen: the step again
    apply.post.choose_town(JINJIANG)
    apply.post.choose_village(WENHUABEI)
    apply.post.detail_done("建设路88号")
    apply.post.recipient_done("王建国")
    apply.post.phone_done("13907561234")
    apply.to_review()
    apply.edit_field("delivery")
    apply.answer("window")
    assert kiosk.ui.screen == Screen.APPLY_REVIEW
    assert apply.state.post is None and "delivery" not in apply.application()
