"""One case: status, department, promised date and the timeline; print a progress slip."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from domain.receipts import DATE_TO_BE_CONFIRMED
from kiosk.ui.screen_names import Screen

from .base import KioskScreen

LIGHT_WORDS = {
    "green": "On time",
    "yellow": "Due within 2 working days",
    "red": "Overdue: the county is following it up",
}
NEXT_STEP_WORDS = {
    "correct": "What you need to do: supply these corrections",
    "supply_deferred": "What you need to do: supply the materials you promised",
    "collect": "Your result is ready to collect",
}


class TimelineRow(BoxLayout):
    heading = StringProperty("")
    detail = StringProperty("")
    current = BooleanProperty(False)


class CaseDetailScreen(KioskScreen):
    screen_name = Screen.CASE
    def refresh(self) -> None:
        case = self.session.current_case
        timeline = self.ids.timeline
        timeline.clear_widgets()
        if case is None:
            self.reset()
            return
        language = self.controller.translator.language
        self.ids.item_name.text = case.item_name_in(language)
        lines = [
            self._("Case number: {number}").format(number=case.number),
            self._("Status: {status}").format(status=self._(case.status.label)),
            self._("Department: {department}").format(department=case.department_in(language)),
        ]
        if case.promised_date:
            lines.append(self._("Promised by: {date}").format(date=case.promised_date.isoformat()))
        elif not case.status.is_closed:  # the calendar for that year is not imported yet
            lines.append(self._("Promised by: {date}").format(date=self._(DATE_TO_BE_CONFIRMED)))
        if case.light in LIGHT_WORDS:  # words, not only a colour
            lines.append(self._(LIGHT_WORDS[case.light]))
        self.ids.summary.text = "\n".join(lines)
        self.ids.next_step.text = self._next_step_text(case, language)
        self.ids.shipment.text = self._shipment_text(case)
        # Newest first: what matters most to the citizen is where the case is now.
        entries = list(reversed(case.timeline))
        for index, entry in enumerate(entries):
            note = entry.note_in(language)
            detail = entry.department_in(language) + (f"\n{note}" if note else "")
            timeline.add_widget(TimelineRow(
                heading=f"{entry.at:%Y-%m-%d %H:%M}  {self._(entry.status.label)}",
                detail=detail,
                current=index == 0,
            ))

    def _shipment_text(self, case) -> str:
        """A result by post: where to (masked), the waybill, the newest tracking step first."""
        lines = []
        if case.delivery_method == "post" and case.delivery_address_masked:
            lines.append(self._("Post to: {address}").format(address=case.delivery_address_masked))
        shipment = case.shipment
        if shipment is not None:
            lines.append(self._("Waybill: {courier} {waybill}").format(courier=shipment.courier.upper(),
                                                                      waybill=shipment.waybill))
            for step in reversed(shipment.steps):
                lines.append(f"{step.at:%m-%d %H:%M}  {self._(step.label)}  {step.place}".rstrip())
        return "\n".join(lines)

    def _next_step_text(self, case, language: str) -> str:
        step = case.next_step
        if step is None:
            return ""
        heading = self._(NEXT_STEP_WORDS.get(step.action, ""))
        due = self._("By {date}").format(date=step.due.isoformat()) if step.due else ""
        return "\n".join(part for part in (heading, *step.items_in(language), due) if part)

    def reset(self) -> None:
        self.ids.next_step.text = ""
        self.ids.shipment.text = ""
        self.ids.timeline.clear_widgets()
        self.ids.item_name.text = ""
        self.ids.summary.text = ""
