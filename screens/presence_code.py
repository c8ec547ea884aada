"""本人核验: the six-digit code the back office texted to the citizen's phone, typed on the
big digit keypad (read back only through the handset), with a new code after a minute and
the way elsewhere for a citizen without their phone. With no number on file the page first
asks for one (the carriers confirm it is the citizen's before a code goes to it)."""
from __future__ import annotations

from kivy.clock import Clock

from domain.i18n import N_
from kiosk.journeys.presence import CODE_LENGTH, MSG_PHONE_NEEDED, MSG_SENT
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage
from .keypad import Keypad

TYPED_GAP = "_"
PHONE_LENGTH = 11
MSG_NO_PHONE = N_("No phone with you? The service centre's staffed window or the 12345 hotline can help.")


class PresenceCodeScreen(JourneyPage):
    screen_name = Screen.PRESENCE_CODE
    journey_name = "presence"
    spoken_prompt = N_("Type the 6-digit code we sent to your phone.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad: Keypad | None = None
        self.digits = None
        self._resend_event = None
        self.asking_phone = False
        self.length = CODE_LENGTH

    def refresh(self) -> None:
        state = self.fresh_state()
        self.keypad = self.digits = None
        self._cancel_resend()
        if state is None:
            return
        self.ids.heading.text = self._(N_("Confirm it is you"))
        self.ids.hint.text = self._(MSG_NO_PHONE)
        self.asking_phone = state.phone_needed
        self.length = PHONE_LENGTH if self.asking_phone else CODE_LENGTH
        prompt = self._(MSG_PHONE_NEEDED) if self.asking_phone else self._(MSG_SENT).format(phone=state.phone_masked)
        self.text(prompt, size="heading")
        notice = self.flow.notice_text()
        if notice:
            self.text(notice, color=theme.WARNING)
        self.digits = self.text("", size="title", bold=True, color=theme.PRIMARY)
        self.digits.halign = "center"
        self.keypad = Keypad("digits", translate=self._, on_change=self._typed, max_length=self.length)
        self.ids.fixed.add_widget(self.keypad)
        if self.asking_phone:
            self.button(self._(N_("Send me a code")), self._submit, key="confirm")
            self._typed("")
            return
        self.button(self._(N_("Confirm")), self._submit, key="confirm")
        wait = self.flow.resend_in()
        self.button(self._(N_("Send a new code")), self.flow.send_code, key="resend", secondary=True,
                    disabled=wait > 0)
        if wait > 0:  # a new code after a minute: the button comes alive then
            self._resend_event = Clock.schedule_once(self._allow_resend, wait)
        self._typed("")

    def _allow_resend(self, _dt) -> None:
        self._resend_event = None
        if "resend" in self.buttons:
            self.buttons["resend"].disabled = False

    def _cancel_resend(self) -> None:
        if self._resend_event is not None:
            self._resend_event.cancel()
            self._resend_event = None

    def _typed(self, value: str) -> None:
        shown = value.ljust(self.length, TYPED_GAP)
        # A phone number in the groups people say it in (138 0756 1234), a code digit by digit.
        self.digits.text = (f"{shown[:3]} {shown[3:7]} {shown[7:]}" if self.asking_phone else " ".join(shown))
        self.buttons["confirm"].disabled = len(value) < self.length

    def _submit(self) -> None:
        typed = self.keypad.value
        self.keypad.value = ""
        if self.asking_phone:
            self.flow.send_code(phone=typed)
        else:
            self.flow.check_code(typed)

    def go_back(self) -> None:
        self.flow.back()

    def reset(self) -> None:
        self._cancel_resend()
        super().reset()
