"""Maintenance mode, first screen: the staff PIN on the digit keypad.

What is typed shows as dots and is never spoken; the keypad is emptied the moment Enter is
tapped, and the PIN is checked off the UI thread (scrypt). The outcome stays on the page:
tries left, or until when PIN entry is locked."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .keypad import Keypad
from .maintenance_page import MaintenancePage

PIN_MIN, PIN_MAX = 6, 12  # kiosk/maintenance/access.py: PIN_PATTERN
TYPED, UNTYPED = "●", "○"


class MaintenancePinScreen(MaintenancePage):
    screen_name = Screen.MAINTENANCE_PIN
    spoken_prompt = N_("Staff only: enter the maintenance PIN.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad: Keypad | None = None
        self.dots = self.notice = None

    def refresh(self) -> None:
        visit = self.fresh_state()
        self.keypad = self.dots = self.notice = None
        if visit is None:
            return
        self.ids.heading.text = self._(N_("Maintenance mode"))
        self.ids.hint.text = self._(self.spoken_prompt)
        self.dots = self.text("", size="title", bold=True, color=theme.PRIMARY)
        self.dots.halign = "center"
        if visit.pin_notice is not None:
            self.notice = self.text(visit.pin_notice.text(self._),
                                    color=theme.PRIMARY if visit.pin_notice.ok else theme.WARNING)
        # kiosk/voice.py reads pressed keys back: never a PIN's digits, not even "Entered"
        self.keypad = Keypad("digits", translate=self._, on_change=self._typed, max_length=PIN_MAX, echo="silent")
        self.ids.fixed.add_widget(self.keypad)
        self.button(self._(N_("Enter")), self._submit, key="enter")
        self._typed("")

    def _typed(self, value: str) -> None:
        # Dots up to the shortest PIN, so staff see how many digits are still due.
        self.dots.text = TYPED * len(value) + UNTYPED * max(PIN_MIN - len(value), 0)
        self.buttons["enter"].disabled = len(value) < PIN_MIN

    def _submit(self) -> None:
        pin = self.keypad.value
        self.keypad.value = ""
        self._typed("")
        self.flow.try_pin(pin)

    def go_back(self) -> None:
        self.flow.leave()
