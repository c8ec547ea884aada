"""Maintenance mode and the out-of-service notice, driven with simulated touches on the
real offscreen window: the hidden gesture, the PIN (wrong, locked, right), diagnostics with
a tile per device and their tests (the test receipt read back from our printer emulator),
out of service and back, restart and exit behind a confirmation, the maintenance idle
timeout. Each test leaves the kiosk on the attract screen and in service: the UI tests
share one app."""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
import zipfile
from pathlib import Path

import pytest
import zxingcpp

from devices.idcard import CardPresented
from devices.idcard.pcsc import MSG_NEED_DETAILS
from domain.county import CST
from kiosk.journeys.maintenance import EXIT_RESTART, EXIT_STOP, MAINTENANCE_IDLE_S, MaintenanceJourney
from kiosk.maintenance.access import LockoutPolicy, MaintenanceAccess
from kiosk.maintenance.card import hash_card_uid
from kiosk.maintenance.service_state import ServiceStateStore
from kiosk.ops.readiness import DEVICES, present_devices
from screens.maintenance_corner import MaintenanceCorner, TapSequence
from tests.ui.accessible import assert_accessible

pytestmark = pytest.mark.ui

PIN = "482916"
WRONG = "482917"
WHERE_ELSE_ZH = "请到澄迈县政务服务中心（金江镇文化北路）办理"
SHOTS = Path(os.environ.get("KIOSK_TEST_SHOTS", "/tmp/kiosk-shots"))


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def joined(texts):
    return "\n".join(texts)


@pytest.fixture
def maintenance(kiosk_app, ui):
    """The maintenance journey with a known PIN (set through the core's own API, which
    also clears any lock); afterwards the kiosk is back in service with no staff in."""
    journey = kiosk_app.controller.journey("maintenance")
    journey.access.set_pin(PIN, by="test")
    yield journey
    if not journey.service.in_service:  # a failed test must not leave the other tests out of service
        journey.service = journey.store.return_to_service(by="test")
        kiosk_app.navigate("attract")
    if kiosk_app.session.active:
        kiosk_app.controller.finish("test_reset")
    ui.wait_for_screen("attract")


@pytest.fixture
def stop_requests(maintenance):
    """Stopping the app, recorded instead of done: the app is shared by every UI test."""
    requested: list[int] = []
    real, maintenance.stop_app = maintenance.stop_app, requested.append
    yield requested
    maintenance.stop_app = real


def corner(app) -> MaintenanceCorner:
    return next(w for w in app.root.children if isinstance(w, MaintenanceCorner))


def open_pin_screen(app, ui) -> None:
    for _ in range(5):
        ui.tap(corner(app))
    ui.wait_for_screen("maintenance_pin")


def type_pin(app, ui, pin: str) -> None:
    screen = app.manager.get_screen("maintenance_pin")
    for digit in pin:
        ui.tap(screen.keypad.keys[digit])
    ui.tap(screen.buttons["enter"])


def enter_wrong_pin(app, ui, pin: str = WRONG) -> str:
    """Type a PIN that is refused; the notice it leaves on the PIN screen."""
    screen = app.manager.get_screen("maintenance_pin")
    type_pin(app, ui, pin)
    ui.wait_until(lambda: app._busy is None and screen.notice is not None, what="PIN outcome")
    return screen.notice.text


def open_diagnostics(app, ui) -> None:
    open_pin_screen(app, ui)
    type_pin(app, ui, PIN)
    ui.wait_for_screen("maintenance", timeout=30)  # the report waits for the camera's first frame
    ui.wait_until(lambda: app.controller.journey("maintenance").visit.report is not None, what="readiness report")


def tap_key(app, ui, screen: str, key: str, wait_for: str | None = None) -> None:
    ui.tap_button(screen, key)
    if wait_for:
        ui.wait_for_screen(wait_for, timeout=30)


# --- getting in -----------------------------------------------------------------------------
def test_the_tap_count_must_be_reached_within_three_seconds():
    clock = FakeClock(0.0)
    taps = TapSequence(clock=clock)
    for at in (0.0, 0.5, 1.0, 1.5):
        clock.now = at
        assert not taps.tap()
    clock.now = 3.2  # a fifth tap, but 3.2 s after the first: four within 3 s
    assert not taps.tap()
    clock.now = 3.3  # five within 3 s: 0.5 to 3.3
    assert taps.tap()
    assert not taps.tap()  # and the count starts again


