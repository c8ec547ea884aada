"""Service guides, first page: the seven comprehensive windows, search, "一件事" bundles."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage


class CatalogueScreen(JourneyPage):
    screen_name = Screen.CATALOGUE
    journey_name = "catalogue"
    spoken_prompt = N_("Choose a window, or search for a service.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None or not state.windows:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("Service guides"))
        self.ids.hint.text = self._(N_("Choose a window, or search for a service."))
        self.button(self._(N_("Search by pinyin initials or English")), flow.open_search, key="search",
                    parent=self.ids.body)
        for window in state.windows:
            self.button(flow.loc(window), lambda code=window["code"]: flow.open_window(code),
                        key=window["code"], secondary=True, parent=self.ids.body)
        if state.bundles:
            self.button(self._(N_("One event, one submission (一件事)")), flow.open_bundles, key="bundles",
                        parent=self.ids.body)
