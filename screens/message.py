"""A calm message: what happened, what was kept, what to do; one way back."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class MessageScreen(KioskScreen):
    screen_name = Screen.MESSAGE
    title = StringProperty("")
    body = StringProperty("")
    back_to = StringProperty("attract")

    def on_enter(self, *_args):
        if self.body:  # what happened, what was kept, what to do: spoken as well as shown
            self.controller.say(self.body)

    def reset(self) -> None:
        self.title = ""
        self.body = ""
        self.back_to = "attract"
