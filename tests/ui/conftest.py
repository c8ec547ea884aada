"""One real Kivy kiosk, offscreen, for the whole UI test session (Kivy allows one window
per process), talking to a real back office on loopback."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.runtime import kivy_env

UI_VAR = Path(tempfile.mkdtemp(prefix="kiosk-ui-"))
_BASE_CONFIG = load_config(environ={}, overrides={"kiosk.var_dir": str(UI_VAR)})
kivy_env.prepare(UI_VAR, _BASE_CONFIG.profile.window_size, headless=True)


@pytest.fixture(scope="session")
def courier():
    """The courier emulator (EMS on loopback) the UI tests' back office posts results with."""
    from demo import courier_emulator

    with courier_emulator.serving() as served:
        yield served


@pytest.fixture(scope="session")
def backoffice(tmp_path_factory, courier):
    """The root conftest's back office, with the courier emulator as its courier: a result
    by post is shipped and tracked, as the demo's is."""
    from demo.embedded_backoffice import EmbeddedBackoffice

    var = tmp_path_factory.mktemp("backoffice")
    server = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                                environ={"BACKOFFICE_COURIER": f"emulator:{courier[0]}"}, demo_faces=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kiosk_app(backoffice):
    from kiosk.app import KioskApp

    config = load_config(environ={}, overrides={
        "kiosk.var_dir": str(UI_VAR),
        "backoffice.url": backoffice.url,
        "backoffice.terminal_secret_file": str(backoffice.terminal_secret_file),
    })
    app = KioskApp(config)
    app._run_prepare()
    yield app
    app.stop()


@pytest.fixture
def ui(kiosk_app):
    """A driver on the attract screen with no session; puts it back there afterwards."""
    from proof.uidriver import UiDriver

    driver = UiDriver(kiosk_app)
    _back_to_attract(kiosk_app, driver)
    yield driver
    _back_to_attract(kiosk_app, driver)


def _back_to_attract(app, driver) -> None:
    if app.devices.idcard_sim.card_present:
        app.demo_remove_card()
    driver.wait_until(lambda: not app.devices.idcard_sim.card_present)
    if app.session.active:
        app.controller.finish("test_reset")
    if app.translator.language != "zh_CN":
        app.translator.switch("zh_CN")
    driver.wait_for_screen("attract")


@pytest.fixture
def emulated_printer(kiosk_app):
    """The receipt printer is our ESC/POS emulator over TCP for this test, then goes back;
    what it received is decoded as the printer would print it."""
    from devices.printer import ReceiptPrinter
    from devices.printer.emulator import PrinterEmulator

    devices, controller = kiosk_app.devices, kiosk_app.controller
    original = devices.receipt_printer
    with PrinterEmulator() as emulator:
        printer = ReceiptPrinter(emulator.uri, original.profile)
        printer.open()
        devices.receipt_printer = controller.printer = printer
        try:
            yield emulator
        finally:
            devices.receipt_printer = controller.printer = original
            printer.close()


@pytest.fixture(autouse=True)
def journeys_keep_to_their_flow(monkeypatch):
    """A journey opening a screen its FLOW does not list fails the test (the kiosk logs it)."""
    from kiosk.journeys import Journey

    monkeypatch.setattr(Journey, "strict_flow", True)
