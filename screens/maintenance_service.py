"""Maintenance mode: taking the kiosk out of service. Staff choose the reason (kept for the
audit and shown to staff) and see what citizens will be told instead of the start screen,
in each screen language; nothing changes until they confirm."""
from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.gridlayout import GridLayout

from domain.i18n import N_
from kiosk.journeys.maintenance import MSG_SERVICE_FORM, REASONS
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .maintenance_page import MaintenancePage

SCREENS_IN = {"zh_CN": N_("On Chinese screens:"), "en": N_("On English screens:")}


class MaintenanceServiceScreen(MaintenancePage):
    screen_name = Screen.MAINTENANCE_SERVICE

    def refresh(self) -> None:
        visit = self.granted_visit()
        if visit is None:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("Take the kiosk out of service"))
        self.ids.hint.text = self._(MSG_SERVICE_FORM)
        reasons = GridLayout(cols=2, spacing=dp(16), size_hint_y=None)  # two a row: the message stays in view
        reasons.bind(minimum_height=reasons.setter("height"))
        self.ids.body.add_widget(reasons)
        for reason in REASONS:
            self.button(self._(reason), lambda chosen=reason: flow.choose_reason(chosen), key=reason,
                        secondary=reason != visit.reason, parent=reasons)
        card = self.card()
        self.text(self._(N_("Citizens will read:")), parent=card, bold=True, color=theme.PRIMARY)
        for language, text in flow.where_else().items():
            self.text(self._(SCREENS_IN.get(language, language)), parent=card, size="small", bold=True)
            self.text(text, parent=card, size="small").quoted = True  # as citizens read it, in that language
        self.button(self._(N_("Take out of service now")), flow.take_out_of_service, key="confirm",
                    disabled=visit.reason is None)
