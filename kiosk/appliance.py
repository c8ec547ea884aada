"""The kiosk as an appliance under systemd, installed by KioskApp.build(): lockdown when
`[kiosk] lockdown` is on, systemd's notifications and watchdog (kiosk/watchdog.py), the
nightly restart window (kiosk/nightly_restart.py), and a clean stop on SIGTERM.

Each part does nothing where it is not configured: a developer's `make run` and the tests
get none of it unless they ask.
"""
from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from .lockdown import Lockdown
from .nightly_restart import CHECK_EVERY_S, NightlyRestart, RestartWindow
from .watchdog import Notifier, UiWatchdog

log = logging.getLogger(__name__)
EXIT_RESTART = 75  # as maintenance mode's restart: the service's Restart= starts it again


@dataclass
class Appliance:
    lockdown: Lockdown
    notifier: Notifier
    watchdog: UiWatchdog
    nightly: NightlyRestart | None


def lockdown_enabled(kiosk_section: dict[str, Any]) -> bool:
    value = kiosk_section.get("lockdown", False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def install(app, environ=None) -> Appliance:
    section = app.kiosk_config.raw.get("kiosk", {})
    lockdown = Lockdown(Window)
    if lockdown_enabled(section):
        lockdown.install()
    notifier = Notifier(environ)
    watchdog = UiWatchdog(notifier, Clock.schedule_interval, Clock.unschedule)
    window = RestartWindow.from_config(section)
    nightly = None
    if window is not None:
        nightly = NightlyRestart(window, idle=lambda: not app.session.active,
                                 restart=lambda: app.stop_with(EXIT_RESTART))
        Clock.schedule_interval(nightly.check, CHECK_EVERY_S)
    appliance = Appliance(lockdown, notifier, watchdog, nightly)

    def started(*_args):
        # Bound handlers run before KioskApp.on_start opens the devices: READY waits for
        # the first drawn frame after it.
        Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: _ready(appliance)))

    def stopping(*_args):
        watchdog.stop()
        notifier.stopping()

    app.bind(on_start=started, on_stop=stopping)
    if notifier.enabled:  # under systemd: `systemctl stop` closes the devices on the way out
        signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: app.stop()))
    return appliance


def _ready(appliance: Appliance) -> None:
    appliance.notifier.ready("serving")
    appliance.watchdog.start()
    log.info("appliance ready", extra={"watchdog": appliance.watchdog.feeding,
                                       "lockdown": appliance.lockdown.installed,
                                       "nightly_restart": appliance.nightly is not None})
