"""Results by post on the offscreen kiosk against the real back office: the delivery
question answered with post, the address step (town, village or community, the street and
house on the pinyin keyboard, the prefilled recipient and phone), a masked review, the
submission carrying the address, the back office's masked delivery and the printed receipt
naming it without the house; each address page in both languages and elder mode; collection
chosen again drops the address; a kiosk that never copied the towns offers collection; a
shipped result's waybill and tracking steps in My cases and on the progress slip."""
from __future__ import annotations

from pathlib import Path

import pytest

from domain.ids import mask_address
from kiosk.journeys.apply import ApplyState
from proof.citizen import Citizen
from services.api import BackofficeClient
from tests.api.submissions import application
from tests.presence import CitizensClient, confirm
from tests.ui.accessible import assert_accessible
from tests.ui.staffdesk import APPROVERS, FOOD, StaffDesk, person

pytestmark = pytest.mark.ui
SHOTS = Path("/tmp/kiosk-shots")
WANG_ID = "469023195801041234"
ITEM = "469023-GG-RS-0042"  # 社会保障卡申领: its form asks how the result is to come, post among the answers
JINJIANG, WENHUABEI = "469023100000", "469023100004"  # 金江镇, its 文化北社区居委会
MASKED = mask_address("金江镇", "文化北社区居委会")


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def office(backoffice):
    api = BackofficeClient(backoffice.url, terminal_id="CM-KIOSK-0001",
                           secret=backoffice.terminal_secret_file.read_text())
    return CitizensClient(api, confirm(api, backoffice.phone_inbox, WANG_ID))


def state(app) -> ApplyState:
    return app.controller.journey("apply").state


def to_the_address(app, ui) -> Citizen:
    """The item's guide, the card, the form with post chosen: on the town page. Its citizen
    checks each address page four ways when it reaches it."""
    def check(name: str) -> None:
        if name.startswith("apply-post"):
            assert_accessible(app, ui, name.replace("-", "_"))
            mode = ("en" if app.translator.language == "en" else "zh") + ("_elder" if app.style.elder else "")
            ui.screenshot(SHOTS / f"{name.replace('-', '_')}_{mode}.png")

    citizen = Citizen(app, ui, seen=check)
    citizen.open_item("W5", ITEM)
    citizen.identify()
    citizen.fill_form(choices={"delivery": "post"})
    citizen.arrive("apply_post_town")
    return citizen


def test_a_result_by_post_from_the_address_to_the_receipt(kiosk_app, ui, office, emulated_printer):
    app = kiosk_app
    citizen = to_the_address(app, ui)
    assert "金江镇" in joined(ui.visible_texts())
    detail = citizen.post_address(JINJIANG, WENHUABEI, shots=True)
    assert detail == "建设路88"
    address = state(app).post
    assert (address.recipient, address.phone) == ("王建国", "13907561234")  # the card's name, the contact phone
    citizen.arrive("apply_materials")
    citizen.settle_materials(defer=True)
    review = joined(ui.visible_texts())
    assert f"邮寄至：{MASKED}  王*  139****1234" in review and "免费邮寄" in review
    assert detail not in review and "王建国" not in review  # typed on their own pages, masked here
    assert_accessible(app, ui, "apply_review (post)")
    citizen.to_consent()
    citizen.submit()
    number = state(app).case.number
    citizen.wait_for_receipt_printed()

    receipt = office.receipt(number)
    assert (receipt.delivery_method, receipt.delivery_address_masked) == ("post", MASKED)
    printed = emulated_printer.wait_for_receipt(timeout=20).text
    assert "免费邮寄" in printed and MASKED in printed
    assert detail not in printed and "88" not in printed.split(MASKED)[1].split("\n")[0]
    assert "王建国" not in printed and WANG_ID not in printed

    ui.tap(app.manager.get_screen("apply_result").buttons["done"])
    ui.wait_for_screen("attract")
    assert state(app) is None  # the address went with the session
    everything = joined(ui.all_texts())
    assert detail not in everything and MASKED not in everything and "139****1234" not in everything


def test_in_english_and_elder_mode_the_address_pages_read_well(kiosk_app, ui):
    """The towns in English with their Chinese names, the villages as the NBS lists them;
    the accessibility check itself walks each page in both languages and elder mode."""
    app = kiosk_app
    citizen = to_the_address(app, ui)
    ui.tap(app.top_bar.ids.language_toggle)
    ui.pump()
    shown = joined(ui.visible_texts())
    assert "Jinjiang Town 金江镇" in shown and "Post the result to you" in shown
    app.controller.set_elder_mode(True)
    try:
        ui.pump(4)
        detail = citizen.post_address(JINJIANG, WENHUABEI, shots=True)
    finally:
        app.controller.set_elder_mode(False)
    citizen.arrive("apply_materials")
    assert detail in joined(ui.all_texts())  # still on its page, off the glass, until the session ends
    app.demo_remove_card()
    ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active, what="session end")
    everything = joined(ui.all_texts())
    assert detail not in everything and "王建国" not in everything and "13907561234" not in everything


