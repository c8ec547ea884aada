"""Check progress (查询): by card (the applicant's cases) or by scanning a receipt's QR
code without a card (a masked view); one case's timeline; print a progress slip."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from domain.cases import CaseDetail
from domain.county import CST
from domain.slips import SlipDocument
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen
from services.api import BackofficeUnavailable
from services.deliveries import APPLICATION
from services.slips import progress_slip

log = logging.getLogger(__name__)



@dataclass
class ProgressState:
    kept_applications: list = field(default_factory=list)  # OutboxItems of this applicant's, kept here
    cases_online: bool = True  # whether the county's case list could be read

class ProgressJourney(Journey):
    name = "progress"
    State = ProgressState
    BACK = {Screen.CASE: Screen.CASES, Screen.CASES: Screen.HOME}
    # A card placed lists the citizen's cases; a receipt scanned shows its case.
    ENTRIES = (Screen.PROGRESS_START, Screen.CASES, Screen.CASE)
    FLOW = {Screen.PROGRESS_START: (Screen.CASES,), Screen.CASES: (Screen.CASE,)}
    attract_action = (2, "Check progress", Screen.PROGRESS_START)
    # Place a card (then the list opens once confirmed) or scan the receipt's code.
    CARD_PROMPT = Screen.PROGRESS_START
    handles_tokens = ("case",)

    def __init__(self, controller):
        super().__init__(controller)
        self.last_slip: SlipDocument | None = None
        self.last_slip_preview: Path | None = None

    def confirmed(self) -> None:
        self.open_my_cases()

    def unconfirmed(self, error: Exception, back_to: str) -> None:
        """The back office is out of reach: this applicant's applications still waiting at
        this kiosk can be shown (they never left it), or the failure is."""
        self.open_my_cases(online=False)

    def open_my_cases(self, online: bool = True) -> None:
        """The back office's cases, and this applicant's applications kept at this kiosk:
        a queued receipt's reference becomes a case number here once it is sent. Offline,
        the ones still waiting here are shown (with no case list, nothing else can be)."""
        identity = self.session.identity
        if identity is None:
            return
        api, outbox, document, grant = self.kiosk.api, self.kiosk.outbox, identity.document_number, self.session.grant

        def work():
            kept = [i for i in outbox.for_applicant(document)
                    if i.kind == APPLICATION and "refused" not in i.outcome]
            try:
                if not online:
                    raise BackofficeUnavailable("no code could be sent")
                return api.list_cases(document, grant=grant), kept, True
            except BackofficeUnavailable:
                waiting = [i for i in kept if i.state != "delivered"]
                if not waiting:  # what was sent is in the county's list, which cannot be read now
                    raise
                return [], waiting, False

        self.kiosk.in_background(work, self._cases_loaded, back_to=Screen.HOME, busy="Fetching your cases…")

    def _cases_loaded(self, loaded) -> None:
        cases, kept, online = loaded
        self.session.cases = cases
        self.session.keep(ProgressState(kept, online))
        self.go(Screen.CASES)

    @property
    def kept_applications(self) -> list:
        """OutboxItems of this applicant's applications kept here (oldest first)."""
        state = self.session.peek(ProgressState)
        return state.kept_applications if state else []

    @property
    def cases_online(self) -> bool:
        """False when the case list could not be read (only applications kept here show)."""
        state = self.session.peek(ProgressState)
        return state.cases_online if state else True

    def open_case(self, number: str) -> None:
        grant = self.session.grant
        self.kiosk.in_background(lambda: self.kiosk.api.get_case(number, grant=grant), self._case_loaded,
                                 back_to=Screen.CASES, busy="Fetching case progress…")

    def on_token(self, token, text: str) -> None:
        """A receipt's tracking code: show that case, masked, with no card."""
        self.kiosk.in_background(lambda: self.kiosk.api.track(text), self._case_loaded,
                                 back_to=Screen.ATTRACT, busy="Fetching case progress…")

    def _case_loaded(self, case: CaseDetail) -> None:
        self.session.current_case = case
        self.go(Screen.CASE)

    def print_progress_slip(self) -> None:
        case = self.session.current_case
        if case is None:
            return
        kiosk = self.kiosk
        slip = progress_slip(case, kiosk.terminal_id, dt.datetime.now(CST), self._, kiosk.translator.language)
        self.print_slip(slip, back_to=Screen.CASE, busy="Printing…", preview_name=f"slip-{case.number}",
                        then=lambda preview: self._slip_printed(slip, preview))

    def _slip_printed(self, slip: SlipDocument, preview: Path | None) -> None:
        self.last_slip = slip
        self.last_slip_preview = preview
        self.ui.show_toast(self._("Please take your slip"))
        self.kiosk.say("Please take your slip")

    def reset(self) -> None:
        self.last_slip = None
        self.last_slip_preview = None
