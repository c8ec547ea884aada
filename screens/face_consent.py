"""The face check's own consent page: what is compared, with whom, what is kept, and the
other ways, with agreeing one tap and the texted code another of the same size."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage


class FaceConsentScreen(JourneyPage):
    screen_name = Screen.FACE_CONSENT
    journey_name = "face"
    spoken_prompt = N_("You can confirm it is you with your face, or with a code texted to your phone. "
                       "Read what the face check does, then choose.")

    def refresh(self) -> None:
        if self.fresh_state() is None:
            return
        self.ids.heading.text = self._(N_("Confirm it is you with your face?"))
        self.ids.hint.text = self._(N_("Your choice: both ways open the same services."))
        for paragraph in self.flow.consent_text():
            self.text(self._(paragraph))
        self.text(self._(N_("By tapping Agree you consent to this face check, for this visit only.")),
                  color=theme.TEXT_MUTED, size="small")
        self.button(self._(N_("Agree, use my face")), self.flow.agree, key="agree")
        self.button(self._(N_("Text me a code instead")), self.flow.use_code, key="code", secondary=True)

    def go_back(self) -> None:
        self.flow.back()
