"""Confirming it is them (本人核验): before the back office serves a citizen's cases, results
or ratings, the citizen types the six-digit code it texted to the mobile number on file.
A card read names the citizen; the code shows the person at the glass holds their phone
(backoffice/presence.py). The grant it buys stays in the session until the session ends.

A citizen who placed an ePassport whose chip can sign needs no code: the back office
sends a challenge, the reader has the chip sign it, and the back office verifies the chip
(backoffice/presence_passport.py). Should that fail, the code is sent as for anyone.

Where the presence policy (journeys/presence_policy.py) asks a face of the asking journey
and the kiosk has a face camera, the face check's consent page comes first, with the code
one tap away (journeys/face.py).

A journey that needs one calls `confirm(asker, back_to)` and goes on in its `confirmed()`;
the citizen who cannot receive a code is told where else to go."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from domain.i18n import N_
from domain.identity import DocumentKind
from kiosk.journeys import Journey
from kiosk.journeys.presence_policy import Way
from kiosk.ui.screen_names import Screen
from services.api import BackofficeError, BackofficeRefused

log = logging.getLogger(__name__)
CODE_LENGTH = 6

MSG_CHECKING_CHIP = N_("Checking your passport's chip. Please keep it on the reader…")
MSG_SENDING = N_("Sending a code to your phone…")
MSG_CHECKING = N_("Checking the code…")
MSG_SENT = N_("We sent a 6-digit code to {phone}. Type it here.")
MSG_SENT_SPOKEN = N_("We sent a 6-digit code to your phone. Type it here.")  # no digits of the number aloud
MSG_WRONG = N_("That code is not right. Tries left: {tries}.")
MSG_SPENT = N_("This code can no longer be used. Tap Send a new code.")  # enabled a minute after the last
MSG_WAIT = N_("A code was sent a moment ago. You can ask for a new one in {seconds} seconds.")
MSG_ELSEWHERE = N_(
    "Your cases can be shown only once we know it is you, and we could not send you a code here. "
    "Please go to the Chengmai County Government Service Centre on Wenhua North Road, Jinjiang Town "
    "(working days 9:00-12:00 and 14:30-17:30), or call the 12345 hotline. "
    "The QR code on a receipt shows that case's progress here without a code."
)
MSG_TOO_MANY = N_("Too many codes were asked for. Please try again later, or call the 12345 hotline.")
MSG_PHONE_NEEDED = N_(
    "We have no mobile number on file for you. Type your mobile number: we check with your "
    "carrier that it is registered to you, then text you a code.")
MSG_NOT_THEIRS = N_("Your carrier does not have this number in your name. Please check it, or use the staffed window.")
MSG_NOT_A_PHONE = N_("Please type an 11-digit mobile number.")


@dataclass
class PresenceState:
    asker: str = ""  # the journey that goes on once the citizen is confirmed
    back_to: str = Screen.HOME  # where Back and a failure lead
    challenge: str = ""
    expires_at: float = 0.0  # time.monotonic() when the code stops working
    phone_masked: str = ""
    phone_needed: bool = False  # none on file: the citizen types one (checked with the carrier)
    typed_phone: str = ""
    resend_at: float = 0.0  # time.monotonic() from when a new code may be asked for
    notice: str = ""  # a message id shown above the keypad (wrong code, spent code)
    notice_values: dict | None = None


class PresenceJourney(Journey):
    name = "presence"
    State = PresenceState
    ENTRIES = (Screen.PRESENCE_CODE,)
    FLOW = {Screen.PRESENCE_CODE: (Screen.PRESENCE_CODE,)}

    def confirm(self, asker: str, back_to: str) -> None:
        """Goes on in the `asker` journey's confirmed() once the session holds a grant."""
        if self.session.grant:
            self.kiosk.journey(asker).confirmed()
            return
        earlier = self.current_state()
        if earlier is not None and earlier.challenge and time.monotonic() < earlier.expires_at:
            earlier.asker, earlier.back_to = asker, back_to  # back again: the code sent is still good
            self.go(Screen.PRESENCE_CODE)
            return
        self.session.keep(PresenceState(asker=asker, back_to=back_to))
        if not self._prove_with_chip() and not self._offer_face():
            self.send_code()

    def _offer_face(self, chip_read: bool = False) -> bool:
        """The face check's consent page, where the presence policy asks for a face for the
        asking journey and one can be checked here (journeys/face.py); `chip_read`: a
        passport's chip was just read, so the back office may hold its proven face."""
        state = self.current_state()
        if state is None or self.kiosk.presence_policy.way(state.asker) is not Way.FACE:
            return False
        return self.kiosk.journey("face").offer(state.asker, state.back_to, chip_read=chip_read)

    def _prove_with_chip(self) -> bool:
        """Starts the chip's proof when the citizen's passport is on a reader that can ask
        its chip (the PC/SC backend); False when there is none to ask."""
        identity, sign = self.session.identity, self._chip_signer()
        if identity is None or identity.kind is not DocumentKind.PASSPORT or sign is None:
            return False
        api, ref, state = self.kiosk.api, self.session.ref, self.current_state()

        def prove():
            issued = api.passport_challenge(ref)
            evidence = sign(bytes.fromhex(str(issued["nonce"])))
            return api.prove_passport(ref, str(issued["challenge"]), evidence.sod or b"", evidence.dg1, evidence.dg15,
                                      evidence.aa_signature, dg2=evidence.dg2)

        def work():
            try:
                return prove()
            except Exception as exc:  # the chip or the back office said no: the code is the way on
                return exc

        self.kiosk.in_background(work, self._chip_answered, back_to=state.back_to if state else Screen.HOME,
                                 busy=MSG_CHECKING_CHIP)
        return True

    def _chip_signer(self):
        devices = self.kiosk.devices
        reader = getattr(devices, "idcard", None) if devices is not None else None
        return getattr(getattr(reader, "backend", None), "chip_evidence", None)

    def _chip_answered(self, answer) -> None:
        state = self.current_state()
        if state is None:
            return
        if isinstance(answer, dict):
            self.granted(str(answer["grant"]))
            return
        # The check that failed, never what the chip holds.
        log.info("passport chip not accepted", extra={"error": type(answer).__name__,
                                                      "code": getattr(answer, "code", "")})
        # A chip that proved its DG2 face can still stand behind its holder's face.
        if not self._offer_face(chip_read=True):
            self.send_code()

    def granted(self, grant: str) -> None:
        """The back office issued a grant (for a code, a chip or a face): the asking journey goes on."""
        state = self.current_state()
        if state is None:
            return
        self.session.grant = grant
        self.session.discard(PresenceState)
        self.kiosk.journey(state.asker).confirmed()

    def unreachable(self, error: BackofficeError) -> None:
        """The back office did not answer: the asking journey may have an offline way."""
        state = self.current_state()
        if state is None:
            return
        self.session.discard(PresenceState)
        self.kiosk.journey(state.asker).unconfirmed(error, state.back_to)

    def send_code(self, phone: str = "") -> None:
        """A code to the number on file; or, when none is, to `phone` (the number typed
        now; a new code goes to the same one)."""
        state, identity = self.current_state(), self.session.identity
        if state is None or identity is None:
            return
        if time.monotonic() < state.resend_at:
            return
        if phone:
            state.typed_phone = phone
        api, ref, language, typed = self.kiosk.api, self.session.ref, self.kiosk.translator.language, state.typed_phone
        self._ask(lambda: api.request_code(ref, identity.document_number, identity.name, language, phone=typed),
                  self._sent, back_to=state.back_to, busy=MSG_SENDING)

    def _sent(self, answer) -> None:
        state = self.current_state()
        if state is None:
            return
        if isinstance(answer, BackofficeRefused):
            self._refused(state, answer)
            return
        if isinstance(answer, BackofficeError):  # unreachable: the asker may have an offline way
            self.unreachable(answer)
            return
        state.challenge, state.phone_masked = str(answer["challenge"]), str(answer["phone_masked"])
        state.phone_needed = False
        now = time.monotonic()
        state.resend_at = now + int(answer.get("resend_after_s", 60))
        state.expires_at = now + int(answer.get("expires_in_s", 300)) - 5  # a margin for the trip
        state.notice, state.notice_values = "", None
        self.kiosk.say(MSG_SENT_SPOKEN)
        self.go(Screen.PRESENCE_CODE)

    def _refused(self, state: PresenceState, refusal: BackofficeRefused) -> None:
        log.info("no code sent", extra={"status": refusal.status, "code": refusal.code})
        if refusal.code == "phone_needed":  # the citizen may type a number of their own
            state.phone_needed, state.notice, state.notice_values = True, "", None
            self.kiosk.say(MSG_PHONE_NEEDED)
            self.go(Screen.PRESENCE_CODE)
        elif refusal.code == "phone_not_theirs":
            state.typed_phone = ""
            self._notice(state, MSG_NOT_THEIRS)
        elif refusal.code == "phone_invalid":
            state.typed_phone = ""
            self._notice(state, MSG_NOT_A_PHONE)
        elif refusal.code == "resend_later":
            seconds = int(refusal.extra.get("retry_after_s", 60))
            state.resend_at = time.monotonic() + seconds
            self._notice(state, MSG_WAIT, seconds=seconds)
        elif refusal.status == 429:
            self.ui.show_message(N_("Please try later"), MSG_TOO_MANY, back_to=state.back_to)
        else:  # no number on file, no SMS service, the text not sent
            self.ui.show_message(N_("We cannot confirm it is you here"), MSG_ELSEWHERE, back_to=state.back_to)

    def _notice(self, state: PresenceState, message: str, **values) -> None:
        state.notice, state.notice_values = message, values
        self.kiosk.say(message, **values)
        self.go(Screen.PRESENCE_CODE)  # shown again with the notice

    def resend_in(self) -> float:
        """Seconds until a new code may be asked for (0: now)."""
        state = self.current_state()
        return max(0.0, state.resend_at - time.monotonic()) if state is not None else 0.0

    def notice_text(self) -> str:
        state = self.current_state()
        if state is None or not state.notice:
            return ""
        text = self._(state.notice)
        return text.format(**state.notice_values) if state.notice_values else text

    def check_code(self, code: str) -> None:
        state = self.current_state()
        if state is None or not state.challenge or len(code) != CODE_LENGTH:
            return
        api, ref, challenge = self.kiosk.api, self.session.ref, state.challenge
        self._ask(lambda: api.redeem_code(ref, challenge, code), self._checked,
                  back_to=Screen.PRESENCE_CODE, busy=MSG_CHECKING)

    def _ask(self, call, then, back_to: str, busy: str) -> None:
        """call() off the UI thread, then `then` with its answer or the back office's
        refusal, which each step answers in its own words."""

        def work():
            try:
                return call()
            except BackofficeError as exc:
                return exc

        self.kiosk.in_background(work, then, back_to=back_to, busy=busy)

    def _checked(self, answer) -> None:
        state = self.current_state()
        if state is None:
            return
        if isinstance(answer, BackofficeError) and not isinstance(answer, BackofficeRefused):
            self.kiosk.failed(answer, Screen.PRESENCE_CODE)  # unreachable: the code stays to try again
            return
        if isinstance(answer, BackofficeRefused):
            if answer.status == 422 and answer.code == "wrong_code":
                self._notice(state, MSG_WRONG, tries=int(answer.extra.get("tries_left", 0)))
            else:  # expired, used, too many wrong tries: a new code once the minute is up
                state.challenge = ""
                self._notice(state, MSG_SPENT)
            return
        self.granted(str(answer["grant"]))

    def back(self) -> None:
        """Back where the asking journey was; the code sent stays good for this session."""
        state = self.current_state()
        self.ui.navigate(state.back_to if state is not None else Screen.HOME)
