"""Attract screen: what a passer-by sees, in Chinese with an English switch; a card starts
a session."""
from __future__ import annotations

import datetime as dt

from kivy.clock import Clock
from kivy.properties import StringProperty

from .base import KioskScreen

CST = dt.timezone(dt.timedelta(hours=8))


class AttractScreen(KioskScreen):
    clock_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._tick()
        Clock.schedule_interval(lambda _dt: self._tick(), 1)

    def _tick(self) -> None:
        self.clock_text = dt.datetime.now(CST).strftime("%Y-%m-%d  %H:%M")
