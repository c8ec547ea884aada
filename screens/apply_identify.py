"""Self-submit needs to know who applies: place the ID card (the journey goes on by itself)."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage


class ApplyIdentifyScreen(JourneyPage):
    screen_name = Screen.APPLY_IDENTIFY
    journey_name = "apply"
    spoken_prompt = N_("To apply, place your ID card on the reader.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        self.ids.heading.text = self._(N_("Apply: {item}")).format(item=self.flow.title())
        card = self.card()
        self.text(self._(N_("To apply, place your ID card on the reader.")), parent=card, size="heading")
        self.text(self._(N_("Your details are read from the card, so you type less. "
                            "They are used only for this application.")), parent=card, color=theme.TEXT_MUTED)

    def go_back(self) -> None:
        self.flow.cancel_identify()