def test_choosing_collection_again_removes_the_address(kiosk_app, ui):
    app = kiosk_app
    citizen = to_the_address(app, ui)
    citizen.post_address(JINJIANG, WENHUABEI)
    citizen.arrive("apply_materials")
    citizen.settle_materials(defer=True)
    ui.tap_button("apply_review", "edit:delivery")
    ui.wait_for_screen("apply_field")
    ui.tap_button("apply_field", "value:window")
    ui.wait_for_screen("apply_review")
    assert state(app).post is None and state(app).answers["delivery"] == "window"
    assert "邮寄至" not in joined(ui.visible_texts())
    assert "delivery" not in app.controller.journey("apply").application()


def test_back_goes_where_the_citizen_came_from(kiosk_app, ui):
    app = kiosk_app
    to_the_address(app, ui)
    ui.tap_button("apply_post_town", f"town:{JINJIANG}")
    ui.wait_for_screen("apply_post_village")
    for here, there in (("apply_post_village", "apply_post_town"), ("apply_post_town", "apply_field")):
        ui.tap(ui.by_id(here, "back"))
        ui.wait_for_screen(there)
    assert app.controller.journey("apply").current_field()["code"] == "contact_phone"  # the form's last page


def test_a_kiosk_that_never_copied_the_towns_offers_collection(kiosk_app, ui, monkeypatch):
    app = kiosk_app
    catalogue = app.controller.catalogue
    monkeypatch.setattr(catalogue, "held_towns", lambda: None)
    assert app.demo.toggle_network() is True
    try:
        to_the_address(app, ui)
        shown = joined(ui.visible_texts())
        assert "本终端暂时无法办理邮寄" in shown
        assert_accessible(app, ui, "apply_post_town (no towns)")
        ui.tap_button("apply_post_town", "collect")
        ui.wait_for_screen("apply_materials")
        assert state(app).answers["delivery"] == "window" and state(app).post is None
    finally:
        if app.demo.network_cut:
            app.demo.toggle_network()


def test_a_shipped_results_waybill_and_tracking_reach_my_cases(kiosk_app, ui, backoffice, courier):
    """Posted at the window, completed, handed to the courier (the emulator), tracked by two
    sweeps: the citizen's case on the kiosk shows the waybill and the steps, masked address
    and all, and the progress slip prints them."""
    app, desk = kiosk_app, StaffDesk(backoffice)
    applicant = person("19760512", "311", "符海燕")
    who = {"kind": "person", "document_number": applicant.document_number, "name": applicant.name}
    body = application(desk.terminal.guide(FOOD), who)
    body["answers"]["delivery"] = "post"
    body["delivery"] = {"method": "post", "town_code": JINJIANG, "village_code": WENHUABEI,
                        "detail": "文化北路88号3栋502室", "recipient": applicant.name, "phone": "13876543210"}
    made = desk.post("clerk01", "/v1/cases", body)
    assert made.status_code == 201, made.text
    number = made.json()["case"]["number"]
    for who_acts, action in (("clerk01", "accept"), ("clerk01", "route"), (APPROVERS[FOOD], "approve"),
                             (APPROVERS[FOOD], "complete"), ("clerk01", "deliver")):
        desk.act(who_acts, number, action)
    waybill = desk.case(number)["shipment"]["waybill"]
    for _ in range(2):  # the parcel moves a step at the courier, and the sweep reads it
        courier[1].advance(waybill)
        assert desk.post("supervisor01", "/v1/supervision/sweep", {}, key=False).status_code == 200

    app.devices.idcard_sim.insert(applicant)
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    ui.tap(next(r for r in ui.by_id("cases", "rows").children if r.number == number))
    ui.wait_for_screen("case")
    shown = joined(ui.visible_texts())
    assert f"邮件单号：EMS {waybill}" in shown and f"邮寄至：{MASKED}" in shown
    assert "邮件已揽收" in shown and "邮件运输中" in shown
    assert "文化北路88号" not in joined(ui.all_texts())
    assert_accessible(app, ui, "case (shipped)")
    ui.tap(ui.by_id("case", "print_slip"))
    ui.wait_until(lambda: app.controller.journey("progress").last_slip is not None, what="slip printed")
    printed = "\n".join(str(block) for block in app.controller.journey("progress").last_slip.blocks)
    assert waybill in printed and "邮件已揽收" in printed and "文化北路88号" not in printed