def test_five_taps_on_the_corner_open_the_pin_screen_without_showing_digits(kiosk_app, ui, maintenance):
    app = kiosk_app
    for _ in range(4):
        ui.tap(corner(app))
    assert app.manager.current == "attract" and not app.session.active
    ui.tap(corner(app))
    ui.wait_for_screen("maintenance_pin")
    assert "请输入维护密码" in joined(ui.visible_texts())
    screen = app.manager.get_screen("maintenance_pin")
    assert screen.buttons["enter"].disabled  # shorter than any PIN
    digits = [key for name, key in screen.keypad.keys.items() if name.isdigit()]
    assert len(digits) == 10 and all(key.echo == "silent" for key in digits)  # never read back
    for digit in PIN[:3]:
        ui.tap(screen.keypad.keys[digit])
    assert screen.dots.text == "●●●○○○"
    assert PIN[:3] not in joined(ui.all_texts())

    app.demo_insert_card("wang")  # staff are in: a card starts no citizen journey
    ui.pump(10)
    assert app.manager.current == "maintenance_pin" and app.session.identity is None
    app.demo_remove_card()
    ui.tap(screen.ids.back)
    ui.wait_for_screen("attract")
    assert not app.session.active


def test_the_corner_does_nothing_during_a_citizen_session(kiosk_app, ui, maintenance):
    app = kiosk_app
    app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    for _ in range(5):
        ui.tap(corner(app))
    assert app.manager.current == "home" and app.controller.journey("maintenance").visit is None


def test_a_wrong_pin_says_how_many_tries_are_left(kiosk_app, ui, maintenance):
    app = kiosk_app
    open_pin_screen(app, ui)
    assert "锁定前还可尝试 4 次" in enter_wrong_pin(app, ui)
    assert app.manager.get_screen("maintenance_pin").keypad.value == ""  # the PIN is not kept
    assert "锁定前还可尝试 3 次" in enter_wrong_pin(app, ui)
    assert app.manager.current == "maintenance_pin" and not app.controller.journey("maintenance").visit.granted


def test_five_wrong_pins_lock_and_then_even_the_right_pin_is_refused(kiosk_app, ui, maintenance, tmp_path):
    app = kiosk_app
    clock = FakeClock()
    fresh = MaintenanceAccess(tmp_path, clock=clock)  # its own lock file and clock
    fresh.set_pin(PIN, by="test")
    real, maintenance.access = maintenance.access, fresh
    try:
        open_pin_screen(app, ui)
        for _ in range(4):
            enter_wrong_pin(app, ui)
        until = dt.datetime.fromtimestamp(clock.now + LockoutPolicy().base_lock_s, CST)
        locked = f"密码输入已锁定至 {until:%Y-%m-%d %H:%M:%S}"
        assert locked in enter_wrong_pin(app, ui)
        assert locked in enter_wrong_pin(app, ui, PIN)  # the right PIN, refused while locked
        assert app.manager.current == "maintenance_pin" and not app.controller.journey("maintenance").visit.granted
        audit = [json.loads(line) for line in fresh.audit.path.read_text(encoding="utf-8").splitlines()]
        assert [line["outcome"] for line in audit if line["event"] == "pin"] == ["wrong_pin"] * 5 + ["locked"]

        clock.now += LockoutPolicy().base_lock_s + 1  # the lock has run out
        type_pin(app, ui, PIN)
        ui.wait_for_screen("maintenance", timeout=30)
    finally:
        maintenance.access = real


# --- diagnostics ----------------------------------------------------------------------------
def test_the_right_pin_opens_diagnostics_with_a_tile_for_every_device(kiosk_app, ui, maintenance):
    app = kiosk_app
    open_diagnostics(app, ui)
    screen = app.manager.get_screen("maintenance")
    assert {name for name, _ in present_devices(app.devices)} == set(DEVICES)
    assert set(screen.tiles) == set(DEVICES) | {"backoffice", "outbox", "system", "log"}
    assert {key for key in screen.buttons if key.startswith("test:")} == {f"test:{name}" for name in DEVICES}
    everything = joined(ui.all_texts())
    for words in ("身份证读卡器", "凭条打印机", "A4 文档打印机", "二维码扫描器", "语音播报", "高拍仪",
                  "人脸识别摄像头", "后台服务", "毫秒内应答", "本机", "磁盘：可用", "内存：可用", "系统已运行", "版本",
                  "正常服务", "就绪"):
        assert words in everything, words

    ui.tap(app.top_bar.ids.language_toggle)  # staff may read English
    assert "Maintenance: kiosk readiness" in joined(ui.visible_texts())
    assert "Receipt printer" in joined(ui.all_texts())
    ui.tap(app.top_bar.ids.language_toggle)

    tap_key(app, ui, "maintenance", "refresh", wait_for="maintenance")
    ui.tap(screen.ids.back)  # Leave maintenance
    ui.wait_for_screen("attract")
    assert not app.session.active and app.controller.journey("maintenance").visit is None


