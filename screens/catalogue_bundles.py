""""一件事" bundles: one life event, several items and departments, submitted once."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage


class CatalogueBundlesScreen(JourneyPage):
    screen_name = Screen.CATALOGUE_BUNDLES
    journey_name = "catalogue"
    spoken_prompt = N_("One application covers several services. Choose one.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None or not state.bundles:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("One event, one submission (一件事)"))
        self.ids.hint.text = self._(N_("One application covers several services. Choose one."))
        for bundle in state.bundles:
            text = flow.loc(bundle) + "\n" + self._(N_("{count} services together")).format(
                count=len(bundle.get("items", [])))
            row = self.button(text, lambda code=bundle["code"]: flow.open_bundle(code), key=bundle["code"],
                              secondary=True, parent=self.ids.body)
            row.height = self.style.target_dp + 40
            row.font_size = f"{self.style.body_sp}sp"
