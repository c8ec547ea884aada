"""The citizen journeys as the soak walks them, one touch at a time on the real kiosk,
with faults injected at the moments a citizen meets them. A journey that a fault
interrupts ends there (as the citizen's would); what it had already sent is recorded, so
the end of the run can check that the back office holds each of them exactly once."""
from __future__ import annotations

from dataclasses import dataclass, field

from demo.tour import APPLY_ITEM, GUIDE_SEARCH
from proof.citizen import ANSWERS, Citizen
from proof.soak.county import County, fresh_applicant
from proof.soak.driver import Interrupted, SoakDriver
from proof.soak.faults import Faults

PROGRESS_PERSON, PROGRESS_CASE = "wang", "469023-0003"  # a demo applicant and his case
QUEUED_CHECK_IN = "Checked in at this kiosk"  # the message an offline check-in ends on


@dataclass
class Ledger:
    """What the soak sent through the kiosk, by fresh applicant's ID number (or appointment code)."""
    submit_tapped: list[str] = field(default_factory=list)  # at most one case each
    submitted: dict[str, str] = field(default_factory=dict)  # shown as answered or kept: exactly one case
    checked_in: list[str] = field(default_factory=list)  # appointment codes: checked in once
    rated: list[str] = field(default_factory=list)  # case numbers: one rating each
    collectable: list = field(default_factory=list)  # identities whose case staff completed
    completed: set[str] = field(default_factory=set)


