"""The kiosk controller: sessions, device events, background work, idle warnings, speech.

No Kivy here. The App gives the controller a `KioskUI` (navigate, busy overlay, messages,
idle warning, reset screens) and a way to run a function on the main thread; network and
printer work runs on a worker pool and its result comes back through that. Results that
arrive after the session ended are dropped (session generation check). What each journey
does lives in kiosk/journeys/.
"""
from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Protocol

from devices.idcard import CardEvent, CardInserted, CardPresented, CardReadError, CardRemoved
from devices.printer import ReceiptPrinter
from domain.i18n import N_
from domain.tokens import TokenExpired, TokenInvalid
from kiosk import journeys
from kiosk.i18n import Translator
from kiosk.journeys.maintenance import MAINTENANCE_IDLE_S
from kiosk.journeys.presence_policy import PresencePolicy
from kiosk.session import Session
from kiosk.ui.screen_names import Screen
from kiosk.voice import VoiceGuide
from services.api import BackofficeClient, BackofficeError, BackofficeUnavailable

log = logging.getLogger(__name__)


class KioskUI(Protocol):
    def navigate(self, screen: str) -> None: ...
    def current_screen(self) -> str: ...
    def show_busy(self, message: str | None) -> None: ...
    def show_message(self, title: str, body: str, back_to: str) -> None:
        """Title and body are message ids; the screen translates them (and re-translates
        them on a language switch)."""
    def show_toast(self, message: str) -> None: ...
    def show_idle_warning(self, seconds_left: int | None) -> None: ...
    def reset_screens(self) -> None: ...
    def set_elder_mode(self, on: bool) -> None: ...


# Message ids a citizen may see. Each says what happened, what was kept, what to do.
MSG_OFFLINE = N_(
    "The county service cannot be reached right now. Nothing you entered is lost. "
    "Please try again in a few minutes, or call 12345."
)
MSG_ELDER_ON = N_("Elder mode is on: larger text and slower speech.")
MSG_ELDER_OFF = N_("Standard mode is on.")
MSG_REFUSED = N_("The county service could not answer this request. Please try again, or call 12345.")
MSG_CODE_INVALID = N_("This code is not valid. Please scan a code printed or sent by the county service.")
MSG_CODE_EXPIRED = N_("This code has expired. Please book again or ask at the service centre.")
MSG_RECEIPT_CODE_EXPIRED = N_("This receipt's code has expired. Check your progress with your ID card, "
                              "or ask at the service centre.")
MSG_IDLE = N_("Do you need more time? Tap Continue.")
MSG_GOODBYE = N_("Thank you. Please take your card and your papers.")
MSG_MAINTENANCE_ENDED = N_("Maintenance mode has ended.")