def test_the_test_receipt_comes_out_of_the_receipt_printer(kiosk_app, ui, maintenance, emulated_printer):
    app = kiosk_app
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "test:receipt_printer", wait_for="maintenance")
    receipt = emulated_printer.wait_for_receipt(timeout=20)
    assert receipt.cut
    assert "维护测试小票" in receipt.text and "Maintenance test receipt" in receipt.text
    assert app.kiosk_config.terminal_id in receipt.text
    assert "测试通过：test receipt printed" in joined(ui.all_texts())


def test_the_card_test_reads_a_card_without_starting_a_journey(kiosk_app, ui, maintenance):
    app = kiosk_app
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "test:idcard", wait_for="maintenance")
    assert "请在读卡区放置一张身份证。" in joined(ui.all_texts())
    app.demo_insert_card("wang")
    ui.wait_until(lambda: "已读取证件：4690**********1234" in joined(ui.all_texts()), what="card read")
    assert app.manager.current == "maintenance" and app.session.identity is None
    assert "469023195801041234" not in joined(ui.all_texts())


def test_the_scanner_test_shows_the_camera_live_and_what_it_reads_until_stopped(kiosk_app, ui, maintenance):
    app = kiosk_app
    screen = app.manager.get_screen("maintenance")
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "test:scanner", wait_for="maintenance")
    assert "请将一个二维码对准扫描窗口。" in joined(ui.all_texts())
    live = maintenance.live
    assert live is not None and "stop:scanner" in screen.buttons and "test:scanner" not in screen.buttons

    # Frames are made on the preview's own thread and drawn on the UI thread.
    drawn_on: list[str] = []
    ui.wait_until(lambda: screen.preview is not None and screen.preview.texture is not None, what="first frame")
    image = screen.preview
    image.bind(texture=lambda *_args: drawn_on.append(threading.current_thread().name))
    ui.wait_until(lambda: len(drawn_on) >= 3, what="frames keep coming")
    assert set(drawn_on) == {threading.main_thread().name} and live.thread.name == "camera-preview"
    assert tuple(image.texture.size) == (320, 240)
    assert "摄像头实时画面" in joined(ui.all_texts())

    # A code held up: the count of its characters (never its content) beside the picture,
    # which shows that code; the test goes on reading.
    app.devices.scanner.backend.scan("469023-0001 PRIVATE")
    ui.wait_until(lambda: "已读取二维码：19 个字符" in joined(ui.all_texts()), what="code read")
    assert "PRIVATE" not in joined(ui.all_texts()) and app.manager.current == "maintenance"
    ui.wait_until(lambda: maintenance.last_frame is not None and
                  [c.text for c in zxingcpp.read_barcodes(maintenance.last_frame)] == ["469023-0001 PRIVATE"],
                  what="the code in the camera's picture")
    assert maintenance.live is live and live.running and screen.preview is not None
    ui.scroll_into_view(screen.preview)
    ui.screenshot(SHOTS / "maintenance_scanner_live.png")

    ui.tap_button("maintenance", "stop:scanner")
    ui.wait_until(lambda: not live.thread.is_alive(), what="preview thread ended")
    assert maintenance.live is None and screen.preview is None and "test:scanner" in screen.buttons
    assert "已读取二维码：19 个字符" in joined(ui.all_texts())  # what was read stays shown


