"""Home: who is identified (masked) and what they can do."""
from __future__ import annotations

from .base import KioskScreen


class HomeScreen(KioskScreen):
    screen_name = "home"
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
