"""The kiosk as an appliance under systemd, installed by KioskApp.build(): lockdown when
`[kiosk] lockdown` is on, systemd's notifications and watchdog (kiosk/appliance/watchdog.py), the
nightly restart window (kiosk/appliance/nightly_restart.py), and a clean stop on SIGTERM.

Each part does nothing where it is not configured: a developer's `make run` and the tests
get none of it unless they ask.
"""
from __future__ import annotations

import logging
import signal
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from domain.flags import is_on
from kiosk.appliance.lockdown import Lockdown
from kiosk.appliance.nightly_restart import CHECK_EVERY_S, NightlyRestart, RestartWindow
from kiosk.appliance.watchdog import Notifier, UiWatchdog

log = logging.getLogger(__name__)
EXIT_RESTART = 75  # as maintenance mode's restart: the service's Restart= starts it again


def lockdown_enabled(kiosk_section: dict[str, Any], demo: bool) -> bool:
    """On unless the configuration turns it off; a demo kiosk's default is off."""
    return is_on(kiosk_section.get("lockdown", not demo))


class Appliance:
    def __init__(self, app, environ=None):
        self.app = app
        section = app.kiosk_config.raw.get("kiosk", {})
        self.lockdown = Lockdown(Window)
        self.lockdown_wanted = lockdown_enabled(section, app.kiosk_config.demo)
        self.notifier = Notifier(environ)
        self.watchdog = UiWatchdog(self.notifier, Clock.schedule_interval, Clock.unschedule)
        window = RestartWindow.from_config(section)
        self.nightly = None if window is None else NightlyRestart(
            window, idle=lambda: not app.session.active, restart=lambda: app.stop_with(EXIT_RESTART))
        self._nightly_event = None
        self._previous_sigterm = None

    def install(self) -> "Appliance":
        if self.lockdown_wanted:
            self.lockdown.install()
        if self.nightly is not None:
            self._nightly_event = Clock.schedule_interval(self.nightly.check, CHECK_EVERY_S)
        self.app.bind(on_start=self._started, on_stop=self._stopping)
        if self.notifier.enabled:  # under systemd: `systemctl stop` closes the devices on the way out
            self._previous_sigterm = signal.signal(
                signal.SIGTERM, lambda *_: Clock.schedule_once(lambda _dt: self.app.stop()))
        return self

    def uninstall(self) -> None:
        """Everything install() did, undone (tests share one app and one window)."""
        self.lockdown.uninstall()
        self.watchdog.stop()
        if self._nightly_event is not None:
            Clock.unschedule(self._nightly_event)
            self._nightly_event = None
        self.app.unbind(on_start=self._started, on_stop=self._stopping)
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    def ready(self) -> None:
        """The first screen is up: systemd may consider the kiosk started, and the watchdog
        starts counting."""
        self.notifier.ready("serving")
        self.watchdog.start()
        log.info("appliance ready", extra={"watchdog": self.watchdog.feeding, "lockdown": self.lockdown.installed,
                                           "nightly_restart": self.nightly is not None})

    def _started(self, *_args) -> None:
        # Bound handlers run before KioskApp.on_start opens the devices: READY waits for
        # the first frame drawn after it.
        Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: self.ready()))

    def _stopping(self, *_args) -> None:
        self.watchdog.stop()
        self.notifier.stopping()


def install(app, environ=None) -> Appliance:
    return Appliance(app, environ).install()