def test_the_scanner_test_times_out_and_leaving_stops_the_camera(kiosk_app, ui, maintenance, monkeypatch):
    app = kiosk_app
    screen = app.manager.get_screen("maintenance")
    monkeypatch.setattr(maintenance, "scanner_test_s", 1.0)  # the time limit, not the timing
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "test:scanner", wait_for="maintenance")
    live = maintenance.live
    ui.wait_until(lambda: maintenance.live is None and "test:scanner" in screen.buttons, what="test timed out")
    assert not live.running and "扫描测试已结束：未读到二维码。" in joined(ui.all_texts())

    monkeypatch.setattr(maintenance, "scanner_test_s", 60.0)
    tap_key(app, ui, "maintenance", "test:scanner", wait_for="maintenance")
    live = maintenance.live
    assert live is not None and live.running
    ui.tap(screen.ids.back)  # Leave maintenance while the camera runs
    ui.wait_for_screen("attract")
    ui.wait_until(lambda: not live.thread.is_alive(), what="preview thread ended")
    assert maintenance.live is None and maintenance.frame_shown is None


def test_the_a4_test_page_reaches_the_document_printer(kiosk_app, ui, maintenance):
    from pypdf import PdfReader

    app = kiosk_app
    folder = app.devices.document_printer.folder  # the sim profile's printer keeps each PDF
    before = set(folder.glob("*.pdf"))
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "test:document_printer", wait_for="maintenance")
    (page,) = set(folder.glob("*.pdf")) - before
    text = PdfReader(page).pages[0].extract_text()
    assert "Printer test page" in text and app.kiosk_config.terminal_id in text
    assert "测试通过：test page completed" in joined(ui.all_texts())


def test_the_face_camera_test_finds_a_face_then_shows_the_camera_live_until_stopped(kiosk_app, ui, maintenance):
    app = kiosk_app
    camera = app.devices.face
    screen = app.manager.get_screen("maintenance")
    camera.player.show("person:wang")  # someone stands at the kiosk while staff test it
    try:
        open_diagnostics(app, ui)
        tap_key(app, ui, "maintenance", "test:face", wait_for="maintenance")
        ui.wait_until(lambda: "测试通过：face finder ok" in joined(ui.all_texts()), what="face camera tested")
        assert "in view now: centred" in joined(ui.all_texts())
        assert maintenance.live_device == "face" and camera.is_open and "stop:face" in screen.buttons
        ui.wait_until(lambda: screen.preview is not None and screen.preview.texture is not None, what="the picture")
        assert "摄像头实时画面" in joined(ui.all_texts())
        ui.scroll_into_view(screen.preview)
        ui.screenshot(SHOTS / "maintenance_face_live.png")
        live = maintenance.live
        ui.tap_button("maintenance", "stop:face")
        ui.wait_until(lambda: not live.thread.is_alive(), what="preview thread ended")
        assert not camera.is_open and maintenance.live is None and "test:face" in screen.buttons
        assert "测试人脸识别摄像头" in joined(ui.all_texts())
    finally:
        camera.player.show("nobody")


def test_the_maintenance_idle_timeout_is_its_own_with_no_citizens_countdown(kiosk_app, ui, maintenance):
    app = kiosk_app
    warnings: list[int] = []
    record = lambda *_args: warnings.append(1)  # noqa: E731
    app._idle_warning.bind(on_open=record)
    try:
        open_pin_screen(app, ui)
        assert app.controller.idle_timeout_s < MAINTENANCE_IDLE_S
        asked = app.controller.idle_timeout_s + 5
        app.session.last_activity -= asked
        ui.pump(80)  # a citizen would be asked by now
        assert app.manager.current == "maintenance_pin" and app.session.active
        app.session.last_activity -= MAINTENANCE_IDLE_S - asked + 1  # just past the visit's own timeout
        ui.wait_for_screen("attract", timeout=5)
        assert not app.session.active and app.controller.journey("maintenance").visit is None
        assert warnings == []  # never the citizens' "more time?"
    finally:
        app._idle_warning.unbind(on_open=record)


def test_maintenance_pages_offer_no_finish_but_keep_the_language_switch(kiosk_app, ui, maintenance, stop_requests):
    app = kiosk_app
    bar = app.top_bar.ids

    def finish_hidden() -> bool:
        return not app.session_active and bar.finish_button.width == 0 and bar.finish_button.opacity == 0

    open_pin_screen(app, ui)
    ui.pump(2)
    assert finish_hidden() and bar.language_toggle.width > 0
    type_pin(app, ui, PIN)
    ui.wait_for_screen("maintenance", timeout=30)
    for page, key in (("maintenance_service", "service"), ("maintenance_confirm", "restart")):
        tap_key(app, ui, "maintenance", key, wait_for=page)
        ui.pump(2)
        assert finish_hidden(), page
        ui.tap(app.manager.get_screen(page).ids.back)
        ui.wait_for_screen("maintenance")
    ui.tap(bar.language_toggle)  # still there for staff who read English
    assert "Maintenance: kiosk readiness" in joined(ui.visible_texts()) and finish_hidden()
    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("attract")

    app.demo_insert_card("wang")  # a citizen's session offers Finish again
    ui.wait_for_screen("home")
    ui.pump(2)
    assert app.session_active and bar.finish_button.width > 0 and bar.finish_button.opacity == 1


