"""Collect results: place a card (or a passport), the results ready to collect, confirm one,
take the printed document and, if the citizen wishes, rate the service."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui.screen_names import Screen

from .base import KioskScreen
from .cases import CaseListScreen, CaseRow


class CollectStartScreen(KioskScreen):
    screen_name = Screen.COLLECT_START
    spoken_prompt = N_("Place your ID card on the reader to collect your result.")


class CollectListScreen(CaseListScreen):
    screen_name = Screen.COLLECT_LIST
    spoken_prompt = N_("Tap the result you want to collect.")

    def fill(self, rows) -> None:
        ready = self.journey("collect").ready
        if ready:
            self.ids.heading.text = self._("Results ready to collect ({count})").format(count=len(ready))
            self.ids.empty.text = ""
        else:
            self.ids.heading.text = self._("Collect results")
            self.ids.empty.text = self._(self.journey("collect").nothing_ready())
        for case in ready:
            rows.add_widget(CaseRow.of(self, case, self._("Ready to collect"),
                                       lambda number=case.number: self.journey("collect").choose(number)))

    def reset(self) -> None:
        self.ids.rows.clear_widgets()
        self.ids.heading.text = ""
        self.ids.empty.text = ""


class CollectConfirmScreen(KioskScreen):
    screen_name = Screen.COLLECT_CONFIRM
    spoken_prompt = N_("Check that this is your result, then tap Print.")

    def refresh(self) -> None:
        case = self.session.current_case
        if case is None or not self.session.active:
            self.reset()
            return
        language = self.controller.translator.language
        self.ids.item_name.text = case.item_name_in(language)
        self.ids.summary.text = "\n".join([
            self._("Case number: {number}").format(number=case.number),
            self._("Applicant: {name}").format(name=case.applicant_masked),
            self._("Department: {department}").format(department=case.department_in(language)),
        ])
        names = self.journey("collect").document_names(case)
        self.ids.documents.text = "\n".join(
            [self._("You will receive (printed on A4):")] + [f"·\u00a0{name}" for name in names])

    def reset(self) -> None:
        self.ids.item_name.text = ""
        self.ids.summary.text = ""
        self.ids.documents.text = ""


class CollectDoneScreen(KioskScreen):
    screen_name = Screen.COLLECT_DONE
    spoken_prompt = N_("Please take your document from the printer. You can rate our service now.")

    def refresh(self) -> None:
        case = self.session.current_case
        if case is None or not self.session.active:
            self.reset()
            return
        journey = self.journey("collect")
        item = case.item_name_in(self.controller.translator.language)
        lines = [self._("{item}: collected").format(item=item)]
        if journey.delivered != case.number:
            lines.append(self._("The handover could not be recorded just now; the county will record it later."))
        self.ids.detail.text = "\n".join(lines)

    def reset(self) -> None:
        self.ids.detail.text = ""
