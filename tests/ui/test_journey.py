"""The walking-skeleton journey, driven with simulated touches on the real offscreen
window: card -> home -> my cases -> one case -> print slip -> card out."""
from __future__ import annotations

import pytest

from services.api import BackofficeClient
from tests.presence import confirm

pytestmark = pytest.mark.ui

WANG_ID = "469023195801041234"
WANG_MASKED_ID = "4690**********1234"
WANG_CASES = ("469023-0003", "469023-0001", "469023-0011", "469023-0002")


def joined(texts):
    return "\n".join(texts)


def start_session(app, ui, person="wang"):
    app.demo_insert_card(person)
    ui.wait_for_screen("home")


def open_case(app, ui, number):
    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    row = next(r for r in ui.by_id("cases", "rows").children if r.number == number)
    ui.tap(row)
    ui.wait_for_screen("case")


def test_attract_screen_is_chinese_and_asks_for_the_card(kiosk_app, ui):
    shown = joined(ui.visible_texts())
    assert "请将身份证放在读卡区" in shown
    assert "English" in shown


def test_home_shows_the_masked_id_and_never_the_full_number(kiosk_app, ui):
    start_session(kiosk_app, ui)
    shown = joined(ui.visible_texts())
    assert WANG_MASKED_ID in shown
    assert "您好，王*" in shown
    everything = joined(ui.all_texts())
    assert WANG_ID not in everything
    assert "王建国" not in everything


def test_full_journey_to_a_printed_slip_and_out(kiosk_app, ui, tmp_path, backoffice):
    app = kiosk_app
    start_session(app, ui)

    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    listed = joined(ui.all_texts())  # a long list scrolls: every case is on it, not all on the glass
    for number in WANG_CASES:
        assert number in listed
    office = BackofficeClient(backoffice.url, terminal_id="CM-KIOSK-0001",
                              secret=backoffice.terminal_secret_file.read_text())
    wang = confirm(office, backoffice.phone_inbox, WANG_ID)
    held = len(office.list_cases(WANG_ID, grant=wang))  # other tests may have submitted for him
    assert held >= len(WANG_CASES) and f"我的办件（{held}件）" in joined(ui.visible_texts())

    row = next(r for r in ui.by_id("cases", "rows").children if r.number == "469023-0001")
    ui.tap(row)
    ui.wait_for_screen("case")
    shown = joined(ui.visible_texts())
    assert "食品经营许可证核发" in shown
    assert "当前状态：审查中" in shown
    assert "现场核查已安排" in shown  # a timeline note from the back office

    spool = app.kiosk_config.profile.receipt_printer_target  # the file driver's spool folder
    before = set(spool.glob("*.escpos"))
    ui.tap(ui.by_id("case", "print_slip"))
    ui.wait_until(lambda: app.controller.journey("progress").last_slip_preview is not None and app._busy is None,
                  what="slip printed")
    assert "请取走您的进度单" in joined(ui.visible_texts())
    (job,) = set(spool.glob("*.escpos")) - before
    printed = job.read_bytes().decode("gb18030", errors="replace")
    assert "469023-0001" in printed and "食品经营许可证核发" in printed
    assert WANG_ID not in printed and "王建国" not in printed
    assert app.controller.journey("progress").last_slip_preview.exists()

    app.demo_remove_card()
    ui.wait_until(lambda: app.manager.current == "attract" and not app.session.active,
                  what="session end on card removal")
    everything = joined(ui.all_texts())
    for leftover in (*WANG_CASES, WANG_MASKED_ID, "王*", "食品经营许可证核发", "现场核查已安排"):
        assert leftover not in everything, leftover
    assert app.session.identity is None and app.session.cases == [] and app.session.current_case is None


def test_idle_warning_counts_down_can_be_extended_and_then_ends_the_session(kiosk_app, ui):
    app = kiosk_app
    controller = app.controller
    start_session(app, ui)
    open_case(app, ui, "469023-0003")
    timeout, warning_s = controller.idle_timeout_s, controller.idle_warning_s
    assert timeout == 90 and warning_s >= 20
    ui.tap(ui.by_id("case", "back"))  # a touch keeps the session alive
    assert app.session.idle_seconds() < 5
    for _ in range(10):  # the citizen may ask for more time again and again
        app.session.last_activity -= timeout + 1  # as if they stood still past the timeout
        ui.wait_until(lambda: app._idle_warning.parent is not None, timeout=5, what="idle warning")
        shown = joined(ui.visible_texts())
        assert "您需要更多时间吗？请点击“继续”。" in shown
        assert app._idle_warning.seconds_left <= warning_s
        ui.tap(app._idle_warning.ids.keep_going)
        ui.wait_until(lambda: app._idle_warning.parent is None, timeout=5, what="warning dismissed")
        assert app.session.active and app.manager.current == "cases"
    app.session.last_activity -= timeout + warning_s + 1  # nobody answered the warning
    ui.wait_until(lambda: app.manager.current == "attract", timeout=5, what="idle timeout")
    assert not app.session.active and app._idle_warning.parent is None
    assert "469023-0003" not in joined(ui.all_texts())


def test_finish_button_ends_the_session(kiosk_app, ui):
    app = kiosk_app
    start_session(app, ui)
    ui.tap(app.top_bar.ids.finish_button)
    ui.wait_for_screen("attract")
    assert not app.session.active
    assert app.top_bar.ids.finish_button.opacity == 0


def test_language_switch_mid_journey_keeps_the_place(kiosk_app, ui):
    app = kiosk_app
    start_session(app, ui)
    open_case(app, ui, "469023-0002")
    ui.tap(app.top_bar.ids.language_toggle)
    shown = joined(ui.visible_texts())
    assert app.manager.current == "case"
    assert "Status: Completed" in shown
    assert "Print progress slip" in shown
    assert "中文" in shown
    ui.tap(app.top_bar.ids.language_toggle)
    assert "当前状态：已办结" in joined(ui.visible_texts())


def test_back_office_down_gives_a_calm_message_and_a_way_back(kiosk_app, ui):
    from demo.embedded_backoffice import free_port
    from services.api import BackofficeClient

    app = kiosk_app
    real_api = app.controller.api
    app.controller.api = BackofficeClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    try:
        start_session(app, ui)
        ui.tap(ui.by_id("home", "my_cases"))
        ui.agree_to_face_then("message")
        shown = joined(ui.visible_texts())
        assert "服务暂时无法连接" in shown
        assert "您的信息不会丢失" in shown
        ui.tap(ui.by_id("message", "back"))
        ui.wait_for_screen("home")
        assert app.session.active  # the citizen keeps their place
    finally:
        app.controller.api = real_api