# --- out of service -------------------------------------------------------------------------
def test_out_of_service_shows_where_else_to_go_and_back_in_service_restores_the_start(
        kiosk_app, ui, maintenance):
    app = kiosk_app
    open_diagnostics(app, ui)
    tap_key(app, ui, "maintenance", "service", wait_for="maintenance_service")
    form = app.manager.get_screen("maintenance_service")
    assert form.buttons["confirm"].disabled  # a reason first
    assert WHERE_ELSE_ZH in joined(ui.all_texts()) and "12345" in joined(ui.all_texts())
    tap_key(app, ui, "maintenance_service", "Scheduled maintenance")
    tap_key(app, ui, "maintenance_service", "confirm", wait_for="maintenance")
    assert "自 " in joined(ui.all_texts()) and "计划维护" in joined(ui.all_texts())

    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("out_of_service")
    shown = joined(ui.visible_texts())
    assert "本机暂停服务" in shown and WHERE_ELSE_ZH in shown and "12345" in shown
    app.demo_insert_card("wang")  # no journey starts
    ui.pump(10)
    assert app.manager.current == "out_of_service" and not app.session.active
    app.demo_remove_card()
    app.devices.scanner.backend.scan("HELLO")  # nor does a code
    ui.pump(20)
    assert app.manager.current == "out_of_service" and not app.session.active
    ui.tap(app.top_bar.ids.language_toggle)
    assert "Chengmai County Government Service Centre" in joined(ui.visible_texts())
    ui.tap(app.top_bar.ids.language_toggle)

    # Kept by the core, so a restart starts out of service too.
    kept = ServiceStateStore(app.kiosk_config.var_dir).current()
    assert not kept.in_service and kept.reason == "Scheduled maintenance"
    assert WHERE_ELSE_ZH in kept.where_else["zh_CN"] and "12345" in kept.where_else["en"]
    after_restart = MaintenanceJourney(app.controller)
    after_restart.configure(app.kiosk_config, stop_app=lambda code: None)
    assert after_restart.start_screen() == "out_of_service"

    open_diagnostics(app, ui)  # the hidden corner still answers
    assert "暂停服务" in joined(ui.all_texts())
    tap_key(app, ui, "maintenance", "service", wait_for="maintenance")  # Put back in service
    assert maintenance.service.in_service and ServiceStateStore(app.kiosk_config.var_dir).current().in_service
    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("attract")
    assert "请将身份证放在读卡区" in joined(ui.visible_texts())


# --- stopping the app -----------------------------------------------------------------------
def test_restart_and_exit_stop_the_app_only_once_confirmed(kiosk_app, ui, maintenance, stop_requests):
    app = kiosk_app
    open_diagnostics(app, ui)
    confirm = app.manager.get_screen("maintenance_confirm")

    tap_key(app, ui, "maintenance", "restart", wait_for="maintenance_confirm")
    assert "重启终端程序？" in joined(ui.visible_texts())
    ui.tap(confirm.ids.back)  # Cancel
    ui.wait_for_screen("maintenance")
    assert stop_requests == []

    tap_key(app, ui, "maintenance", "restart", wait_for="maintenance_confirm")
    tap_key(app, ui, "maintenance_confirm", "confirm")
    assert stop_requests == [EXIT_RESTART]

    ui.tap(confirm.ids.back)
    ui.wait_for_screen("maintenance")
    tap_key(app, ui, "maintenance", "exit", wait_for="maintenance_confirm")
    assert "停止终端程序？" in joined(ui.visible_texts())
    tap_key(app, ui, "maintenance_confirm", "confirm")
    assert stop_requests == [EXIT_RESTART, EXIT_STOP]
    audit = [json.loads(line) for line in maintenance.access.audit.path.read_text(encoding="utf-8").splitlines()]
    assert [(a["action"], a["exit_code"]) for a in audit if a["event"] == "app_stop"][-2:] == \
        [("restart", EXIT_RESTART), ("exit", EXIT_STOP)]


