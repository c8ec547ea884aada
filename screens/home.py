"""Home: who is identified (masked) and what they can do."""
from __future__ import annotations

from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class HomeScreen(KioskScreen):
    screen_name = Screen.HOME
    def refresh(self) -> None:
        identity = self.session.identity
        if identity is None:
            self.reset()
            return
        self.ids.greeting.text = self._("Hello, {name}").format(name=identity.masked_name)
        self.ids.document.text = self._("ID card {number}").format(number=identity.masked_number)

    def reset(self) -> None:
        self.ids.greeting.text = ""
        self.ids.document.text = ""
