"""Check progress from the attract screen: by card, or by scanning a receipt's QR code
without a card (masked); forged codes refused."""
from __future__ import annotations

import pytest

from services.api import BackofficeClient

pytestmark = pytest.mark.ui


def joined(texts):
    return "\n".join(texts)


@pytest.fixture(scope="module")
def tracking_token(backoffice):
    client = BackofficeClient(backoffice.url, terminal_id="CM-KIOSK-0001",
                              secret=backoffice.terminal_secret_file.read_text())
    return client.get_case("469023-0003").tracking_token


def test_attract_offers_the_journeys(kiosk_app, ui):
    assert "查询办件进度" in joined(ui.visible_texts())


def test_progress_by_card_from_the_attract_screen(kiosk_app, ui):
    app = kiosk_app
    ui.tap(ui.by_text("查询办件进度"))
    ui.wait_for_screen("progress_start")
    assert app.session.active and app.session.identity is None
    app.demo_insert_card("li")
    ui.wait_for_screen("cases")
    shown = joined(ui.visible_texts())
    assert "469023-0004" in shown and "最低生活保障对象认定" in shown


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
