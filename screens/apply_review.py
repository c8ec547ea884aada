"""Review (masked) and the separate consent for personal data, which also submits."""
from __future__ import annotations

from domain.i18n import N_
from domain.ids import mask_id, mask_name, mask_phone
from kiosk.journeys.apply import field_kind
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .apply_materials import STATUS
from .catalogue_page import JourneyPage


def shown_value(flow, field: dict, value) -> str:
    """An answer as the review shows it: personal numbers masked, list keys as words."""
    if value in (None, "", []):
        return "—"
    kind = field_kind(field)
    names = {v["key"]: flow.catalogue.loc(v) for v in field.get("values") or []}
    if kind == "id":
        return mask_id(str(value))
    if kind == "phone":
        return mask_phone(str(value))
    if kind == "choice":
        return names.get(value, str(value))
    if kind == "choices":
        return "、".join(names.get(v, str(v)) for v in value)
    if kind == "date":
        return str(value)[:10]
    return str(value)


class ApplyReviewScreen(JourneyPage):
    screen_name = Screen.APPLY_REVIEW
    journey_name = "apply"
    idle_timeout_s = 180
    spoken_prompt = N_("Please check your application. Tap a line to change it.")

    def refresh(self) -> None:
        state, identity = self.fresh_state(), self.session.identity
        if state is None or identity is None:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("Check your application"))
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        card = self.card()
        self.text(flow.title(), parent=card, bold=True, color=theme.PRIMARY)
        self.text(self._(N_("Applicant: {name}  ID {number}")).format(
            name=mask_name(identity.name), number=mask_id(identity.document_number)), parent=card)
        for field in state.fields:
            value = state.answers.get(field["code"])
            text = f"{flow.catalogue.loc(field, 'label')}：{shown_value(flow, field, value)}"
            if field["code"] in state.pages:
                row = self.button(text, lambda code=field["code"]: flow.edit_field(code), key=f"edit:{field['code']}",
                                  secondary=True, parent=self.ids.body)
                row.font_size = f"{self.style.body_sp}sp"
                row.halign = "left"
            else:
                self.text(text + "  " + self._(N_("(from your ID card)")), parent=card)
        if flow.post.wanted():  # the address masked: the town and village, never the house
            row = self.button(f"{self._(N_('Post to'))}：{flow.post.masked() or '—'}", flow.post.edit, key="edit:post",
                              secondary=True, parent=self.ids.body)
            row.font_size = f"{self.style.body_sp}sp"
            row.halign = "left"
        materials = self.card()
        self.text(self._(N_("Materials")), parent=materials, bold=True)
        lines = []
        for entry in state.materials:
            given = state.provided.get(entry["key"])
            if given:
                lines.append(f"·\u00a0{flow.catalogue.loc(entry['spec'])}：{self._(STATUS[given.mode])}")
        self.text("\n".join(lines) or "—", parent=materials, size="small")
        self.button(self._(N_("Change materials")), self.flow.to_materials,
                    key="materials", secondary=True, parent=self.ids.body)
        self.button(self._(N_("Continue")), flow.to_consent, key="continue")


class ApplyConsentScreen(JourneyPage):
    screen_name = Screen.APPLY_CONSENT
    journey_name = "apply"
    spoken_prompt = N_("Your personal data is used only to handle this application. Do you agree?")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        self.ids.heading.text = self._(N_("Your personal data"))
        self.ids.hint.text = self._(N_("Separate consent, as the personal information law requires."))
        card = self.card()
        self.text(self._(N_("Your personal data is used only to handle this application. Do you agree?")),
                  parent=card, size="heading")
        self.text(self._(N_("The county service receives your name, ID number, phone number, answers and the "
                            "pictures of your materials, keeps them encrypted, and shares them only with the "
                            "departments that handle this application. This kiosk deletes everything when "
                            "you finish.")), parent=card)
        # Texts about the case: asked for here, never assumed (and never sent to anyone else).
        texts = self.card()
        chosen = state.sms_notices
        self.button(("● " if chosen else "") + self._(N_("Text me about this case at {phone}")).format(
                        phone=self.flow.masked_phone()), self.toggle_texts, key="texts", secondary=not chosen,
                    parent=texts)
        self.text(self._(N_("Accepted, corrections needed, the result ready: one text each, not at night. "
                            "Without it, check the progress here or at the window.")), parent=texts, size="small")
        self.button(self._(N_("I agree: submit the application")), self.flow.submit, key="submit")

    def toggle_texts(self) -> None:
        self.flow.toggle_sms_notices()
        self.refresh()
