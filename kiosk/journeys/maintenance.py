"""Maintenance mode for staff, and the out-of-service state citizens meet.

Staff get in by a hidden gesture on the attract or out-of-service screen (five taps
within 3 s on the top-left corner of the top bar: screens/maintenance_corner.py), then
the PIN (kiosk/maintenance/access.py; scrypt takes tens of ms, so it is checked off the UI
thread). A maintenance visit is a kiosk session of its own, not a citizen's: the top bar
offers no Finish and no "more time?" countdown comes up; it ends on Leave or after
MAINTENANCE_IDLE_S without a touch (kiosk/controller.py), and the session wipe takes the
granted PIN with it; results that come back later are dropped.

While staff are in, and while the kiosk is out of service, cards and scanned codes start
no citizen journey: the controller asks `citizens_served()` and hands them here (the card
and scanner tests use them). Out of service, the out-of-service notice stands in for the
attract screen (`start_screen()`); the state is kept by kiosk/maintenance/service_state.py,
so it survives a restart.

Restart and exit stop the app after a confirmation. Restart ends with EXIT_RESTART (75,
EX_TEMPFAIL: "try again"), which the kiosk's supervisor answers by starting it again
(systemd: `Restart=on-failure`, or `RestartForceExitStatus=75`); exit is a plain stop
(EXIT_STOP, 0), which a supervisor leaves stopped: the screen stays blank, with no desktop
and no terminal (technicians work over SSH with their own keys).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from devices.idcard import CardInserted, CardPresented, CardReadError
from domain.county import CST
from domain.i18n import N_
from kiosk.i18n import LANGUAGES, Translator
from kiosk.journeys import Journey
from kiosk.maintenance.access import MaintenanceAccess, Outcome, Result
from kiosk.maintenance.camera_preview import CameraPreview
from kiosk.maintenance.device_tests import TESTABLE, DeviceTest, run_test
from kiosk.maintenance.service_state import ServiceState, ServiceStateStore
from kiosk.ops.readiness import DeviceCheck, ReadinessReport, build_report, worst
from kiosk.ui.screen_names import Screen

log = logging.getLogger(__name__)

MAINTENANCE_IDLE_S = 120  # staff read and wait on devices longer than citizens do
EXIT_STOP, EXIT_RESTART = 0, 75
STAFF = "maintenance PIN"  # who, in the audit file: the PIN is shared by the county's staff

# Offered when the kiosk goes out of service ([maintenance] where_else in kiosk.toml, a
# table of language -> text, replaces it for a kiosk somewhere else).
WHERE_ELSE = N_(
    "Please go to the Chengmai County Government Service Centre on Wenhua North Road, "
    "Jinjiang Town (working days 9:00-12:00 and 14:30-17:30), or call the 12345 hotline."
)
REASONS = (
    N_("Receipt printer fault"),
    N_("Document printer fault"),
    N_("ID card reader fault"),
    N_("Scanner or camera fault"),
    N_("Network or back office down"),
    N_("Scheduled maintenance"),
)
MSG_SERVICE_FORM = N_(
    "Choose the reason. Until the kiosk is back in service, citizens see the message below "
    "instead of the start screen, and cards and codes start nothing."
)
# What stopping does, asked once more: action -> (question, what happens, confirming button).
STOP_QUESTIONS = {
    "restart": (N_("Restart the kiosk app?"),
                N_("The app stops and its supervisor starts it again within seconds. The devices "
                   "are opened again; the service state and the PIN lock are kept."),
                N_("Restart now")),
    "exit": (N_("Stop the kiosk app?"),
             N_("The app stops and stays stopped: the screen stays blank until a technician "
                "starts the app again over SSH or the machine restarts."),
             N_("Stop now")),
}
# Devices whose test ends with a real card or code from a person at the kiosk.
WAITS_FOR_INPUT = {
    "idcard": N_("Now place an ID card on the reader."),
    "scanner": N_("Now show a QR code to the scanner."),
}
SAY_SPEECH_TEST = N_("Speech test. If you can hear this, speech works.")
SCANNER_TEST_S = 60.0  # the scanner test's live view stops by itself after this long
MSG_SCANNER_NOTHING_READ = N_("Scanner test ended: no code was read.")


@dataclass(frozen=True)
class Notice:
    """Something to show staff: an English message id and its values, translated when shown."""
    message: str
    values: dict[str, Any] = field(default_factory=dict)
    ok: bool = True

    def text(self, translate: Callable[[str], str]) -> str:
        return translate(self.message).format(**self.values)


@dataclass
class Visit:
    """One maintenance visit, kept in the session (so the session wipe ends it)."""
    granted: bool = False
    pin_ok: bool = False  # the PIN was right in this visit
    card_ok: bool = False  # an enrolled maintenance card was shown in this visit
    pin_notice: Notice | None = None
    report: ReadinessReport | None = None
    tests: dict[str, Notice] = field(default_factory=dict)  # device -> its last test's outcome
    waiting_for: str | None = None  # "idcard" or "scanner": the next card or code ends its test
    reason: str | None = None  # chosen on the out-of-service form
    confirming: str | None = None  # "restart" or "exit", awaiting confirmation
    bundle: Notice | None = None  # where the last diagnostics bundle was written
    log_lines: list[str] = field(default_factory=list)  # the log's newest lines, read with the report
    codes_read: int = 0  # by the running scanner test


class MaintenanceJourney(Journey):
    name = "maintenance"
    State = Visit
    BACK = {Screen.MAINTENANCE_SERVICE: Screen.MAINTENANCE}
    ENTRIES = (Screen.MAINTENANCE, Screen.MAINTENANCE_PIN)  # a staff card or code, on any screen
    FLOW = {
        Screen.MAINTENANCE: (Screen.MAINTENANCE, Screen.MAINTENANCE_SERVICE, Screen.MAINTENANCE_CONFIRM),
        Screen.MAINTENANCE_PIN: (Screen.MAINTENANCE, Screen.MAINTENANCE_PIN),
        Screen.MAINTENANCE_SERVICE: (Screen.MAINTENANCE, Screen.MAINTENANCE_SERVICE),
        Screen.MAINTENANCE_CONFIRM: (Screen.MAINTENANCE,),
    }

    def __init__(self, controller):
        super().__init__(controller)
        self.config = None
        self.access: MaintenanceAccess | None = None
        self.store: ServiceStateStore | None = None
        self.service = ServiceState()  # in service until configure() reads the kept state
        self.stop_app: Callable[[int], None] = lambda code: None
        # The scanner test's live view: on the journey, not in the visit, so that the end
        # of the session (which wipes the visit first) still stops its thread.
        self.live: CameraPreview | None = None
        self.live_device = ""  # whose camera the live view shows: "scanner" or "face"
        self.last_frame = None  # the newest frame shown, for a page drawn again meanwhile
        self.frame_shown: Callable[[Any], None] | None = None  # the diagnostics page's image
        self.scanner_test_s = SCANNER_TEST_S

    def configure(self, config, stop_app: Callable[[int], None]) -> None:
        """The App's part: the configuration, and how to stop the app with an exit code
        (injectable, so tests check the request without stopping the shared test app)."""
        self.config = config
        self.access = MaintenanceAccess.from_config(config)
        self.store = ServiceStateStore.from_config(config)
        self.service = self.store.current()  # read once here; only this journey changes it
        self.stop_app = stop_app

    # --- who the kiosk serves ------------------------------------------------------------
    @property
    def visit(self) -> Visit | None:
        return self.session.peek(Visit) if self.session.active else None

    def citizens_served(self) -> bool:
        return self.service.in_service and self.visit is None

    def start_screen(self) -> str:
        return Screen.ATTRACT if self.service.in_service else Screen.OUT_OF_SERVICE

    def on_card_event(self, event) -> None:
        """A card while citizens are not served: it only ever completes the card test."""
        if self._waiting_for("idcard"):
            if isinstance(event, CardInserted):
                self._input_read("idcard", Notice(N_("Card read: {number}"),
                                                  {"number": event.identity.masked_number}))
            elif isinstance(event, CardReadError):
                self._input_read("idcard", Notice(N_("Card not read: {reason}"), {"reason": event.reason}, ok=False))

    def on_code_scanned(self, text: str | None) -> None:
        """A code while citizens are not served: it only ever shows in the running scanner
        test, which goes on decoding until stopped. Its content is not shown: it may be a
        citizen's receipt."""
        if not self._waiting_for("scanner"):
            return
        visit = self._granted()
        if text:
            visit.codes_read += 1
            visit.tests["scanner"] = Notice(N_("Code read: {count} characters"), {"count": len(text)})
        else:
            visit.tests["scanner"] = Notice(N_("Code seen but not read"), ok=False)
        if self.ui.current_screen() == Screen.MAINTENANCE:
            self.go(Screen.MAINTENANCE)

    # --- entering --------------------------------------------------------------------------
    def open_pin(self) -> None:
        """The hidden gesture: the PIN screen, in a session of its own that no card can take
        over. A session begun on the start screen (a tap on Elder mode) holds nothing yet."""
        if self.access is None or self.visit is not None:
            return
        self.session.wipe()
        self.session.begin()
        self.session.keep(Visit())
        self.go(Screen.MAINTENANCE_PIN)

    def card_may_enter(self) -> bool:
        """A maintenance card opens the PIN page from the start screens (attract or out of
        service), or completes a visit waiting for it on the PIN page; never in the middle
        of a citizen's session."""
        if self.access is None:
            return False
        visit = self.visit
        if visit is not None:
            return not visit.granted and self.ui.current_screen() == Screen.MAINTENANCE_PIN
        return not self.session.active

    def check_card(self, event: CardPresented) -> None:
        """The card's UID against the allowlist (scrypt: off the UI thread); every attempt
        is audited. Any other card is what it was: a card read without passport details."""
        access = self.access
        self.kiosk.in_background(lambda: access.try_card(event.uid), lambda outcome: self._card_checked(outcome, event),
                                 back_to=self.start_screen())

    def _card_checked(self, outcome: Outcome, event: CardPresented) -> None:
        if not outcome.granted:
            if self.visit is None:
                self.kiosk.on_card_event(CardReadError(event.reason))
            else:
                self.visit.pin_notice = Notice(N_("This card is not a maintenance card of this kiosk."), ok=False)
                self.go(Screen.MAINTENANCE_PIN)
            return
        visit = self.visit
        if visit is None:
            self.session.wipe()
            self.session.begin()
            visit = Visit()
            self.session.keep(visit)
        visit.card_ok = True
        self._enter_when_both(visit, Notice(N_("Maintenance card recognised. Now enter the PIN."), ok=True))

    def try_pin(self, pin: str) -> None:
        access = self.access
        self.kiosk.in_background(lambda: access.try_pin(pin), self._pin_checked,
                                 back_to=Screen.MAINTENANCE_PIN, busy=N_("Checking the PIN…"))

    def _pin_checked(self, outcome: Outcome) -> None:
        visit = self.visit
        if visit is None:
            return
        if not outcome.granted:
            visit.pin_notice = pin_notice(outcome)
            self.go(Screen.MAINTENANCE_PIN)
            return
        visit.pin_ok = True
        self._enter_when_both(visit, Notice(N_("PIN accepted. Now hold your maintenance card to the reader."),
                                            ok=True))

    def _enter_when_both(self, visit: Visit, waiting: Notice) -> None:
        """In once the PIN is right and, where cards are enrolled, the card was shown;
        until then the PIN page says which factor is still due."""
        card_due = self.access is not None and self.access.requires_card and not visit.card_ok
        if visit.pin_ok and not card_due:
            visit.granted, visit.pin_notice = True, None
            self.go(Screen.MAINTENANCE)
            self.refresh_report()
            return
        visit.pin_notice = waiting
        self.go(Screen.MAINTENANCE_PIN)

    def leave(self) -> None:
        self.kiosk.finish("maintenance_left")

    # --- diagnostics ---------------------------------------------------------------------
    def refresh_report(self) -> None:
        """The readiness report and the log's newest lines, both read off the UI thread."""
        devices, config = self.kiosk.devices, self.config
        self.kiosk.in_background(lambda: (build_report(devices, config), self._recent_log()),
                                 self._report_ready, back_to=Screen.MAINTENANCE, busy=N_("Checking every device…"))

    def _report_ready(self, found: tuple[ReadinessReport, list[str]]) -> None:
        visit = self._granted()
        if visit is not None:
            visit.report, visit.log_lines = found
            self.go(Screen.MAINTENANCE)

    def send_outbox_now(self) -> None:
        """Staff's "send now": every waiting item is due at once (backoff forgotten) and
        one delivery pass runs, off the UI thread; then the report is read again."""
        self._outbox_pass(lambda outbox: outbox.make_due(), N_("Sent: {sent}; still waiting: {pending}"))

    def send_held_again(self) -> None:
        """Held (parked) items back in line, after staff checked them with the help desk."""
        self._outbox_pass(lambda outbox: outbox.requeue_parked(),
                          N_("Sent: {sent}; still waiting: {pending}; held: {parked}"))

    def _outbox_pass(self, prepare: Callable[[Any], Any], message: str) -> None:
        visit = self._granted()
        outbox, sender = self.kiosk.outbox, self.kiosk.outbox_sender
        if visit is None or outbox is None:
            return
        devices, config = self.kiosk.devices, self.config
        self.access.audit.append(time.time(), "outbox_send", held_too="held" in message, by=STAFF)

        def work():
            prepare(outbox)
            sent = sender.flush()
            return sent, outbox.stats(), build_report(devices, config), self._recent_log()

        self.kiosk.in_background(work, lambda done: self._outbox_sent(message, *done), back_to=Screen.MAINTENANCE,
                                 busy=N_("Sending…"))

    def _outbox_sent(self, message: str, sent: int, stats: dict, report: ReadinessReport, log_lines) -> None:
        visit = self._granted()
        if visit is None:
            return
        visit.report, visit.log_lines = report, log_lines
        visit.tests["outbox"] = Notice(message, {"sent": sent, "pending": stats["pending"], "parked": stats["parked"]},
                                       ok=not stats["pending"] and not stats["parked"])
        self.go(Screen.MAINTENANCE)

    def export_bundle(self) -> None:
        """The diagnostics bundle for the help desk (kiosk/ops/diagnostics_bundle.py), from the
        report on screen, written under var/diagnostics off the UI thread."""
        visit = self._granted()
        if visit is None or visit.report is None:
            return
        from kiosk.diag.report import render_text
        from kiosk.ops.diagnostics_bundle import write_bundle

        report, config = visit.report, self.config
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = config.var_dir / "diagnostics" / f"kiosk-{config.terminal_id}-{stamp}.zip"
        self.kiosk.in_background(lambda: write_bundle(report, render_text(report), config, out),
                                 self._bundle_written, back_to=Screen.MAINTENANCE, busy=N_("Writing the bundle…"))

    def _bundle_written(self, path) -> None:
        visit = self._granted()
        if visit is not None:
            visit.bundle = Notice(N_("Diagnostics bundle written: {path}"), {"path": str(path)})
            self.go(Screen.MAINTENANCE)

    def _recent_log(self, lines: int = 8) -> list[str]:
        """The newest lines of the kiosk's log, short, ID and mobile numbers masked again."""
        from kiosk.ops.diagnostics_bundle import log_tail

        shown = []
        for line in log_tail(self.config.var_dir / "log" / "kiosk.jsonl", lines):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            shown.append(f"{str(entry.get('t', ''))[11:19]} {entry.get('level', '')} {entry.get('msg', '')}")
        return shown

    def can_test(self, device: str) -> bool:
        return device in TESTABLE and getattr(self.kiosk.devices, device, None) is not None

    def test_device(self, name: str) -> None:
        visit = self._granted()
        if visit is None or not self.can_test(name):
            return
        visit.waiting_for = None
        self._stop_live()  # a new test ends the scanner's running one
        device, config = getattr(self.kiosk.devices, name), self.config
        self.kiosk.in_background(
            lambda: run_test(name, device, config.terminal_id, config.var_dir, dt.datetime.now(CST)),
            lambda result: self._tested(name, result), back_to=Screen.MAINTENANCE, busy=N_("Testing…"))

    def _tested(self, name: str, result: DeviceTest) -> None:
        visit = self._granted()
        if visit is None:
            return
        visit.report = _with_check(visit.report, result.check)
        if result.passed and name in WAITS_FOR_INPUT:
            visit.waiting_for = name
            visit.tests[name] = Notice(WAITS_FOR_INPUT[name])
            if name == "scanner":
                self._watch_scanner(visit)
        elif result.passed and name == "face":
            visit.tests[name] = Notice(N_("Test passed: {detail}"), {"detail": result.detail})
            self._watch_face()
        elif result.passed:
            visit.tests[name] = Notice(N_("Test passed: {detail}"), {"detail": result.detail})
        else:
            visit.tests[name] = Notice(N_("Test failed: {detail}"), {"detail": result.detail}, ok=False)
        if name == "speech" and result.passed:
            self.kiosk.say(SAY_SPEECH_TEST)
        self.go(Screen.MAINTENANCE)

    # --- a camera test's live view --------------------------------------------------------
    def _watch_scanner(self, visit: Visit) -> None:
        """Camera frames, made off the UI thread, come back through the Clock while the test
        runs; codes read meanwhile show beside them (on_code_scanned)."""
        visit.codes_read = 0
        self._watch("scanner", self.kiosk.devices.scanner)

    def _watch_face(self) -> None:
        """The face camera's picture for the technician, for as long as the scanner's test
        runs at most; the camera opened for it and closed after."""
        camera = self.kiosk.devices.face
        camera.open()
        self._watch("face", camera)

    def _watch(self, device: str, camera) -> None:
        self._stop_live()
        live = self.live = CameraPreview(camera, self.scanner_test_s)
        self.live_device = device
        live.start(show=self.kiosk.for_this_session(lambda pixels: self._frame(live, pixels)),
                   ended=self.kiosk.for_this_session(lambda: self.stop_live_view(live)))

    def _frame(self, live: CameraPreview, pixels) -> None:
        if live is self.live:  # not a last frame of a test already stopped
            self.last_frame = pixels
            if self.frame_shown is not None:
                self.frame_shown(pixels)

    def stop_live_view(self, live: CameraPreview | None = None) -> None:
        """Staff tapped Stop, left the page, or the time ran out (`live`: that view only)."""
        if self.live is None or (live is not None and live is not self.live):
            return
        device = self.live_device
        self._stop_live()
        visit = self._granted()
        if visit is None:
            return
        if device == "scanner" and visit.waiting_for == "scanner":
            visit.waiting_for = None
            if not visit.codes_read:
                visit.tests["scanner"] = Notice(MSG_SCANNER_NOTHING_READ, ok=False)
        if self.ui.current_screen() == Screen.MAINTENANCE:
            self.go(Screen.MAINTENANCE)

    def _stop_live(self) -> None:
        if self.live is not None:
            self.live.stop()
            if self.live_device == "face":
                self.kiosk.devices.face.close()
        self.live = self.last_frame = None
        self.live_device = ""

    def reset(self) -> None:
        """The visit ended (Leave, the idle timeout): no camera thread outlives it."""
        self._stop_live()

    def _waiting_for(self, device: str) -> bool:
        visit = self._granted()
        return visit is not None and visit.waiting_for == device

    def _input_read(self, device: str, notice: Notice) -> None:
        visit = self._granted()
        visit.waiting_for = None
        visit.tests[device] = notice
        if self.ui.current_screen() == Screen.MAINTENANCE:
            self.go(Screen.MAINTENANCE)

    # --- in and out of service -----------------------------------------------------------
    def where_else(self) -> dict[str, str]:
        """What citizens are told, per screen language."""
        configured = (self.config.raw.get("maintenance", {}) if self.config else {}).get("where_else")
        if configured:
            return {str(language): str(text) for language, text in configured.items()}
        return {language: Translator(language).gettext(WHERE_ELSE) for language in LANGUAGES}

    def open_service_form(self) -> None:
        visit = self._granted()
        if visit is not None:
            visit.reason = None
            self.go(Screen.MAINTENANCE_SERVICE)

    def choose_reason(self, reason: str) -> None:
        visit = self._granted()
        if visit is not None and reason in REASONS:
            visit.reason = reason
            self.go(Screen.MAINTENANCE_SERVICE)

    def take_out_of_service(self) -> None:
        visit = self._granted()
        if visit is None or visit.reason is None:
            return
        store, reason, texts = self.store, visit.reason, self.where_else()
        self.kiosk.in_background(lambda: store.take_out_of_service(reason, texts, by=STAFF),
                                 self._service_changed, back_to=Screen.MAINTENANCE, busy=N_("Saving…"))

    def return_to_service(self) -> None:
        if self._granted() is None:
            return
        store = self.store
        self.kiosk.in_background(lambda: store.return_to_service(by=STAFF), self._service_changed,
                                 back_to=Screen.MAINTENANCE, busy=N_("Saving…"))

    def _service_changed(self, state: ServiceState) -> None:
        self.service = state
        log.info("service state changed", extra={"in_service": state.in_service})
        self.go(Screen.MAINTENANCE)

    # --- stopping the app ------------------------------------------------------------------
    def ask_to_stop(self, action: str) -> None:
        """Restart and exit are asked once more on their own screen."""
        visit = self._granted()
        if visit is not None and action in STOP_QUESTIONS:
            visit.confirming = action
            self.go(Screen.MAINTENANCE_CONFIRM)

    def cancel_stop(self) -> None:
        visit = self._granted()
        if visit is not None:
            visit.confirming = None
            self.go(Screen.MAINTENANCE)

    def confirm_stop(self) -> None:
        visit = self._granted()
        if visit is None or visit.confirming is None:
            return
        code = EXIT_RESTART if visit.confirming == "restart" else EXIT_STOP
        self.access.audit.append(time.time(), "app_stop", action=visit.confirming, exit_code=code, by=STAFF)
        log.info("app stop requested in maintenance mode", extra={"action": visit.confirming, "exit_code": code})
        self.stop_app(code)

    def _granted(self) -> Visit | None:
        """The visit, once the PIN was accepted; staff actions do nothing without one."""
        visit = self.visit
        return visit if visit is not None and visit.granted else None


def pin_notice(outcome: Outcome) -> Notice:
    if outcome.locked_until is not None:
        until = dt.datetime.fromtimestamp(outcome.locked_until, CST)
        return Notice(N_("Too many wrong PINs: PIN entry is locked until {time}."),
                      {"time": f"{until:%Y-%m-%d %H:%M:%S}"}, ok=False)
    if outcome.result is Result.NO_PIN:
        return Notice(N_("No maintenance PIN is set on this kiosk. Set one with: kiosk-diag maintenance set-pin"),
                      ok=False)
    return Notice(N_("Wrong PIN. Tries left before PIN entry locks: {count}."),
                  {"count": outcome.attempts_left}, ok=False)


def _with_check(report: ReadinessReport | None, check: DeviceCheck) -> ReadinessReport | None:
    """The report with one device's line replaced by a fresher one."""
    if report is None:
        return None
    devices = tuple(check if line.device == check.device else line for line in report.devices)
    others = [report.backoffice.verdict, report.system.verdict] + ([report.outbox.verdict] if report.outbox else [])
    verdict = worst([line.verdict for line in devices] + others)
    return dataclasses.replace(report, devices=devices, verdict=verdict)
