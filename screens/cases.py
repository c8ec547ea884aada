"""My cases: the applicant's cases from the back office, newest first; tap one for its
timeline."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from .base import KioskScreen


class CaseRow(ButtonBehavior, BoxLayout):
    number = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    status = StringProperty("")
    pressed = BooleanProperty(False)

    def on_state(self, _instance, value):
        self.pressed = value == "down"


class CasesScreen(KioskScreen):
    screen_name = "cases"
    def refresh(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        cases = self.session.cases
        if not self.session.active:
            self.reset()
            return
        self.ids.heading.text = (
            self._("My cases ({count})").format(count=len(cases)) if cases
            else self._("You have no cases yet.")
        )
        language = self.controller.translator.language
        for case in cases:
            row = CaseRow(
                number=case.number,
                title=case.item_name_in(language),
                subtitle=self._("No. {number} · received {date}").format(
                    number=case.number, date=case.received_at.strftime("%Y-%m-%d")),
                status=self._(case.status.label),
            )
            row.bind(on_release=lambda r: self.journey("progress").open_case(r.number))
            rows.add_widget(row)

    def reset(self) -> None:
        self.ids.rows.clear_widgets()
        self.ids.heading.text = ""