def test_the_diagnostics_bundle_is_exported_and_the_recent_log_shown(kiosk_app, ui, maintenance):
    app = kiosk_app
    log = app.kiosk_config.var_dir / "log" / "kiosk.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as lines:  # as kiosk.logs writes them
        lines.write('{"t": "2026-11-27T09:15:02+0800", "level": "info", "logger": "kiosk", "msg": "kiosk started"}\n')
        lines.write('{"t": "2026-11-27T09:16:40+0800", "level": "warning", "logger": "kiosk", '
                    '"msg": "slip for 469023195801041234 not printed"}\n')
    open_diagnostics(app, ui)
    screen = app.manager.get_screen("maintenance")
    log_tile = joined(w.text for w in screen.tiles["log"].children if hasattr(w, "text"))
    assert "09:15:02 info kiosk started" in log_tile
    assert "4690**********1234" in log_tile and "469023195801041234" not in log_tile  # masked again
    tap_key(app, ui, "maintenance", "bundle")
    ui.wait_until(lambda: app.controller.journey("maintenance").visit.bundle is not None and app._busy is None,
                  what="bundle written")
    written = sorted((app.kiosk_config.var_dir / "diagnostics").glob("kiosk-*.zip"))[-1]
    with zipfile.ZipFile(written) as bundle:
        assert "readiness.json" in bundle.namelist() and "log-tail.jsonl" in bundle.namelist()
    assert written.name in joined(ui.all_texts())  # where to find it
    ui.tap(screen.ids.back)
    ui.wait_for_screen("attract")


@pytest.fixture
def enrolled_card(maintenance):
    """A maintenance card enrolled on the kiosk (its UID's hash in the allowlist): from now
    on staff need the card and the PIN."""
    staff = bytes.fromhex("04a1b2c3d4e5f6")
    access = maintenance.access
    allowlist, access.card_allowlist = access.card_allowlist, [hash_card_uid(staff)]
    yield staff
    access.card_allowlist = allowlist


def pin_notice_text(app, ui) -> str:
    screen = app.manager.get_screen("maintenance_pin")
    ui.wait_until(lambda: app._busy is None and screen.notice is not None, what="PIN page notice")
    return screen.notice.text


def test_a_maintenance_card_alone_opens_only_the_pin_page(kiosk_app, ui, maintenance, enrolled_card):
    """The PC/SC reader reports a card placed without passport details by its UID alone
    (tests/devices/test_idcard_pcsc.py); here that event reaches the kiosk. A UID can be
    cloned: the card is one factor, the PIN the other."""
    app = kiosk_app
    stranger = bytes.fromhex("04ffeeddccbbaa")
    app.controller.on_card_event(CardPresented(MSG_NEED_DETAILS, uid=stranger))
    ui.wait_for_screen("message")
    assert "请先输入护照信息。" in joined(ui.visible_texts())  # what any card without details gets
    assert app.controller.journey("maintenance").visit is None
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("attract")

    app.controller.on_card_event(CardPresented(MSG_NEED_DETAILS, uid=enrolled_card))
    ui.wait_for_screen("maintenance_pin")
    assert "已识别维护卡，请输入维护密码。" in pin_notice_text(app, ui)
    assert not app.controller.journey("maintenance").visit.granted
    type_pin(app, ui, WRONG)
    assert "密码错误" in pin_notice_text(app, ui)
    type_pin(app, ui, PIN)
    ui.wait_for_screen("maintenance", timeout=30)
    ui.wait_until(lambda: app.controller.journey("maintenance").visit.report is not None, what="readiness report")
    audit = maintenance.access.audit.path.read_text()
    assert enrolled_card.hex() not in audit and stranger.hex() not in audit  # attempts audited, UIDs never
    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("attract")


