"""Check progress from the attract screen: by card, or by scanning a receipt's QR code
without a card (masked); forged codes refused."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.cases import CaseList
from services.api import BackofficeClient
from tests.presence import confirm
from tests.ui.accessible import assert_accessible

SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))

pytestmark = pytest.mark.ui


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def tracking_token(backoffice):
    client = BackofficeClient(backoffice.url, terminal_id="CM-KIOSK-0001",
                              secret=backoffice.terminal_secret_file.read_text())
    wang = confirm(client, backoffice.phone_inbox, "469023195801041234")
    return client.get_case("469023-0003", grant=wang).tracking_token


def test_attract_offers_the_journeys(kiosk_app, ui):
    assert "查询办件进度" in joined(ui.visible_texts())


def test_progress_by_card_from_the_attract_screen(kiosk_app, ui):
    app = kiosk_app
    ui.tap(ui.by_text("查询办件进度"))
    ui.wait_for_screen("progress_start")
    assert app.session.active and app.session.identity is None
    app.demo_insert_card("li")
    ui.type_code()
    ui.wait_for_screen("cases")
    shown = joined(ui.visible_texts())
    assert "469023-0004" in shown and "最低生活保障对象认定" in shown


def test_the_code_screen_tells_a_wrong_code_and_is_readable_every_way(kiosk_app, ui):
    """The code step as a citizen meets it: the masked number, the big digit keypad, a wrong
    code's notice with the tries left; Send a new code waits its minute; in Chinese and
    English, standard and elder mode, with the accessibility check at zero."""
    from kiosk.demo import latest_code

    app = kiosk_app
    app.demo_insert_card("li")
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))
    ui.choose_code()
    ui.wait_for_screen("presence_code")
    shown = joined(ui.visible_texts())
    assert "验证码（6位数字）已发送至139****1928" in shown and "没带手机？" in shown
    screen = app.manager.get_screen("presence_code")
    assert screen.buttons["confirm"].disabled and screen.buttons["resend"].disabled
    right = latest_code(app.kiosk_config.demo_phone_inbox)
    for digit in "000000" if right != "000000" else "111111":
        ui.tap(screen.keypad.keys[digit])
    assert not screen.buttons["confirm"].disabled
    ui.tap_button("presence_code", "confirm")
    ui.wait_until(lambda: "验证码不正确，还可尝试2次。" in joined(ui.visible_texts()), what="the wrong-code notice")
    ui.screenshot(SHOTS / "presence_code_wrong.png")
    assert_accessible(app, ui, "presence_code")
    ui.type_code()
    ui.wait_for_screen("cases")
    assert "469023-0004" in joined(ui.visible_texts())


def test_with_no_number_on_file_the_page_asks_for_one(kiosk_app, ui):
    """赵丽 has no case yet, so no number on file: the page asks for hers (her carrier
    confirms it is in her name), then for the code sent to it."""
    from domain.identity import DocumentKind, Identity

    app = kiosk_app
    zhao = Identity(kind=DocumentKind.RESIDENT_ID, name="赵丽", document_number="469023199003070020")
    ui.tap(ui.by_text("查询办件进度"))
    ui.wait_for_screen("progress_start")
    app.devices.idcard_sim.insert(zhao)
    ui.choose_code()
    ui.wait_for_screen("presence_code")
    screen = app.manager.get_screen("presence_code")
    assert screen.asking_phone and "系统中没有您的手机号码" in joined(ui.visible_texts())
    assert screen.buttons["confirm"].disabled
    ui.screenshot(SHOTS / "presence_phone.png")
    assert_accessible(app, ui, "presence_code (a number asked for)")
    ui.type_code(phone="13512345678")
    ui.wait_for_screen("cases")
    app.devices.idcard_sim.remove()
    ui.wait_for_screen("attract")


def test_scanning_a_receipt_shows_the_case_without_a_card(kiosk_app, ui, tracking_token):
    app = kiosk_app
    ui.wait_until(lambda: app.controller.verifier is not None, what="QR key loaded")
    app.devices.scanner.backend.scan(tracking_token)
    ui.wait_for_screen("case")
    shown = joined(ui.visible_texts())
    assert "469023-0003" in shown and "不动产登记资料查询" in shown
    assert "您需要：按以下要求补正材料" in shown  # what to do next, once and completely
    assert "469023195801041234" not in joined(ui.all_texts())
    assert app.session.active and app.session.identity is None
    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_for_screen("attract")
    assert "469023-0003" not in joined(ui.all_texts())


def test_in_english_the_case_shows_the_back_office_s_english_names(kiosk_app, ui, tracking_token):
    app = kiosk_app
    ui.wait_until(lambda: app.controller.verifier is not None, what="QR key loaded")
    app.devices.scanner.backend.scan(tracking_token)
    ui.wait_for_screen("case")
    ui.tap(app.top_bar.ids.language_toggle)
    shown = joined(ui.visible_texts())
    assert "Searching real-estate registration records" in shown and "不动产登记资料查询" not in shown
    assert "Chengmai County Government Affairs Service Center, general intake window" in shown
    assert "Received overnight at a 24-hour self-service kiosk" in shown
    assert "Real estate title certificate: The copy is not legible" in shown  # what to do next

    ui.tap(ui.by_id("case", "print_slip"))
    ui.wait_until(lambda: app.controller.journey("progress").last_slip is not None, what="slip printed")
    slip = app.controller.journey("progress").last_slip.plain_text()
    assert "Item: Searching real-estate registration records" in slip
    assert "Chengmai County Government Affairs Service Center, general intake window" in slip
    assert "澄迈" not in slip


def test_a_forged_code_is_refused_calmly(kiosk_app, ui, tracking_token):
    app = kiosk_app
    ui.wait_until(lambda: app.controller.verifier is not None, what="QR key loaded")
    head, body, signature = tracking_token.split(".")
    forged = ".".join((head, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"), signature))
    app.devices.scanner.backend.scan(forged)
    ui.wait_for_screen("message")
    assert "此二维码无效" in joined(ui.visible_texts())


def test_an_expired_receipt_code_says_how_to_check_instead(kiosk_app, ui, backoffice):
    """Genuine, signed by the back office, but past its expiry: the citizen is told to use
    the ID card, not to book again (which is what an expired appointment code says)."""
    import json

    from backoffice.security.qr import QrSigner

    app = kiosk_app
    ui.wait_until(lambda: app.controller.verifier is not None, what="QR key loaded")
    seed = bytes.fromhex(json.loads((backoffice.database.parent / "backoffice.secrets.json").read_text())
                         ["signing_seed"])
    app.devices.scanner.backend.scan(QrSigner(seed).issue("case", "469023-0003", ttl_s=-60))
    ui.wait_for_screen("message")
    shown = joined(ui.visible_texts())
    assert "此回执二维码已过期" in shown and "请重新预约" not in shown


def test_a_queued_receipt_s_reference_becomes_a_case_number(kiosk_app, ui, backoffice):
    """An application kept while offline shows on My cases as waiting (even with the
    network still down); once sent, its reference leads to the real case number."""
    import uuid

    from services.deliveries import APPLICATION
    from tests.api.submissions import application
    from tests.ui.staffdesk import FOOD

    app = kiosk_app
    applicant = app.devices.idcard_sim.people["li"]  # a number on file: her code comes once online
    guide = BackofficeClient(backoffice.url).guide(FOOD)
    who = {"kind": "person", "document_number": applicant.document_number, "name": applicant.name}
    outbox, sender = app.controller.outbox, app.controller.outbox_sender
    assert app.demo.toggle_network() is True
    try:
        item = outbox.put(APPLICATION, application(guide, who), uuid.uuid4().hex, applicant=applicant.document_number)
        assert sender.deliver_now(item).status == "queued"
        ui.tap(ui.by_text("查询办件进度"))
        ui.wait_for_screen("progress_start")
        app.devices.idcard_sim.insert(applicant)
        ui.wait_for_screen("cases")
        shown = joined(ui.visible_texts())
        assert f"临时编号 {item.reference}" in shown and "已保存在本机，等待发送" in shown
        assert "只显示本机保存的申请" in shown
        ui.screenshot(Path("/tmp/kiosk-shots/cases_kept_offline.png"))
        assert_accessible(app, ui, "cases (kept, offline)")
    finally:
        app.demo.toggle_network()
    ui.wait_until(lambda: outbox.get(item.id).case_number, timeout=60, what="application sent")
    number = outbox.get(item.id).case_number
    ui.tap(ui.by_id("cases", "back"))
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))  # online again: the citizen confirms it is them
    ui.type_code()
    ui.wait_until(lambda: f"已发送，办件编号 {number}" in joined(ui.visible_texts()), what="reference resolved")
    assert number in joined(ui.visible_texts()).replace(f"已发送，办件编号 {number}", "")  # the case's own row too
    app.devices.idcard_sim.remove()
    ui.wait_for_screen("attract")


def test_a_long_list_says_how_many_older_cases_the_window_can_show(kiosk_app, ui):
    """The back office sends the newest cases and the count: the heading counts them all
    and the list's end says where the others are seen."""
    app = kiosk_app
    ui.tap(ui.by_text("查询办件进度"))
    ui.wait_for_screen("progress_start")
    app.demo_insert_card("li")
    ui.type_code()
    ui.wait_for_screen("cases")
    newest = app.session.cases[:2]
    app.session.cases = CaseList(newest, total=60)
    app.manager.get_screen("cases").refresh()
    ui.pump()
    shown = joined(ui.visible_texts())
    assert "我的办件（60件）" in shown
    assert "显示最近的2件" in shown and "其余58件请到人工窗口查询。" in shown
