"""Maintenance mode: restart or exit, asked once more before the app stops. Restart ends
the app with the exit code its supervisor answers by starting it again; exit stops it and
leaves the desktop (kiosk/journeys/maintenance.py)."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.journeys.maintenance import STOP_QUESTIONS
from kiosk.ui.screen_names import Screen

from .maintenance_page import MaintenancePage


class MaintenanceConfirmScreen(MaintenancePage):
    screen_name = Screen.MAINTENANCE_CONFIRM

    def refresh(self) -> None:
        visit = self.granted_visit()
        if visit is None or visit.confirming not in STOP_QUESTIONS:
            return
        heading, body, confirm = STOP_QUESTIONS[visit.confirming]
        self.ids.heading.text = self._(heading)
        self.text(self._(body))
        self.button(self._(confirm), self.flow.confirm_stop, key="confirm")
        self.ids.back.text = self._(N_("Cancel"))

    def go_back(self) -> None:
        self.flow.cancel_stop()