class KioskController:
    def __init__(self, *, session: Session, api: BackofficeClient, printer: ReceiptPrinter,
                 translator: Translator, terminal_id: str, idle_timeout_s: float,
                 font_path: Path, call_on_main: Callable[[Callable[[], None]], None],
                 idle_warning_s: float = 30, devices: Any = None, verifier: Any = None,
                 presence_policy: PresencePolicy | None = None):
        self.session = session
        self.api = api
        self.printer = printer
        self.translator = translator
        self.terminal_id = terminal_id
        self.idle_timeout_s = idle_timeout_s
        self.idle_warning_s = idle_warning_s
        self.font_path = font_path
        self.devices = devices
        self.verifier = verifier  # services.qrtokens.QrVerifier, or None until the key is known
        self.presence_policy = presence_policy or PresencePolicy()  # how each journey asks who is at the glass
        # Set by the app (kiosk/offline.py): submissions, ratings and check-ins go through them.
        self.outbox = None
        self.outbox_sender = None
        self.catalogue = None  # services.catalogue_cache.CatalogueCache: guides served offline too
        # The provincial e-licence library, asked for the applicant's own licences when an
        # application needs one: `licence_for(document_number, type_code)` -> an identifier
        # or "". None where the kiosk reaches none (the citizen then brings the paper); the
        # demo's stands in for it (kiosk/demo.py).
        self.licence_library = None
        self._call_on_main = call_on_main
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk-io")
        self._warning_up = False
        self.elder_mode = False
        self.voice = VoiceGuide(self)  # echo, repeat, volume, reading aloud
        self.ui: KioskUI | None = None
        self.journeys = {cls.name: cls(self) for cls in journeys.discover()}

    def attach(self, ui: KioskUI) -> None:
        self.ui = ui

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def journey(self, name: str):
        return self.journeys[name]

    def back_from(self, screen: str) -> bool:
        """Back from a screen whose journey has a fixed way back; False when none has."""
        owner = next((j for j in self.journeys.values() if screen in j.BACK), None)
        if owner is None:
            return False
        owner.back_from(screen)
        return True

    # --- device events (called on the main thread) ---------------------------------------
    def on_card_event(self, event: CardEvent) -> None:
        if isinstance(event, CardPresented) and self.journey("maintenance").card_may_enter():
            self.journey("maintenance").check_card(event)  # a staff card, or a card for the citizen error
            return
        if not self.citizens_served():
            self.journey("maintenance").on_card_event(event)
            return
        if isinstance(event, CardInserted):
            waiting, self.session.resume_after_identify = self.session.resume_after_identify, ""
            if self.session.active and waiting:
                self.session.identify(event.identity)
                self.journey(waiting).identified()
                return
            self.session.start(event.identity)
            log.info("session started", extra={"document": event.identity.kind.value})
            self.ui.navigate(Screen.HOME)
        elif isinstance(event, CardRemoved):
            if self.session.active and self.session.identified_by_card:
                self.finish("card_removed")
        elif isinstance(event, CardReadError):
            self.ui.show_message(N_("Card not read"), event.reason,
                                 back_to=self.ui.current_screen() if self.session.active else "attract")

    def on_code_scanned(self, text: str | None) -> None:
        """A scanned QR code: verified offline, then handed to the journey for its kind."""
        if not self.citizens_served():
            self.journey("maintenance").on_code_scanned(text)
            return
        self.session.begin()
        if self.verifier is None or text is None:
            self.ui.show_message(N_("Code not recognised"), MSG_CODE_INVALID, back_to=Screen.ATTRACT)
            return
        try:
            token = self.verifier.verify(text)
        except TokenExpired as exc:
            said = MSG_RECEIPT_CODE_EXPIRED if exc.kind == "case" else MSG_CODE_EXPIRED
            self.ui.show_message(N_("Code expired"), said, back_to=Screen.ATTRACT)
            return
        except TokenInvalid as exc:
            log.warning("scanned code refused", extra={"reason": str(exc)})
            self.ui.show_message(N_("Code not recognised"), MSG_CODE_INVALID, back_to=Screen.ATTRACT)
            return
        for journey in self.journeys.values():
            if token.kind in journey.handles_tokens:
                journey.on_token(token, text)
                return
        self.ui.show_message(N_("Code not recognised"), MSG_CODE_INVALID, back_to=Screen.ATTRACT)

    # --- maintenance mode (kiosk/journeys/maintenance.py) -----------------------------------
    def citizens_served(self) -> bool:
        """False while the kiosk is out of service or staff are in maintenance mode: cards
        and scanned codes then start no citizen journey and go to maintenance instead."""
        return self.journey("maintenance").citizens_served()

    def staff_visit(self) -> bool:
        """A maintenance visit is no citizen's session: no Finish, no "more time?" warning."""
        return self.journey("maintenance").visit is not None

    # --- session lifetime ------------------------------------------------------------------
    def user_activity(self) -> None:
        if self.session.active:
            self.session.touch()

    def check_idle(self, timeout_s: float | None = None) -> None:
        """Called every second. Past the idle timeout a warning counts down (spoken once);
        any touch dismisses it; at zero the session ends."""
        if not self.session.active:
            self._dismiss_warning()
            return
        if self.staff_visit():  # staff get no countdown: their own timeout ends the visit
            self._dismiss_warning()
            if self.session.idle_seconds() >= MAINTENANCE_IDLE_S:
                self.finish("maintenance_idle_timeout")
            return
        timeout = timeout_s or self.idle_timeout_s
        idle = self.session.idle_seconds()
        if idle < timeout:
            self._dismiss_warning()
            return
        remaining = timeout + self.idle_warning_s - idle
        if remaining <= 0:
            self.finish("idle_timeout")
            return
        if not self._warning_up:
            self._warning_up = True
            self.say(MSG_IDLE)
        self.ui.show_idle_warning(math.ceil(remaining))

    def _dismiss_warning(self) -> None:
        if self._warning_up:
            self._warning_up = False
            self.ui.show_idle_warning(None)

    def keep_going(self) -> None:
        """The warning's Continue button."""
        self.user_activity()
        self._dismiss_warning()

    def finish(self, reason: str) -> None:
        log.info("session ended", extra={"reason": reason})
        staff = self.journey("maintenance").visit is not None  # a maintenance visit, not a citizen's
        if self.session.grant:
            self._end_grant(self.session.grant, reason)
        self.session.wipe()
        for journey in self.journeys.values():
            journey.reset()
        self._dismiss_warning()
        # Top priority: cuts in on anything still queued for the previous citizen.
        self.say(MSG_MAINTENANCE_ENDED if staff else MSG_GOODBYE, priority=10)
        self.voice.reset()
        if self.devices is not None and getattr(self.devices, "scanner", None) is not None:
            self.devices.scanner.reset_session()
        self.ui.show_busy(None)
        if self.elder_mode:  # the next citizen starts from the standard screens
            self.set_elder_mode(False)
        self.translator.switch(self.translator.default_language)  # and in the kiosk's language (after goodbye)
        self.ui.reset_screens()
        self.ui.navigate(Screen.ATTRACT)

    def _end_grant(self, grant: str, reason: str) -> None:
        """Tells the back office the citizen's grant opens nothing more (off the UI thread;
        unanswered, it still expires by itself within minutes)."""
        why = {"card_removed": "card_removed", "idle_timeout": "timeout", "finish_tapped": "finish",
               "done": "finish"}.get(reason, "other")

        def end() -> None:
            try:
                self.api.end_grant(grant, why)
            except BackofficeError:
                log.info("presence grant not ended at the back office; it expires by itself")

        self._pool.submit(end)

    def toggle_elder_mode(self) -> None:
        """The top bar's 长辈模式 switch: larger text and targets, slower speech, for the
        rest of this citizen's visit (a visit that starts with this tap, like any first touch)."""
        self.session.begin()
        self.set_elder_mode(not self.elder_mode)
        self.say(MSG_ELDER_ON if self.elder_mode else MSG_ELDER_OFF, priority=5)
        self.user_activity()

    def set_elder_mode(self, on: bool) -> None:
        self.elder_mode = on
        speech = getattr(self.devices, "speech", None) if self.devices is not None else None
        if speech is not None:
            speech.elder_mode = on
        self.ui.set_elder_mode(on)

    def toggle_language(self) -> None:
        """The top bar's language switch: for the rest of this citizen's visit (a visit that
        starts with this tap, like any first touch, so its end puts the kiosk's own back)."""
        self.session.begin()
        self.translator.toggle()
        self.user_activity()

    # --- speech ----------------------------------------------------------------------------
    def say(self, message: str, priority: int = 0, **values) -> None:
        """Speak a message id in the current language (newer speech interrupts older)."""
        self.voice.remember(message, priority, values)
        text = self._(message).format(**values) if values else self._(message)
        self.voice.speak(text, priority, cache=not values)

    # --- plumbing ---------------------------------------------------------------------------
    def _(self, message: str) -> str:
        return self.translator.gettext(message)

    def in_background(self, work: Callable[[], Any], done: Callable[[Any], None], back_to: str,
                      busy: str | None = None) -> None:
        """Run `work` off the main thread; `done(result)` on it, unless the session ended."""
        if busy:
            self.ui.show_busy(self._(busy))
        generation = self.session.generation

        def deliver(fn: Callable[[], None]) -> None:
            def on_main() -> None:
                if generation == self.session.generation:  # else the session ended meanwhile
                    if busy:
                        self.ui.show_busy(None)
                    fn()
            self._call_on_main(on_main)

        def run() -> None:
            try:
                value = work()
            except BackofficeError as exc:
                log.warning("back office request failed", extra={"error": type(exc).__name__})
                deliver(lambda error=exc: self.failed(error, back_to))
                return
            except Exception as exc:  # a bug must still leave the citizen a way out
                log.exception("background task failed")
                deliver(lambda error=exc: self.failed(error, back_to))
                return
            deliver(lambda: done(value))

        self._pool.submit(run)

    def for_this_session(self, fn: Callable[..., None]) -> Callable[..., None]:
        """`fn` made callable from any thread: it runs on the main thread, and only while
        the session it was made in lasts (a device thread's stream of results)."""
        generation = self.session.generation

        def call(*args) -> None:
            def on_main() -> None:
                if generation == self.session.generation:
                    fn(*args)
            self._call_on_main(on_main)
        return call

    def failed(self, exc: Exception, back_to: str) -> None:
        self.ui.show_busy(None)
        if isinstance(exc, BackofficeUnavailable):
            self.ui.show_message(N_("Service unavailable"), MSG_OFFLINE, back_to=back_to)
        else:
            self.ui.show_message(N_("Something went wrong"), MSG_REFUSED, back_to=back_to)
