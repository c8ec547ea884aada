"""Collect results (取件): identify, list the applicant's results ready for collection,
confirm one, print it on the A4 document printer (the back office's e-licence PDF, or a
result notice for results without an e-licence), mark the case delivered, offer the rating.

The document is printed before the case is marked delivered: a printer failure leaves the
result ready to collect, so nothing is lost and the citizen can try again."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from domain.cases import CLOSED_STATUSES, CaseDetail, CaseStatus, CaseSummary
from domain.county import CST
from domain.i18n import N_
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen
from services.api import BackofficeError

log = logging.getLogger(__name__)

# Texts are promised only where the back office will send them (the case asked for them).
MSG_NOTHING_READY_TEXTED = N_("Nothing is ready to collect yet. We will text you when it is.")
MSG_NOTHING_READY = N_("Nothing is ready to collect yet. Check here again later, or ask at the window.")
MSG_DOC_PRINTER = N_(
    "The document printer is not ready. Nothing is lost: your result is still ready to collect. "
    "Please try again, or collect it at the unified window."
)



@dataclass
class CollectState:
    ready: list[CaseSummary] = field(default_factory=list)  # completed, not yet handed out

class CollectJourney(Journey):
    name = "collect"
    State = CollectState
    BACK = {Screen.COLLECT_LIST: Screen.HOME, Screen.COLLECT_CONFIRM: Screen.COLLECT_LIST}
    ENTRIES = (Screen.COLLECT_START, Screen.COLLECT_LIST)  # the list once the citizen is identified
    FLOW = {Screen.COLLECT_LIST: (Screen.COLLECT_CONFIRM,), Screen.COLLECT_CONFIRM: (Screen.COLLECT_DONE,)}
    attract_action = (3, N_("Collect results"), Screen.COLLECT_START)
    CARD_PROMPT = Screen.COLLECT_START

    def __init__(self, controller):
        super().__init__(controller)
        self.last_printed: list[Path] = []  # the PDFs sent to the document printer (session files)
        self.delivered: str | None = None  # the case number marked delivered in this session

    # --- starting ----------------------------------------------------------------------
    def confirmed(self) -> None:
        """The applicant's cases whose results are ready (办结, not yet handed out)."""
        self.load_cases(self._cases_loaded, busy=N_("Looking for your results…"))

    def _cases_loaded(self, cases) -> None:
        self.session.cases = list(cases)
        self.session.state(CollectState).ready = [c for c in cases if c.status is CaseStatus.COMPLETED]
        self.go(Screen.COLLECT_LIST)

    def nothing_ready(self) -> str:
        """What the empty list says: a text is promised only if an open case asked for one."""
        texted = any(c.sms_notices and c.status not in CLOSED_STATUSES for c in self.session.cases or ())
        return MSG_NOTHING_READY_TEXTED if texted else MSG_NOTHING_READY

    @property
    def ready(self) -> list[CaseSummary]:
        state = self.session.peek(CollectState)
        return state.ready if state else []

    # --- one result ----------------------------------------------------------------------
    def choose(self, number: str) -> None:
        grant = self.session.grant
        self.kiosk.in_background(lambda: self.kiosk.api.get_case(number, grant=grant), self._case_loaded,
                                 back_to=Screen.COLLECT_LIST, busy=N_("Fetching your result…"))

    def _case_loaded(self, case: CaseDetail) -> None:
        if case.status is not CaseStatus.COMPLETED:  # handed out meanwhile, e.g. at the window
            self.ui.show_message(N_("Not ready to collect"), MSG_NOTHING_READY, back_to=Screen.COLLECT_LIST)
            return
        self.session.current_case = case
        self.go(Screen.COLLECT_CONFIRM)

    def document_names(self, case: CaseDetail | None = None) -> list[str]:
        case = case or self.session.current_case
        if case is None:
            return []
        language = self.kiosk.translator.language
        return [l.name_in(language) for l in case.licences] or [self._("Result notice")]

    # --- printing ------------------------------------------------------------------------
    def print_result(self) -> None:
        case = self.session.current_case
        if case is None:
            return
        kiosk = self.kiosk
        printer = getattr(kiosk.devices, "document_printer", None) if kiosk.devices is not None else None
        now = dt.datetime.now(CST)
        translate, language, grant = self._, self.kiosk.translator.language, self.session.grant

        def work():
            from services.documents.result_notice import result_notice_pdf  # reportlab: when first printed

            if printer is None:
                return False, False, []
            files = []
            if case.licences:
                for licence in case.licences:
                    path = self._session_file(".pdf")
                    path.write_bytes(kiosk.api.licence_pdf(licence.identifier, grant=grant))
                    files.append(path)
            else:
                path = self._session_file(".pdf")
                result_notice_pdf(case, path, kiosk.terminal_id, now, translate, language)
                files.append(path)
            for path in files:
                result = printer.print_pdf(path, title=f"{case.number}")
                if not result.ok:
                    log.warning("document not printed", extra={"printer": result.status.state.value,
                                                               "job_state": result.job_state})
                    return False, False, files
            # Printed: only now is the result handed out.
            try:
                kiosk.api.case_action(case.number, "deliver", grant=grant, note="自助终端领取",
                                      note_en="Collected at a self-service kiosk")
                delivered = True
            except BackofficeError as exc:
                log.warning("delivery not recorded", extra={"error": type(exc).__name__})
                delivered = False
            return True, delivered, files

        kiosk.in_background(work, self._printed, back_to=Screen.COLLECT_CONFIRM, busy=N_("Printing your document…"))

    def _session_file(self, suffix: str) -> Path:
        return self.session.files.new("collect-", suffix)  # deleted when the session ends

    def _printed(self, outcome) -> None:
        printed, delivered, files = outcome
        if not printed:
            self.ui.show_message(N_("Printer not ready"), MSG_DOC_PRINTER, back_to=Screen.COLLECT_CONFIRM)
            return
        self.last_printed = list(files)
        case = self.session.current_case
        self.delivered = case.number if (case is not None and delivered) else None
        self.go(Screen.COLLECT_DONE)
        self.kiosk.say(N_("Please take your document from the printer."))

    def rate_now(self) -> None:
        case = self.session.current_case
        if case is None:
            return
        self.kiosk.journey("rating").rate_case(case)

    def reset(self) -> None:
        self.last_printed = []
        self.delivered = None
