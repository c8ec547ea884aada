"""The result: case number, promised date, what was received and what is still owed; the
receipt is printed by itself. And the page for a refusal: every problem at once, calmly,
with a way to fix it that keeps everything entered."""
from __future__ import annotations

from domain.i18n import N_
from kiosk.journeys.apply import ApplyState
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen
from services.receipts import promised_lines

from .catalogue_page import JourneyPage

PROBLEM_WORDS = {
    "required": N_("Please answer this question."),
    "missing": N_("This material is missing."),
    "this material cannot be deferred": N_("This material cannot be supplied later."),
    "e-licence identifier is not valid": N_("The e-licence could not be used."),
    "e-licence is not valid for this applicant": N_("The e-licence could not be used."),
    "an 11-digit mobile number is required": N_("An 11-digit mobile number is needed."),
}


class ApplyResultScreen(JourneyPage):
    screen_name = Screen.APPLY_RESULT
    journey_name = "apply"
    spoken_prompt = ""  # the journey speaks the case number itself

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is not None and state.queued:
            self._show_queued(state)
            return
        if state is None or state.case is None or state.receipt is None:
            return
        case, receipt = state.case, state.receipt
        self.ids.heading.text = self._(N_("Application received"))
        self.ids.hint.text = self._(N_("Your receipt is being printed. Keep it: its QR code shows the progress."))
        card = self.card()
        self.text(self._(N_("Case number")), parent=card, size="small", color=theme.TEXT_MUTED)
        self.text(case.number, parent=card, size="heading", bold=True, color=theme.PRIMARY)
        language = self.controller.translator.language
        self.text(receipt.item_name_in(language), parent=card)
        lines = promised_lines(receipt, self._, language)
        self.text("\n".join(lines), parent=card)
        if case.sms_notices:  # only when the back office will text: the kiosk promises nothing more
            self.text(self._(N_("We will text {phone} when it is accepted and when it is ready.")).format(
                phone=case.phone_masked), parent=card)
        if state.printed:
            self.button(self._(N_("Print the receipt again")), self.flow.print_receipt, key="reprint",
                        secondary=True)
        else:
            self.button(self._(N_("Print the receipt")), self.flow.print_receipt, key="reprint", secondary=True)
        self.button(self._(N_("Read the receipt aloud")), self.flow.read_receipt_aloud, key="read_aloud",
                    secondary=True)
        self.button(self._(N_("Done")), lambda: self.controller.finish("done"), key="done")
        self.ids.back.opacity = 0  # the application is in: no way back into it
        self.ids.back.disabled = True

    def _show_queued(self, state: ApplyState) -> None:
        """Kept while the county could not be reached: a reference, not a case number, and
        what happens next (the outbox sends it by itself)."""
        self.ids.heading.text = self._(N_("Application kept, not yet sent"))
        self.ids.hint.text = self._(N_("The county service cannot be reached right now. "
                                       "This kiosk keeps your application safely and sends it by itself."))
        card = self.card()
        self.text(self._(N_("Reference")), parent=card, size="small", color=theme.TEXT_MUTED)
        self.text(state.queued.reference, parent=card, size="heading", bold=True, color=theme.PRIMARY)
        self.text(self._(N_("The case number and the time limit start when the county receives it. "
                            "Check progress with your ID card at any kiosk: the case number appears there.")),
                  parent=card)
        label = N_("Print the slip again") if state.printed else N_("Print the slip")
        self.button(self._(label), self.flow.print_receipt, key="reprint", secondary=True)
        self.button(self._(N_("Done")), lambda: self.controller.finish("done"), key="done")
        self.ids.back.opacity = 0  # the application is kept: no way back into it
        self.ids.back.disabled = True

    def clear(self) -> None:
        super().clear()
        self.ids.back.opacity = 1
        self.ids.back.disabled = False

    def go_back(self) -> None:
        self.controller.finish("done")


class ApplyProblemsScreen(JourneyPage):
    screen_name = Screen.APPLY_PROBLEMS
    journey_name = "apply"
    spoken_prompt = N_("The application needs a few changes. Everything you entered is kept.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("A few things to change"))
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        for problem in state.problems:
            words = self._(PROBLEM_WORDS.get(str(problem.get("problem", "")), N_("Please check this.")))
            if problem.get("field") and flow.field(problem["field"]):
                field = flow.field(problem["field"])
                text = f"{flow.catalogue.loc(field, 'label')}：{words}"
                if problem["field"] in state.pages:
                    self.button(text, lambda code=problem["field"]: flow.edit_field(code),
                                key=f"fix:{problem['field']}", secondary=True, parent=self.ids.body)
                    continue
            elif problem.get("material") and flow.material(problem["material"]):
                text = f"{flow.catalogue.loc(flow.material(problem['material'])['spec'])}：{words}"
                self.button(text, self.flow.to_materials,
                            key=f"fix:{problem['material']}", secondary=True, parent=self.ids.body)
                continue
            elif str(problem.get("field", "")).startswith("delivery") and flow.post.wanted():
                self.button(self._(N_("Postal address")) + "：" + words, flow.post.edit, key="fix:delivery",
                            secondary=True, parent=self.ids.body)
                continue
            elif problem.get("field") == "commitment_signed":
                text = self._(N_("The credit commitment for 容缺 materials is needed."))
            else:
                text = self._(N_("The county service could not accept the application as it is."))
            self.text(text, parent=self.card())
        self.button(self._(N_("Check the application again")), flow.fix_problems, key="review")

    def go_back(self) -> None:
        self.flow.fix_problems()
