"""Kiosk lockdown and the watchdog on the real offscreen Kivy window: keys are dispatched
to the Window as SDL's event loop does (on_key_down, then on_keyboard unless it was taken).
The shared test app runs with lockdown off, as a developer's kiosk; each test that turns it
on turns it off again."""
from __future__ import annotations

import dataclasses
import signal
import socket

import pytest

from kiosk.appliance import Appliance
from kiosk.appliance.lockdown import Lockdown
from kiosk.appliance.watchdog import Notifier, UiWatchdog

pytestmark = pytest.mark.ui

ESCAPE, F1, F4, BACKSPACE, LETTER_A = 27, 282, 285, 8, 97


@pytest.fixture
def window(kiosk_app):
    from kivy.core.window import Window

    return Window


@pytest.fixture
def probe(window):
    """A handler bound like the app's own (before lockdown): what it sees got through."""
    seen = []

    def on_key_down(_window, key, _scancode, _codepoint, modifiers):
        seen.append((key, tuple(sorted(modifiers))))

    window.bind(on_key_down=on_key_down)
    yield seen
    window.unbind(on_key_down=on_key_down)


def press(window, key, modifiers=()) -> None:
    if not window.dispatch("on_key_down", key, 0, None, list(modifiers)):
        window.dispatch("on_keyboard", key, 0, None, list(modifiers))


@pytest.fixture
def notify_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.setblocking(False)
    yield str(tmp_path / "notify"), sock
    sock.close()


def drain(sock) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except BlockingIOError:
            return messages


def test_without_lockdown_escape_and_keys_reach_the_app_as_before(ui, kiosk_app, window, probe):
    from kivy.config import Config

    assert not kiosk_app.appliance.lockdown.installed  # config/kiosk.toml: no lockdown
    press(window, ESCAPE)
    press(window, F4, ["alt"])
    assert probe == [(ESCAPE, ()), (F4, ("alt",))]
    assert Config.get("kivy", "exit_on_escape") == "0"  # kiosk/runtime/kivy_env.py, as it always was
    assert window.dispatch("on_request_close") is not True
    press(window, F1)  # the demo key still inserts a demo card
    ui.wait_until(lambda: kiosk_app.devices.idcard_sim.card_present, what="demo card from F1")


def test_lockdown_swallows_escape_keys_and_close_requests(ui, kiosk_app, window, probe):
    size = tuple(window.size)
    lockdown = Lockdown(window)
    lockdown.install()
    try:
        assert (window.fullscreen, window.borderless) == ("auto", True)
        assert window.show_cursor is False and window.allow_screensaver is False
        for key, modifiers in ((ESCAPE, ()), (F4, ("alt",)), (BACKSPACE, ("alt", "ctrl")), (F1, ())):
            press(window, key, modifiers)
        assert probe == []
        assert window.dispatch("on_keyboard", ESCAPE, 0, None, []) is True
        assert window.dispatch("on_request_close") is True
        assert window.dispatch("on_request_close", source="keyboard") is True
        ui.pump(5)
        assert not kiosk_app.devices.idcard_sim.card_present  # F1 never reached the demo keys
        press(window, LETTER_A)  # plain keys pass: nothing listens to them
        assert probe == [(LETTER_A, ())]
    finally:
        lockdown.uninstall()
    ui.pump(5)
    assert tuple(window.size) == size and window.fullscreen is False and window.show_cursor is True
    press(window, ESCAPE)
    assert probe[-1] == (ESCAPE, ())


def test_watchdog_is_fed_by_the_ui_threads_clock(ui, notify_socket):
    from kivy.clock import Clock

    path, sock = notify_socket
    watchdog = UiWatchdog(Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"}),
                          Clock.schedule_interval, Clock.unschedule)
    assert watchdog.start()
    fed = drain(sock)
    try:
        ui.wait_until(lambda: fed.extend(drain(sock)) or len(fed) >= 4, what="watchdog keep-alives")
    finally:
        watchdog.stop()
    assert set(fed) == {"WATCHDOG=1"}


def test_appliance_installs_lockdown_and_tells_systemd(ui, kiosk_app, window, probe, notify_socket):
    path, sock = notify_socket
    config = kiosk_app.kiosk_config
    kiosk = {**config.raw["kiosk"], "lockdown": True, "nightly_restart": "03:30"}
    kiosk_app.kiosk_config = dataclasses.replace(config, raw={**config.raw, "kiosk": kiosk})
    handler_before = signal.getsignal(signal.SIGTERM)
    try:
        appliance = Appliance(kiosk_app, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    finally:
        kiosk_app.kiosk_config = config
    appliance.install()
    try:
        assert appliance.lockdown.installed and appliance.nightly is not None
        press(window, ESCAPE)
        assert probe == []
        assert signal.getsignal(signal.SIGTERM) is not handler_before
        appliance.ready()
        assert drain(sock) == ["READY=1\nSTATUS=serving", "WATCHDOG=1"]
        assert appliance.watchdog.feeding
    finally:
        appliance.uninstall()
    ui.pump(5)
    assert not appliance.watchdog.feeding and not appliance.lockdown.installed
    assert signal.getsignal(signal.SIGTERM) is handler_before
    press(window, ESCAPE)
    assert probe == [(ESCAPE, ())]