def test_with_cards_enrolled_the_right_pin_alone_waits_for_the_card(kiosk_app, ui, maintenance, enrolled_card):
    app = kiosk_app
    open_pin_screen(app, ui)
    type_pin(app, ui, PIN)
    assert "密码正确，请将维护卡放在读卡区。" in pin_notice_text(app, ui)
    ui.screenshot(SHOTS / "maintenance_pin_card_due.png")
    assert app.manager.current == "maintenance_pin" and not app.controller.journey("maintenance").visit.granted
    app.controller.on_card_event(CardPresented(MSG_NEED_DETAILS, uid=bytes.fromhex("04ffeeddccbbaa")))
    ui.wait_until(lambda: "此卡不是本终端的维护卡。" in pin_notice_text(app, ui), what="a stranger's card refused")
    assert not app.controller.journey("maintenance").visit.granted
    app.controller.on_card_event(CardPresented(MSG_NEED_DETAILS, uid=enrolled_card))
    ui.wait_for_screen("maintenance", timeout=30)
    ui.wait_until(lambda: app.controller.journey("maintenance").visit.report is not None, what="readiness report")
    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("attract")


def test_leaving_maintenance_says_so_not_the_citizens_goodbye(kiosk_app, ui, maintenance, monkeypatch):
    app = kiosk_app
    said: list[str] = []
    speak = app.devices.speech.speak
    monkeypatch.setattr(app.devices.speech, "speak",
                        lambda text, *args, **kwargs: (said.append(text), speak(text, *args, **kwargs))[1])
    open_diagnostics(app, ui)
    ui.tap(app.manager.get_screen("maintenance").ids.back)
    ui.wait_for_screen("attract")
    assert "维护模式已结束。" in said and "谢谢使用，请带好您的证件和材料。" not in said


def test_the_outbox_tile_sends_now_and_sends_held_items_again(kiosk_app, ui, maintenance, backoffice):
    """What waits while the line is down, "send now" once it is back, and an item the back
    office refuses held for staff (not blocking the other), sent again on request."""
    import uuid

    from services.api import BackofficeClient
    from services.deliveries import APPLICATION
    from tests.api.submissions import application
    from tests.ui.staffdesk import FOOD, person

    app = kiosk_app
    outbox, sender = app.controller.outbox, app.controller.outbox_sender
    guide = BackofficeClient(backoffice.url).guide(FOOD)
    good_person, bad_person = person("19610101", "021", "冯涛"), person("19620202", "022", "卫兰")
    good = application(guide, {"kind": "person", "document_number": good_person.document_number, "name": "冯涛"})
    bad = dict(application(guide, {"kind": "person", "document_number": bad_person.document_number, "name": "卫兰"}),
               item_code="469023-NO-SUCH-0000")
    sender.stop()  # this test sends by hand; the background sender would race it
    try:
        assert app.demo.toggle_network() is True
        try:
            kept = [outbox.put(APPLICATION, good, uuid.uuid4().hex), outbox.put(APPLICATION, bad, uuid.uuid4().hex)]
            sender.flush()  # the line is down: both wait
        finally:
            app.demo.toggle_network()
        open_diagnostics(app, ui)
        screen = app.manager.get_screen("maintenance")
        tile = joined(w.text for w in screen.tiles["outbox"].children if hasattr(w, "text"))
        assert "等待发送：2 · 待人工处理：0" in tile
        ui.screenshot(SHOTS / "maintenance_outbox.png")
        tap_key(app, ui, "maintenance", "outbox:send")
        ui.wait_until(lambda: "outbox" in app.controller.journey("maintenance").visit.tests and app._busy is None,
                      what="outbox sent")
        assert outbox.get(kept[0].id).case_number and outbox.get(kept[1].id).state == "parked"
        tile = joined(w.text for w in screen.tiles["outbox"].children if hasattr(w, "text"))
        assert "已发送：1；仍在等待：0" in tile and "等待发送：0 · 待人工处理：1" in tile
        ui.screenshot(SHOTS / "maintenance_outbox_sent.png")
        assert_accessible(app, ui, "maintenance (outbox tile)")
        assert "需要处理" in joined(ui.visible_texts()) or "待发送" in joined(ui.visible_texts())
        tap_key(app, ui, "maintenance", "outbox:held")
        ui.wait_until(lambda: app._busy is None and "待人工处理：1" in joined(
            w.text for w in screen.tiles["outbox"].children if hasattr(w, "text")), what="held sent again")
        assert outbox.get(kept[1].id).state == "parked"  # still refused: held again, nothing lost
        audit = maintenance.access.audit.path.read_text()
        assert audit.count('"outbox_send"') >= 2
        ui.tap(screen.ids.back)
        ui.wait_for_screen("attract")
    finally:
        for item in outbox.parked():
            outbox.discard(item.id, "test cleanup")
        sender.start()
