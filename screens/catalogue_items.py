"""The items of a window, or the results of a search; a person / company filter; items
that cannot be done at a kiosk say so before they are opened."""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage

AUDIENCES = (("", N_("Everyone")), ("person", N_("For individuals")), ("company", N_("For companies")))


class CatalogueItemsScreen(JourneyPage):
    screen_name = Screen.CATALOGUE_ITEMS
    journey_name = "catalogue"
    spoken_prompt = N_("Choose a service to read its guide.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None or state.items is None:
            return
        flow = self.flow
        if state.query:
            self.ids.heading.text = self._(N_("Results for “{query}”")).format(query=state.query.upper())
        else:
            self.ids.heading.text = flow.loc(flow.window(state.window))
        items = state.items
        self.ids.hint.text = self._(N_("{count} services. Tap one to read its guide.")).format(count=len(items))
        filters = BoxLayout(spacing=12, size_hint_y=None, height=self.style.target_dp)
        chosen = state.audience
        for audience, label in AUDIENCES:
            selected = audience == chosen
            text = ("● " if selected else "") + self._(label)
            self.button(text, lambda a=audience: flow.set_audience(a), key=f"audience:{audience}",
                        secondary=not selected, parent=filters)
        self.ids.fixed.add_widget(filters)
        if not items:
            self.text(self._(N_("No service matches. Try other letters, or choose a window.")))
        for item in items:
            text = flow.loc(item)
            if not item.get("kiosk"):
                text += "\n" + self._(N_("Not at this kiosk: the guide says where to go"))
            else:
                text += "\n" + self._(N_("{days} working days")).format(days=item.get("promised_days", 0))
            row = self.button(text, lambda code=item["code"]: flow.open_guide(code), key=item["code"],
                              secondary=True, parent=self.ids.body)
            row.height = self.style.target_dp + 40
            row.font_size = f"{self.style.body_sp}sp"

    def go_back(self) -> None:
        self.flow.back_from_items()
