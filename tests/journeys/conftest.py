"""The kiosk's controller and journeys without Kivy: a recording UI stands where the
window would be, the main loop is a queue the test drains, and everything else is real
(the back office over HTTP on loopback, the receipt printer's ESC/POS on the emulator,
the outbox and the catalogue copy on disk). Seconds per journey, beside tests/ui."""
from __future__ import annotations

import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from devices.fonts import find_cjk_font
from devices.idcard import CardInserted, CardRemoved
from devices.idcard.sim import load_demo_people
from devices.printer import ReceiptPrinter, ReceiptPrinterProfile
from devices.printer.emulator import PrinterEmulator
from kiosk.config import load_config
from kiosk.controller import KioskController
from kiosk.demo import latest_code
from kiosk.i18n import Translator
from kiosk.offline import build_catalogue, build_outbox
from kiosk.session import Session
from kiosk.ui.screen_names import Screen
from services.api import BackofficeClient

DEMO_PEOPLE = Path(__file__).resolve().parents[2] / "assets" / "seed" / "demo.json"


@dataclass
class Message:
    title: str
    body: str
    back_to: str


@dataclass
class RecordingUI:
    """What the window would show: the screen, the busy overlay, messages and toasts."""
    screen: str = Screen.ATTRACT
    screens: list[str] = field(default_factory=list)
    busy: str | None = None
    messages: list[Message] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)

    def navigate(self, screen: str) -> None:
        assert screen in Screen._value2member_map_, f"no screen {screen!r}"
        self.screen = screen
        self.screens.append(screen)

    def current_screen(self) -> str:
        return self.screen

    def show_busy(self, message: str | None) -> None:
        self.busy = message

    def show_message(self, title: str, body: str, back_to: str) -> None:
        self.messages.append(Message(title, body, back_to))
        self.navigate(Screen.MESSAGE)

    def show_toast(self, message: str) -> None:
        self.toasts.append(message)

    def show_idle_warning(self, seconds_left: int | None) -> None:
        pass

    def reset_screens(self) -> None:
        self.navigate(Screen.ATTRACT)

    def set_elder_mode(self, on: bool) -> None:
        pass


class Kiosk:
    """The controller with its main loop in the test's hands."""

    def __init__(self, controller: KioskController, ui: RecordingUI, main: queue.Queue, printer: PrinterEmulator,
                 phone_inbox: Path):
        self.controller, self.ui, self._main, self.printer = controller, ui, main, printer
        self.phone_inbox = phone_inbox  # the texts the back office sent (the demo's phone)
        self.people = load_demo_people(DEMO_PEOPLE)

    def journey(self, name: str):
        return self.controller.journey(name)

    def until(self, done: Callable[[], bool], what: str, timeout: float = 20) -> None:
        """Runs what the worker threads hand to the main loop until `done()` holds."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}; on {self.ui.screen!r}, "
                                     f"messages {self.ui.messages}")
            try:
                self._main.get(timeout=left)()
            except queue.Empty:
                pass

    def on(self, screen: str) -> None:
        self.until(lambda: self.ui.screen == screen and self.ui.busy is None, f"screen {screen}")

    def insert_card(self, person: str) -> None:
        """A demo person's card (assets/seed/demo.json)."""
        self.present(self.people[person])

    def present(self, identity) -> None:
        self.controller.on_card_event(CardInserted(identity))

    def remove_card(self) -> None:
        self.controller.on_card_event(CardRemoved())

    def type_code(self) -> None:
        """On the code screen, the code the back office just texted to the citizen's phone."""
        self.on(Screen.PRESENCE_CODE)
        self.controller.journey("presence").check_code(latest_code(self.phone_inbox))


@pytest.fixture(scope="module")
def printer_emulator():
    with PrinterEmulator() as emulator:
        yield emulator


@pytest.fixture
def kiosk(backoffice, printer_emulator, tmp_path):
    yield from running_kiosk(backoffice, printer_emulator, tmp_path)


def running_kiosk(backoffice, printer_emulator, tmp_path, devices=None):
    """The controller on the demo terminal's credentials, with `devices` (the face camera)
    where a test gives them; ended and shut down after the test."""
    config = load_config(environ={}, overrides={
        "kiosk.var_dir": str(tmp_path), "backoffice.url": backoffice.url,
        "backoffice.terminal_secret_file": str(backoffice.terminal_secret_file)})
    api = BackofficeClient(backoffice.url, terminal_id=config.terminal_id,
                           secret=backoffice.terminal_secret_file.read_text())
    printer = ReceiptPrinter(printer_emulator.uri, ReceiptPrinterProfile(status_timeout_s=0.5))
    printer.open()
    main: queue.Queue = queue.Queue()
    controller = KioskController(session=Session(files_root=tmp_path / "session"), api=api, printer=printer,
                                 translator=Translator("zh_CN"), terminal_id=config.terminal_id, idle_timeout_s=120,
                                 font_path=find_cjk_font(), call_on_main=main.put, devices=devices,
                                 presence_policy=config.presence_policy)
    controller.outbox, controller.outbox_sender = build_outbox(config, api)
    controller.catalogue, _refresher = build_catalogue(config, api)
    ui = RecordingUI()
    controller.attach(ui)
    yield Kiosk(controller, ui, main, printer_emulator, backoffice.phone_inbox)
    controller.finish("test_end")
    controller.shutdown()
    printer.close()


@pytest.fixture(autouse=True)
def journeys_keep_to_their_flow(monkeypatch):
    """A journey opening a screen its FLOW does not list fails the test (the kiosk logs it)."""
    from kiosk.journeys import Journey

    monkeypatch.setattr(Journey, "strict_flow", True)