class SoakJourneys:
    def __init__(self, app, ui: SoakDriver, faults: Faults, county: County, seed: int):
        self.app = app
        self.ui = ui
        self.faults = faults
        self.county = county
        self.seed = seed
        self.citizen = Citizen(app, ui)
        self.ledger = Ledger()
        self.applicants = 0

    def next_applicant(self):
        self.applicants += 1
        applicant = fresh_applicant(self.applicants, self.seed)
        self.county.sell_sim_card(applicant, ANSWERS["phone"])  # the number the citizen types in forms
        return applicant

    def begun(self) -> None:
        """The citizen's first touch, card or code made a session (the card's and the
        code's events arrive from their device threads): from now on the attract screen
        means it ended."""
        app = self.app
        self.ui.wait_until(lambda: app.session.active or app.manager.current != "attract", timeout=30,
                           what="the session to begin")
        self.ui.expect_session = True

    def put_card(self, identity) -> None:
        """The card on the reader, unless a fault spoils the read (then the journey ends)."""
        fault = self.faults.card_at_reader(identity)
        if fault == "misread":
            self.ui.wait_for_screen("message", timeout=30)
            raise Interrupted("card not read")
        if fault == "flick":
            self.ui.expect_session = True
            self.ui.settle(1.0)  # the reader's poll loop hands both events over
            self.ui.expect_session = False
            self.ui.wait_until(lambda: self.app.manager.current in ("attract", "message")
                               and not self.app.devices.idcard_sim.card_present and self.app._busy is None,
                               timeout=30, what="the flicked card handled")
            raise Interrupted("card pulled mid-read")
        self.app.devices.idcard_sim.insert(identity)
        self.faults.maybe_pull_card_later()

    # --- the journeys ------------------------------------------------------------------------
    def guide(self) -> None:
        app, ui, (letters, code) = self.app, self.ui, GUIDE_SEARCH
        ui.tap(ui.by_text(app.tr._("Service guides")))
        self.begun()
        ui.wait_for_screen("catalogue", 30)
        ui.tap_button("catalogue", "search")
        ui.wait_for_screen("catalogue_search", 30)
        keys = app.manager.get_screen("catalogue_search").keypad.keys
        for letter in letters:
            ui.tap(keys[letter])
        ui.tap_button("catalogue_search", "search")
        ui.wait_for_screen("catalogue_items", 30)
        ui.tap_button("catalogue_items", code)
        ui.wait_for_screen("guide", 30)
        journey = app.controller.journey("catalogue")
        before = journey.last_slip
        ui.tap_button("guide", "print_slip")
        ui.wait_until(lambda: journey.last_slip is not None and journey.last_slip is not before
                      and app._busy is None, timeout=30, what="guide printed")

    def apply(self) -> None:
        app, citizen, ledger = self.app, self.citizen, self.ledger
        person = self.next_applicant()
        citizen.open_item(*APPLY_ITEM)
        self.begun()
        self.ui.tap_button("guide", "apply")
        citizen.arrive("apply_identify")
        self.put_card(person)
        self.ui.wait_until(lambda: app.manager.current in ("apply_field", "apply_materials") and app._busy is None,
                           timeout=30, what="form opened")
        citizen.fill_form()
        citizen.settle_materials(defer=True)
        citizen.to_consent()
        ledger.submit_tapped.append(person.document_number)
        self.faults.at_submit()
        state = citizen.state
        self.ui.tap(app.manager.get_screen("apply_consent").buttons["submit"])
        try:
            self.ui.wait_until(lambda: state.case is not None or state.queued is not None or (
                app.manager.current in ("face_consent", "presence_code") and app._busy is None), timeout=30,
                what="the submission answered or kept, or the citizen asked who they are")
            if state.case is None and state.queued is None:
                citizen.confirm_by_code()
            self.ui.wait_until(lambda: state.case is not None or state.queued is not None, timeout=30,
                               what="the submission answered or kept")
        finally:  # told "received" or "kept", even if the receipt then meets an empty printer
            if state.case is not None or state.queued is not None:
                ledger.submitted[person.document_number] = "answered" if state.case else "kept"
        self.ui.wait_for_screen("apply_result", 30)
        citizen.wait_for_receipt_printed()

    def progress_by_card(self) -> None:
        app, ui = self.app, self.ui
        self.put_card(app.devices.idcard_sim.people[PROGRESS_PERSON])
        self.begun()
        ui.wait_for_screen("home", 30)
        ui.tap(ui.by_id("home", "my_cases"))
        ui.type_code(30)
        ui.wait_for_screen("cases", 30)
        ui.tap(next(r for r in ui.by_id("cases", "rows").children if r.number == PROGRESS_CASE))
        ui.wait_for_screen("case", 30)
        journey = app.controller.journey("progress")
        before = journey.last_slip
        ui.tap(ui.by_id("case", "print_slip"))
        ui.wait_until(lambda: journey.last_slip is not None and journey.last_slip is not before
                      and app._busy is None, timeout=30, what="progress slip printed")
        app.devices.idcard_sim.remove()
        ui.wait_until(lambda: not app.session.active and app.manager.current == "attract", timeout=30,
                      what="session ended by the card's removal")

    def progress_by_code(self) -> None:
        app, ui = self.app, self.ui
        ui.wait_until(lambda: "receipt" in app.demo.codes and app.controller.verifier is not None,
                      timeout=30, what="demo receipt code")
        app.demo.scan("receipt")
        self.begun()
        ui.wait_for_screen("case", 30)

    def appointment(self) -> None:
        app, ui = self.app, self.ui
        booked = self.county.book_appointment(self.next_applicant())
        ui.tap(ui.by_text(app.tr._("Appointment check-in")))
        self.begun()
        ui.wait_for_screen("appointment_start", 30)
        app.devices.scanner.backend.scan(booked["token"])
        try:
            ui.wait_for_screen("appointment_ticket", 30)
        except Interrupted:
            if app.manager.get_screen("message").title == QUEUED_CHECK_IN:
                self.ledger.checked_in.append(booked["code"])  # kept, sent when the line is back
            raise
        self.ledger.checked_in.append(booked["code"])
        ui.wait_until(lambda: app.controller.journey("appointment").ticket_printed is not None and app._busy is None,
                      timeout=30, what="queue ticket printed")

    def collect_and_rate(self) -> str | None:
        app, ui, ledger = self.app, self.ui, self.ledger
        if not ledger.collectable:
            return "skipped: nothing ready yet"  # the next cycle will have one
        person, number = ledger.collectable.pop(0)
        collected = False
        try:
            ui.tap(ui.by_text(app.tr._("Collect results")))
            self.begun()
            ui.wait_for_screen("collect_start", 30)
            self.put_card(person)
            ui.type_code(30, phone=ANSWERS["phone"])  # none on file from a card-only application
            ui.wait_for_screen("collect_list", 30)
            ui.tap(next(r for r in ui.by_id("collect_list", "rows").children if r.number == number))
            ui.wait_for_screen("collect_confirm", 30)
            ui.tap(ui.by_id("collect_confirm", "print_document"))
            ui.wait_for_screen("collect_done", 30)
            collected = True
            ui.tap(ui.by_id("collect_done", "rate"))
            ui.wait_for_screen("rating_levels", 30)
            ui.tap(next(b for b in ui.by_id("rating_levels", "faces").children if b.level == 5))
            ui.wait_for_screen("rating_comment", 30)
            ui.tap(ui.by_id("rating_comment", "send"))
            ui.wait_for_screen("rating_done", 30)
            ledger.rated.append(number)
        finally:
            if not collected:
                ledger.collectable.append((person, number))  # try again in a later cycle

    # --- between journeys: the county's side ----------------------------------------------------
    def complete_one(self) -> None:
        """Staff finish one case the kiosk submitted, so the next collect journey has one."""
        for document, _how in self.ledger.submitted.items():
            if document in self.ledger.completed:
                continue
            cases = self.county.cases_of(document)
            if len(cases) != 1:
                continue  # still in the outbox (or wrong: the final count says so)
            self.ledger.completed.add(document)
            self.county.complete(cases[0]["number"])
            person = next(p for p in self._people_made() if p.document_number == document)
            self.ledger.collectable.append((person, cases[0]["number"]))
            return

    def _people_made(self):
        return (fresh_applicant(n, self.seed) for n in range(1, self.applicants + 1))


JOURNEYS = ("guide", "apply", "progress_by_card", "progress_by_code", "appointment", "collect_and_rate")
