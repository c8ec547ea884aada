"""The hidden way into maintenance mode: five taps within three seconds on the top-left
corner of the top bar (over the start of the county's name), on the attract screen or the
out-of-service notice. Nothing shows or answers before the fifth tap, which opens the PIN
screen; a slower tap starts the count again.

An invisible widget the App lays over that corner: the top bar belongs to every screen,
and the corner answers only on the two where no citizen is being served."""
from __future__ import annotations

import time
from typing import Callable

from kivy.app import App
from kivy.uix.widget import Widget

TAPS, WITHIN_S = 5, 3.0
ENTRY_SCREENS = ("attract", "out_of_service")


class TapSequence:
    """True on the `count`-th tap within `within_s` seconds."""

    def __init__(self, count: int = TAPS, within_s: float = WITHIN_S,
                 clock: Callable[[], float] = time.monotonic):
        self.count, self.within_s, self.clock = count, within_s, clock
        self._times: list[float] = []

    def tap(self) -> bool:
        now = self.clock()
        self._times = [t for t in self._times if now - t <= self.within_s] + [now]
        if len(self._times) < self.count:
            return False
        self._times = []
        return True


class MaintenanceCorner(Widget):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.taps = TapSequence()

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        app = App.get_running_app()
        if app.manager.current in ENTRY_SCREENS and self.taps.tap():
            app.controller.journey("maintenance").open_pin()
            return True
        return False  # the title under the corner may still see the touch
