"""After the face check could not confirm it (or could not be done): the texted code and
the staffed window, said without blame."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage


class FaceOtherWaysScreen(JourneyPage):
    screen_name = Screen.FACE_OTHER_WAYS
    journey_name = "face"

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        self.ids.heading.text = self._(N_("Another way to confirm it is you"))
        self.text(self._(state.other_ways_reason), size="heading")
        self.button(self._(N_("Text me a code")), self.flow.use_code, key="code")
        self.button(self._(N_("Ask at the staffed window")), self.flow.ask_at_the_window, key="window",
                    secondary=True)

    def go_back(self) -> None:
        self.flow.back()
