"""What citizens see instead of the attract screen while the kiosk is out of service:
that it is, and where else to go, in the screen's language. Nothing here starts a
journey; only the hidden maintenance corner still answers."""
from __future__ import annotations

from kivy.properties import StringProperty

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class OutOfServiceScreen(KioskScreen):
    screen_name = Screen.OUT_OF_SERVICE
    spoken_prompt = N_("This kiosk is out of service. Please go to the county service centre, or call 12345.")
    where_else = StringProperty("")

    def refresh(self) -> None:
        service = self.journey("maintenance").service
        self.where_else = service.where_else_for(self.controller.translator.language)
