"""The journey controller: what happens on a card, a tap or a result, in one place.

No Kivy here. The App gives the controller a `KioskUI` (navigate, show busy/errors, reset
screens) and a way to run a function on the main thread; network and printer work runs on
a worker pool and its result comes back through that. Results that arrive after the
session ended (the citizen walked away) are dropped by the session generation check.
"""
from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Protocol

from devices.idcard import CardEvent, CardInserted, CardReadError, CardRemoved
from devices.printer import ReceiptPrinter
from kiosk.domain.cases import N_, CaseDetail, CaseSummary
from kiosk.domain.slips import SlipDocument
from services.api import BackofficeClient, BackofficeError, BackofficeUnavailable
from services.preview import render_slip_png
from services.slips import progress_slip

from .i18n import Translator
from .session import Session

log = logging.getLogger(__name__)
CST = dt.timezone(dt.timedelta(hours=8), "CST")


class KioskUI(Protocol):
    def navigate(self, screen: str) -> None: ...
    def show_busy(self, message: str | None) -> None: ...
    def show_message(self, title: str, body: str, back_to: str) -> None:
        """Title and body are message ids; the screen translates them (and re-translates
        them on a language switch)."""
    def show_toast(self, message: str) -> None: ...
    def reset_screens(self) -> None: ...


# Message ids a citizen may see. Each says what happened, what was kept, what to do.
MSG_OFFLINE = N_(
    "The county service cannot be reached right now. Nothing you entered is lost. "
    "Please try again in a few minutes, or call 12345."
)
MSG_REFUSED = N_("The county service could not answer this request. Please try again, or call 12345.")
MSG_PRINTER = N_(
    "The printer is not ready. Nothing is lost: you can print this slip again later, "
    "or check progress by calling 12345."
)


class KioskController:
    def __init__(self, *, session: Session, api: BackofficeClient, printer: ReceiptPrinter,
                 translator: Translator, terminal_id: str, idle_timeout_s: float,
                 font_path: Path, preview_dir: Path,
                 call_on_main: Callable[[Callable[[], None]], None]):
        self.session = session
        self.api = api
        self.printer = printer
        self.translator = translator
        self.terminal_id = terminal_id
        self.idle_timeout_s = idle_timeout_s
        self.font_path = font_path
        self.preview_dir = preview_dir
        self._call_on_main = call_on_main
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk-io")
        self.ui: KioskUI | None = None
        self.last_slip: SlipDocument | None = None
        self.last_slip_preview: Path | None = None

    def attach(self, ui: KioskUI) -> None:
        self.ui = ui

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- events --------------------------------------------------------------------------
    def on_card_event(self, event: CardEvent) -> None:
        """Called on the main thread."""
        if isinstance(event, CardInserted):
            self.session.start(event.identity)
            log.info("session started", extra={"document": event.identity.kind.value})
            self.ui.navigate("home")
        elif isinstance(event, CardRemoved):
            if self.session.active:
                self.finish("card_removed")
        elif isinstance(event, CardReadError):
            self.ui.show_message("Card not read", event.reason, back_to="attract")

    def user_activity(self) -> None:
        if self.session.active:
            self.session.touch()

    def check_idle(self) -> None:
        if self.session.active and self.session.idle_seconds() >= self.idle_timeout_s:
            self.finish("idle_timeout")

    def finish(self, reason: str) -> None:
        log.info("session ended", extra={"reason": reason})
        self.session.wipe()
        self.last_slip = None
        self.ui.show_busy(None)
        self.ui.reset_screens()
        self.ui.navigate("attract")

    def toggle_language(self) -> None:
        self.translator.toggle()
        self.user_activity()

    # --- journey: my cases -> one case -> print slip ------------------------------------
    def open_my_cases(self) -> None:
        identity = self.session.identity
        if identity is None:
            return
        self.ui.show_busy(self._("Fetching your cases…"))
        self._in_background(
            lambda: self.api.list_cases(identity.document_number),
            self._cases_loaded,
            back_to="home",
        )

    def _cases_loaded(self, cases: list[CaseSummary]) -> None:
        self.session.cases = cases
        self.ui.show_busy(None)
        self.ui.navigate("cases")

    def open_case(self, number: str) -> None:
        self.ui.show_busy(self._("Fetching case progress…"))
        self._in_background(lambda: self.api.get_case(number), self._case_loaded, back_to="cases")

    def _case_loaded(self, case: CaseDetail) -> None:
        self.session.current_case = case
        self.ui.show_busy(None)
        self.ui.navigate("case")

    def print_progress_slip(self) -> None:
        case = self.session.current_case
        if case is None:
            return
        slip = progress_slip(case, self.terminal_id, dt.datetime.now(CST), self._)
        self.ui.show_busy(self._("Printing…"))

        def work():
            result = self.printer.print_slip(slip)
            preview = None
            if result.ok:
                name = result.job_path.stem if result.job_path else "slip"
                preview = render_slip_png(slip, self.font_path, self.preview_dir / f"{name}.png",
                                          self.printer.profile.paper_width_px)
            return result, preview

        self._in_background(work, lambda r: self._slip_printed(slip, *r), back_to="case")

    def _slip_printed(self, slip: SlipDocument, result, preview: Path | None) -> None:
        self.ui.show_busy(None)
        if not result.ok:
            log.warning("slip not printed", extra={"printer": result.status.state.value})
            self.ui.show_message("Printer not ready", MSG_PRINTER, back_to="case")
            return
        self.last_slip = slip
        self.last_slip_preview = preview
        self.ui.show_toast(self._("Please take your slip"))

    # --- plumbing ------------------------------------------------------------------------
    def _(self, message: str) -> str:
        return self.translator.gettext(message)

    def _in_background(self, work: Callable[[], Any], done: Callable[[Any], None], back_to: str) -> None:
        generation = self.session.generation

        def deliver(fn: Callable[[], None]) -> None:
            def on_main() -> None:
                if generation == self.session.generation:  # else the session ended meanwhile
                    fn()
            self._call_on_main(on_main)

        def run() -> None:
            try:
                value = work()
            except BackofficeError as exc:
                log.warning("back office request failed", extra={"error": type(exc).__name__})
                deliver(lambda error=exc: self._failed(error, back_to))
                return
            except Exception as exc:  # a bug must still leave the citizen a way out
                log.exception("background task failed")
                deliver(lambda error=exc: self._failed(error, back_to))
                return
            deliver(lambda: done(value))

        self._pool.submit(run)

    def _failed(self, exc: Exception, back_to: str) -> None:
        self.ui.show_busy(None)
        if isinstance(exc, BackofficeUnavailable):
            self.ui.show_message("Service unavailable", MSG_OFFLINE, back_to=back_to)
        else:
            self.ui.show_message("Something went wrong", MSG_REFUSED, back_to=back_to)
