"""The materials checklist, the document camera page and the 容缺 commitment.

Each material says what happens to it: captured with the document camera (preview,
retake), taken from the applicant's e-licence, shared by the departments, or supplied
later (容缺) where the guide allows it, with the credit commitment accepted on screen."""
from __future__ import annotations

from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from domain.i18n import N_
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen
from services.guide_slips import BADGE_E_LICENCE, BADGE_SHARED

from .catalogue_page import JourneyPage

STATUS = {
    "capture": N_("Captured"),
    "e_licence": BADGE_E_LICENCE,
    "shared": BADGE_SHARED,
    "deferred": N_("容缺: you will supply it later"),
}


class ApplyMaterialsScreen(JourneyPage):
    screen_name = Screen.APPLY_MATERIALS
    journey_name = "apply"
    idle_timeout_s = 180
    spoken_prompt = N_("Place each paper material under the camera, or choose to supply it later where allowed.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("Materials"))
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        for entry in state.materials:
            spec, key = entry["spec"], entry["key"]
            given = state.provided.get(key)
            card = self.card()
            self.text(flow.catalogue.loc(spec), parent=card, bold=True)
            if given:
                tone = theme.WARNING if given.mode == "deferred" else theme.SUCCESS
                self.text(self._(STATUS[given.mode]), parent=card, size="small", color=tone)
            elif spec.get("necessity") == "optional":
                self.text(self._(N_("Optional: you may skip it")), parent=card, size="small",
                          color=theme.TEXT_MUTED)
            if spec.get("source") != "applicant":
                continue
            row = BoxLayout(spacing=12, size_hint_y=None, height=self.style.target_dp)
            captured = bool(given and given.mode == "capture")
            self.button(self._(N_("Capture again") if captured else N_("Capture with the camera")),
                        lambda k=key: flow.open_capture(k), key=f"capture:{key}", parent=row,
                        secondary=captured)
            if spec.get("necessity") == "deferrable" and not (given and given.mode == "deferred"):
                self.button(self._(N_("Supply later (容缺)")), lambda k=key: flow.defer(k), key=f"defer:{key}",
                            parent=row, secondary=True)
            card.add_widget(row)
        complete = flow.materials_complete()
        if not complete:
            self.text(self._(N_("Every required material needs a picture, or 容缺 where allowed.")),
                      parent=self.ids.fixed, size="small", color=theme.WARNING)
        self.button(self._(N_("Next")), flow.materials_done, key="next", disabled=not complete)

    def go_back(self) -> None:
        self.flow.back_from_materials()


class ApplyCaptureScreen(JourneyPage):
    screen_name = Screen.APPLY_CAPTURE
    journey_name = "apply"
    idle_timeout_s = 180
    spoken_prompt = N_("Place the page face up under the camera, then tap Take picture.")

    def refresh(self) -> None:
        state = self.fresh_state()
        capture = state.capture if state else None
        if capture is None:
            return
        flow = self.flow
        entry = flow.material(capture.key)
        self.ids.heading.text = flow.catalogue.loc(entry["spec"])
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        if capture.preview:
            self.ids.body.add_widget(_page_image(capture.preview_pixels))
            self.text(self._(N_("Is the whole page readable?")), parent=self.ids.fixed, size="heading")
            self.button(self._(N_("Use this picture")), flow.use_capture, key="use")
            self.button(self._(N_("Retake")), flow.retake, key="retake", secondary=True)
        else:
            if capture.error:
                card = self.card()
                self.text(self._(capture.error), parent=card, color=theme.WARNING)
            self.button(self._(N_("Take picture")), flow.capture, key="take")

    def go_back(self) -> None:
        self.flow.leave_capture()

    def on_leave(self, *_args):
        state = self.flow.state
        if state is None or state.capture is None:
            self.flow.close_camera()


def _page_image(pixels) -> Image:
    """The captured page from its small grey copy (a full page JPEG took 150 ms to decode
    and upload on the UI thread)."""
    height, width = pixels.shape
    texture = Texture.create(size=(width, height), colorfmt="luminance")
    texture.blit_buffer(pixels.tobytes(), colorfmt="luminance", bufferfmt="ubyte")
    texture.flip_vertical()  # image rows run top-down, GL's bottom-up
    image = Image(size_hint_y=None, height=height, fit_mode="contain")
    image.texture = texture
    return image


class ApplyCommitmentScreen(JourneyPage):
    screen_name = Screen.APPLY_COMMITMENT
    journey_name = "apply"
    spoken_prompt = N_("Please read the credit commitment for the materials you will supply later.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        flow = self.flow
        self.ids.heading.text = self._(N_("Credit commitment (容缺受理信用承诺)"))
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        card = self.card()
        self.text(self._(N_("I apply with these materials missing and promise to supply them within "
                            "10 working days:")), parent=card)
        names = [flow.catalogue.loc(flow.material(k)["spec"]) for k in flow.deferred_keys()]
        self.text("\n".join(f"·\u00a0{n}" for n in names), parent=card, bold=True)
        self.text(self._(N_("If I do not, the application may be terminated, and this is recorded in my "
                            "credit record. What I have declared is true.")), parent=card)
        self.button(self._(N_("I accept the commitment")), flow.accept_commitment, key="accept")
