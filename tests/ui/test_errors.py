"""The errors a citizen can meet at night, each with its own calm screen that says what
happened, what was kept and what to do — and none of them loses anything."""
from __future__ import annotations

import pytest

from devices.printer import ReceiptPrinter
from devices.printer.emulator import PrinterEmulator

pytestmark = pytest.mark.ui


def joined(texts):
    return "\n".join(texts)


def open_case(app, ui, person, number):
    app.demo_insert_card(person)
    ui.wait_for_screen("home")
    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    row = next(r for r in ui.by_id("cases", "rows").children if r.number == number)
    ui.tap(row)
    ui.wait_for_screen("case")


@pytest.fixture
def emulated_printer(kiosk_app):
    """The kiosk prints to our ESC/POS emulator over TCP for this test, then goes back."""
    progress = kiosk_app.controller
    original = progress.printer
    with PrinterEmulator() as emulator:
        printer = ReceiptPrinter(emulator.uri, original.profile)
        printer.open()
        progress.printer = printer
        try:
            yield emulator
        finally:
            progress.printer = original
            printer.close()


def test_paper_out_is_explained_and_the_slip_can_be_printed_again(kiosk_app, ui, emulated_printer):
    app = kiosk_app
    open_case(app, ui, "wang", "469023-0001")
    emulated_printer.run_out_after(0)
    emulated_printer.paper_out = True
    ui.tap(ui.by_id("case", "print_slip"))
    ui.wait_for_screen("message")
    shown = joined(ui.visible_texts())
    assert "打印机暂不可用" in shown and "您的信息不会丢失" in shown
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("case")
    emulated_printer.load_paper()
    ui.tap(ui.by_id("case", "print_slip"))
    receipt = emulated_printer.wait_for_receipt(timeout=20)
    assert receipt.cut and "469023-0001" in receipt.text
    ui.wait_until(lambda: "请取走您的进度单" in joined(ui.visible_texts()), what="slip printed")
    assert app.session.active  # the citizen never lost their place


def test_network_cut_then_restored(kiosk_app, ui):
    app = kiosk_app
    app.demo_insert_card("li")
    ui.wait_for_screen("home")
    assert app.demo.toggle_network() is True
    try:
        ui.tap(ui.by_id("home", "my_cases"))
        ui.agree_to_face_then("message")
        assert "服务暂时无法连接" in joined(ui.visible_texts())
        ui.tap(ui.by_id("message", "back"))
        ui.wait_for_screen("home")
    finally:
        assert app.demo.toggle_network() is False
    ui.tap(ui.by_id("home", "my_cases"))
    ui.type_code()
    ui.wait_for_screen("cases")
    assert "469023-0004" in joined(ui.visible_texts())


def test_unreadable_card(kiosk_app, ui):
    kiosk_app.devices.idcard_sim.misread()
    ui.wait_for_screen("message")
    shown = joined(ui.visible_texts())
    assert "未能读取证件" in shown and "请重新放置身份证" in shown
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("attract")


def test_back_office_refusal(kiosk_app, ui):
    app = kiosk_app
    app.demo_insert_card("wang")
    ui.wait_for_screen("home")
    app.controller.journey("progress").open_case("469023-9999")  # a case the back office does not know
    ui.wait_for_screen("message")
    assert "暂时无法办理" in joined(ui.visible_texts())
    ui.tap(ui.by_id("message", "back"))
    ui.wait_for_screen("cases")
