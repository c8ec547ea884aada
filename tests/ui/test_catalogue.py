"""Service guides on the offscreen kiosk against the real back office: browse a window,
filter, search by pinyin initials on the on-screen keyboard, read a guide with its badges
and dates, print it, and a non-kiosk item that says where to go."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.style import ELDER

pytestmark = pytest.mark.ui
SHOTS = Path("/tmp/kiosk-shots")


def joined(texts):
    return "\n".join(texts)


def open_catalogue(app, ui):
    ui.tap(ui.by_text("办事指南"))
    ui.wait_for_screen("catalogue")


def open_search(app, ui):
    """From the catalogue to the search page: the page, with its keyboard."""
    ui.tap_button("catalogue", "search")
    ui.wait_for_screen("catalogue_search")
    return app.manager.get_screen("catalogue_search")


def type_latin(ui, screen, letters):
    """Switch the search keyboard to Latin letters and type `letters` (capitals)."""
    ui.tap(screen.keypad.keys["\x0e"])
    for ch in letters:
        ui.tap(screen.keypad.keys[ch])


def search(app, ui, letters):
    screen = open_search(app, ui)
    for ch in letters.upper():
        ui.tap(screen.keypad.keys[ch])
    ui.tap(screen.buttons["search"])
    ui.wait_for_screen("catalogue_items")


def test_browse_a_window_and_filter(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    shown = joined(ui.visible_texts())
    assert "企业开办" in shown and "人才服务" in shown
    ui.screenshot(SHOTS / "catalogue.png")
    ui.tap_button("catalogue", "W5")
    ui.wait_for_screen("catalogue_items")
    shown = joined(ui.visible_texts())
    assert "社会保障卡申领" in shown and "儿童预防接种证办理" in shown
    assert "不能在本机办理：指南中说明办理地点" in shown
    ui.screenshot(SHOTS / "catalogue_items.png")
    ui.tap_button("catalogue_items", "audience:company")
    ui.wait_for_screen("catalogue_items")
    shown = joined(ui.visible_texts())
    assert "生育津贴申领" in shown and "社会保障卡申领" not in shown
    ui.tap(ui.by_id("catalogue_items", "back"))
    ui.wait_for_screen("catalogue")


def test_search_by_pinyin_initials_and_read_the_guide(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    search(app, ui, "spjy")
    assert "食品经营许可证核发" in joined(ui.visible_texts())
    ui.tap_button("catalogue_items", "469023-XK-SCJG-0031")
    ui.wait_for_screen("guide")
    shown = joined(ui.visible_texts())
    ui.screenshot(SHOTS / "guide.png")
    assert "食品经营许可证核发" in shown
    for badge in ("必需", "可容缺：可以以后补交", "无需纸质材料：调取您的电子证照"):
        assert badge in shown, badge
    catalogue = app.controller.journey("catalogue")
    due = catalogue.promised(catalogue.state.guide["promised_days"])  # the kiosk's copy of the calendar
    assert (f"{due.isoformat()}前办结" if due else "具体日期待确认") in shown
    assert "立即申请" in shown
    spool = app.kiosk_config.profile.receipt_printer_target
    before = set(spool.glob("*.escpos"))
    ui.tap_button("guide", "print_slip")
    ui.wait_until(lambda: app.controller.journey("catalogue").last_slip is not None and app._busy is None,
                  what="guide printed")
    (job,) = set(spool.glob("*.escpos")) - before
    printed = job.read_bytes().decode("gb18030", errors="replace")
    assert "食品经营许可证核发" in printed and "无需纸质材料" in printed
    ui.tap_button("guide", "print_a4")
    ui.wait_until(lambda: app.controller.journey("catalogue").last_pdf is not None and app._busy is None,
                  what="A4 guide printed")
    assert app.controller.journey("catalogue").last_pdf.read_bytes().startswith(b"%PDF")


def test_english_names_and_a_non_kiosk_item_says_where_to_go(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    ui.tap(app.top_bar.ids.language_toggle)
    assert "starting a business" in joined(ui.visible_texts()).lower()
    ui.tap_button("catalogue", "W6")
    ui.wait_for_screen("catalogue_items")
    ui.tap_button("catalogue_items", "469023-QR-MZ-0002")
    ui.wait_for_screen("guide")
    shown = joined(ui.visible_texts())
    ui.screenshot(SHOTS / "guide_not_kiosk_en.png")
    assert "This service cannot be done at a kiosk." in shown
    assert "Apply now" not in shown
    assert "apply_now" not in app.manager.get_screen("guide").buttons
    ui.tap(app.top_bar.ids.language_toggle)
    assert "婚姻登记处" in joined(ui.visible_texts())


def test_bundles_are_listed(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    ui.tap_button("catalogue", "bundles")
    ui.wait_for_screen("catalogue_bundles")
    assert "新生儿出生一件事" in joined(ui.visible_texts())
    ui.tap_button("catalogue_bundles", "B02")
    ui.wait_for_screen("guide")
    shown = joined(ui.visible_texts())
    ui.screenshot(SHOTS / "guide_bundle.png")
    assert "出生医学证明首次签发" in shown
    # one member (the vaccination certificate) needs a visit: the bundle says so, no Apply here
    assert "这些事项不能在自助终端一并提交。" in shown and "apply" not in app.manager.get_screen("guide").buttons


def test_search_with_chinese_chosen_on_the_pinyin_keyboard(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    screen = open_search(app, ui)
    keyboard = screen.keypad
    for ch in "SHIPINJINGYING":
        ui.tap(keyboard.keys[ch])
    bar = [b.text for b in keyboard.candidate_buttons]
    assert bar[0] == "食品经营", bar  # the whole input, ranked first
    ui.tap(keyboard.keys["\x08"])  # Delete takes the last letter back
    assert screen.display.text == "shipinjingyin"
    ui.tap(keyboard.keys["G"])
    ui.tap(next(b for b in keyboard.candidate_buttons if b.text == "食品"))  # part by part
    assert screen.display.text == "食品jingying"
    ui.tap(next(b for b in keyboard.candidate_buttons if b.text == "经营"))
    assert screen.display.text == "食品经营" and keyboard.value == "食品经营"
    ui.tap(screen.buttons["search"])
    ui.wait_for_screen("catalogue_items")
    items = app.manager.get_screen("catalogue_items")
    assert "469023-XK-SCJG-0031" in items.buttons  # 食品经营许可证核发, found by its Chinese name


def test_latin_letters_on_the_pinyin_keyboard(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    screen = open_search(app, ui)
    keyboard = screen.keypad
    type_latin(ui, screen, "FOOD")
    assert keyboard.candidate_buttons == [] and screen.display.text == "FOOD"
    ui.tap(screen.buttons["search"])
    ui.wait_for_screen("catalogue_items")
    assert "469023-XK-SCJG-0031" in app.manager.get_screen("catalogue_items").buttons  # English names searched


def test_the_search_page_keeps_its_keyboard_and_each_visit_starts_fresh(kiosk_app, ui):
    """The keyboard is built once and reused; coming back (or the next citizen) finds it
    empty and in pinyin, as a new one would be."""
    app = kiosk_app
    open_catalogue(app, ui)
    screen = open_search(app, ui)
    keyboard = screen.keypad
    type_latin(ui, screen, "FOOD")
    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active, what="session end")
    assert keyboard.value == "" and keyboard.shown == ""  # nothing typed left behind

    open_catalogue(app, ui)
    screen = open_search(app, ui)
    assert screen.keypad is keyboard  # the same widget, not thirty new keys
    assert keyboard.chinese and keyboard.value == "" and screen.display.text == "_"
    assert keyboard.keys["\x0e"].text == "中文（拼音）· 点按改为字母"
    for ch in "SPJY":
        ui.tap(keyboard.keys[ch])
    assert keyboard.candidate_buttons[0].text == "食品经营"


def test_switching_language_and_mode_while_typing_keeps_the_pinyin(kiosk_app, ui):
    app = kiosk_app
    open_catalogue(app, ui)
    screen = open_search(app, ui)
    for ch in "SPJY":
        ui.tap(screen.keypad.keys[ch])
    ui.tap(app.top_bar.ids.language_toggle)
    ui.tap(app.top_bar.ids.elder_toggle)
    ui.pump(4)
    screen = app.manager.current_screen  # rebuilt in English, in elder sizes
    assert screen.name == "catalogue_search" and screen.display.text == "spjy"
    assert screen.keypad.candidate_buttons[0].text == "食品经营"  # still being composed
    assert screen.keypad.keys["A"].font_size == ELDER["button_sp"] and screen.keypad.keys["A"].height >= 60
    ui.tap(screen.buttons["search"])
    ui.wait_for_screen("catalogue_items")
    assert "469023-XK-SCJG-0031" in app.manager.get_screen("catalogue_items").buttons


def test_guides_open_with_the_network_cut(kiosk_app, ui):
    """Served from the kiosk's copy of the catalogue (refreshed while online)."""
    app = kiosk_app
    app.catalogue_refresher.refresh_now()
    assert app.demo.toggle_network() is True
    try:
        open_catalogue(app, ui)
        assert "企业开办" in joined(ui.visible_texts())
        search(app, ui, "spjy")
        assert "食品经营许可证核发" in joined(ui.visible_texts())
        ui.tap_button("catalogue_items", "469023-XK-SCJG-0031")
        ui.wait_for_screen("guide")
        shown = joined(ui.visible_texts())
        assert "食品经营许可证核发" in shown and "必需" in shown
    finally:
        app.demo.toggle_network()
    ui.tap(ui.by_id("guide", "back"))
