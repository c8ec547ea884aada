"""My cases: the applicant's cases from the back office, newest first; tap one for its
timeline."""
from __future__ import annotations

import datetime as dt

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from domain.county import CST
from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class CaseRow(ButtonBehavior, BoxLayout):
    number = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    status = StringProperty("")
    pressed = BooleanProperty(False)

    def on_state(self, _instance, value):
        self.pressed = value == "down"

    @classmethod
    def of(cls, screen: KioskScreen, case, status: str, on_tap) -> "CaseRow":
        """A case as a tappable row: its item in the kiosk's language, its number and the
        day it was received; `on_tap()` when tapped."""
        row = cls(number=case.number, title=case.item_name_in(screen.controller.translator.language),
                  subtitle=screen._("No. {number} · received {date}").format(
                      number=case.number, date=case.received_at.strftime("%Y-%m-%d")),
                  status=status)
        row.bind(on_release=lambda _row: on_tap())
        return row


class CaseListScreen(KioskScreen):
    """A screen of case rows (ids.rows): emptied at every refresh and filled by fill() while
    a session is active; with none, emptied by reset()."""

    def refresh(self) -> None:
        self.ids.rows.clear_widgets()
        if not self.session.active:
            self.reset()
            return
        self.fill(self.ids.rows)

    def fill(self, rows) -> None:
        """The list's heading and rows (each list says which)."""


class CasesScreen(CaseListScreen):
    screen_name = Screen.CASES

    def fill(self, rows) -> None:
        cases = self.session.cases
        total = getattr(cases, "total", len(cases))
        self.ids.heading.text = (
            self._("My cases ({count})").format(count=total) if cases
            else self._("You have no cases yet.")
        )
        for case in cases:
            rows.add_widget(CaseRow.of(self, case, self._(case.status.label),
                                       lambda number=case.number: self.journey("progress").open_case(number)))
        if total > len(cases):
            rows.add_widget(CaseRow(number="", title=self._("The newest {shown} are shown").format(shown=len(cases)),
                                    subtitle=self._("The staffed window can show the other {count}.").format(
                                        count=total - len(cases)), status=""))
        for item in self.journey("progress").kept_applications:
            rows.add_widget(self._kept_row(item))
        if not self.journey("progress").cases_online:
            self.ids.heading.text = self._("The county service cannot be reached: "
                                           "only applications kept at this kiosk are shown.")

    def _kept_row(self, item) -> CaseRow:
        """An application from a queued receipt: waiting, sent (tap for the case), or held
        for staff."""
        kept = dt.datetime.fromtimestamp(item.created_at, CST).strftime("%Y-%m-%d %H:%M")
        if item.case_number:
            status = self._("Sent: now case {number}").format(number=item.case_number)
        elif item.state == "parked":
            status = self._("Held for staff to check: please call 12345 with the reference")
        else:
            status = self._("Kept at this kiosk, waiting to be sent")
        row = CaseRow(number=item.case_number, title=self._("Reference {reference}").format(reference=item.reference),
                      subtitle=self._("Kept at this kiosk on {time}").format(time=kept), status=status)
        if item.case_number:
            row.bind(on_release=lambda r: self.journey("progress").open_case(r.number))
        return row

    def reset(self) -> None:
        self.ids.rows.clear_widgets()
        self.ids.heading.text = ""
