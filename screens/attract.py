"""Attract screen: what a passer-by sees, in Chinese with an English switch; a card starts
a session."""
from __future__ import annotations

import datetime as dt

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import StringProperty

from domain.county import CST
from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class AttractScreen(KioskScreen):
    screen_name = Screen.ATTRACT
    clock_text = StringProperty("")

    spoken_prompt = "Please place your ID card on the reader"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._tick()
        Clock.schedule_interval(lambda _dt: self._tick(), 1)

    def refresh(self) -> None:
        """One big button per journey that starts from here (办事, 查询, 取件, 预约签到, ...).

        Built once; later refreshes only relabel them, so returning here after every session
        does not re-create (and re-render) the buttons."""
        grid = self.ids.actions
        if not grid.children:
            journeys = sorted((j for j in self.controller.journeys.values() if j.attract_action),
                              key=lambda j: j.attract_action)
            for journey in journeys:
                button = Factory.KioskButton()
                button.journey_name = journey.name
                button.bind(on_release=lambda b: self.controller.journey(b.journey_name).start())
                grid.add_widget(button)
        for button in grid.children:
            button.text = self._(self.controller.journey(button.journey_name).attract_action[1])

    def _tick(self) -> None:
        self.clock_text = dt.datetime.now(CST).strftime("%Y-%m-%d  %H:%M")
