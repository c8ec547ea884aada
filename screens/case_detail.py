"""One case: status, department, promised date and the timeline; print a progress slip."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from .base import KioskScreen


class TimelineRow(BoxLayout):
    heading = StringProperty("")
    detail = StringProperty("")
    current = BooleanProperty(False)


class CaseDetailScreen(KioskScreen):
    def refresh(self) -> None:
        case = self.session.current_case
        timeline = self.ids.timeline
        timeline.clear_widgets()
        if case is None:
            self.reset()
            return
        self.ids.item_name.text = case.item_name
        lines = [
            self._("Case number: {number}").format(number=case.number),
            self._("Status: {status}").format(status=self._(case.status.label)),
            self._("Department: {department}").format(department=case.department),
        ]
        if case.promised_date:
            lines.append(self._("Promised by: {date}").format(date=case.promised_date.isoformat()))
        self.ids.summary.text = "\n".join(lines)
        # Newest first: what matters most to the citizen is where the case is now.
        entries = list(reversed(case.timeline))
        for index, entry in enumerate(entries):
            detail = entry.department + (f"\n{entry.note}" if entry.note else "")
            timeline.add_widget(TimelineRow(
                heading=f"{entry.at:%Y-%m-%d %H:%M}  {self._(entry.status.label)}",
                detail=detail,
                current=index == 0,
            ))

    def reset(self) -> None:
        self.ids.timeline.clear_widgets()
        self.ids.item_name.text = ""
        self.ids.summary.text = ""
