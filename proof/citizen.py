"""A scripted citizen: the self-service steps as a person takes them, one touch at a time,
through the UI driver. The demo tour, the UI tests and the kiosk benchmark all walk the
journeys with it, so they exercise the same path a person does.

It answers form pages by the kind of input each field gets (a keypad, a choice), captures
materials with the document camera or declares them 容缺, and reports every screen it
reaches to an optional `seen(name)` callback (the tour takes a screenshot there)."""
from __future__ import annotations

import json
from typing import Callable

from kiosk.journeys.apply import ApplyState, field_kind
from proof.uidriver import UiDriver

# What a citizen types on each keypad kind (valid for the demo catalogue's form schemas).
ANSWERS = {"phone": "13907561234", "date": "20261120", "id": "11010519491231002X", "digits": "2",
           "alnum": "91110000600037341L", "text": "CHENGMAI"}  # text: pinyin, then the first candidate
# A postal address's street and house on the pinyin keyboard: pinyin (then the first
# candidate) and digits, in turn.
ADDRESS_KEYS = ("JIANSHELU", "88")


class Citizen:
    def __init__(self, app, ui: UiDriver, seen: Callable[[str], None] | None = None):
        self.app = app
        self.ui = ui
        self.seen = seen or (lambda _name: None)

    @property
    def flow(self):
        return self.app.controller.journey("apply")

    @property
    def state(self) -> ApplyState:
        state = self.flow.state
        assert state is not None, "no application under way"
        return state

    def arrive(self, screen: str, shot: str | None = None, timeout: float = 30) -> None:
        self.ui.wait_for_screen(screen, timeout=timeout)
        if shot:
            self.seen(shot)

    # --- finding a service ------------------------------------------------------------------
    def open_item(self, window: str, code: str, shots: bool = False) -> None:
        """Attract -> 我要办事 -> a window -> one item's guide."""
        self.ui.tap(self.ui.by_text(self.app.tr._("Apply")))
        self.arrive("catalogue", "catalogue" if shots else None)
        self.ui.tap_button("catalogue", window)
        self.arrive("catalogue_items", "catalogue-items" if shots else None)
        self.ui.tap_button("catalogue_items", code)
        self.arrive("guide", "guide" if shots else None)

    def open_bundle(self, code: str) -> None:
        self.ui.tap(self.ui.by_text(self.app.tr._("Apply")))
        self.arrive("catalogue")
        self.ui.tap_button("catalogue", "bundles")
        self.arrive("catalogue_bundles")
        self.ui.tap_button("catalogue_bundles", code)
        self.arrive("guide")

    # --- applying ---------------------------------------------------------------------------
    def identify(self, person: str = "wang", shots: bool = False) -> None:
        """Apply now -> the card on the reader -> the first form page (or the materials)."""
        self.ui.tap_button("guide", "apply")
        self.arrive("apply_identify", "apply-identify" if shots else None)
        self.app.demo_insert_card(person)
        self.ui.wait_until(lambda: self.app.manager.current in ("apply_field", "apply_materials")
                           and self.app._busy is None, timeout=30, what="form opened")

    def fill_form(self, shots: bool = False, choices: dict[str, str] | None = None) -> int:
        """Answer every form page, each with the input its field gets (a list's first answer
        unless `choices` names another by field code); returns the number of pages answered.
        Ends on the materials, or on the address step when the result is to be posted."""
        screen = self.app.manager.get_screen("apply_field")
        shot_kinds: set[str] = set()
        pages = 0
        while self.app.manager.current == "apply_field":
            pages += 1
            field, page = self.flow.current_field(), self.state.page
            kind = field_kind(field)
            if kind in ("choice", "choices"):
                chosen = (choices or {}).get(field["code"]) or field["values"][0]["key"]
                self.ui.tap_button("apply_field", f"value:{chosen}")
            else:
                for key in ANSWERS[kind]:
                    self.ui.tap(screen.keypad.keys[key])
                if getattr(screen.keypad, "candidate_buttons", None):
                    self.ui.tap(screen.keypad.candidate_buttons[0])
            if shots and kind not in shot_kinds:
                shot_kinds.add(kind)
                self.seen(f"apply-field-{kind}")
            if kind != "choice":  # a single choice moves on by itself
                if "next" not in screen.buttons:  # the page was cleared: the session ended under it
                    break
                if screen.buttons["next"].disabled:
                    raise AssertionError(f"the kiosk refused the answer to {field['code']}")
                self.ui.tap(screen.buttons["next"])
            self.ui.wait_until(lambda: self.app.manager.current != "apply_field" or self.state.page != page,
                               what=f"answer to {field['code']}")
        self.ui.wait_until(lambda: self.app.manager.current in ("apply_materials", "apply_post_town")
                           and self.app._busy is None, timeout=30, what="form done")
        return pages

    def post_address(self, town: str, village: str, shots: bool = False) -> str:
        """The address step: the town, the village or community, the street and house typed
        (ADDRESS_KEYS), the recipient and phone as prefilled; ends on the materials (or the
        review, once seen). Returns the detail typed."""
        self.arrive("apply_post_town", "apply-post-town" if shots else None)
        self.ui.tap_button("apply_post_town", f"town:{town}")
        self.arrive("apply_post_village", "apply-post-village" if shots else None)
        self.ui.tap_button("apply_post_village", f"village:{village}")
        self.arrive("apply_post_detail")
        screen = self.app.manager.get_screen("apply_post_detail")
        keypad = screen.keypad
        for keys in ADDRESS_KEYS:
            for key in keys:
                self.ui.tap(keypad.keys[key])
            if keypad.candidate_buttons:
                self.ui.tap(keypad.candidate_buttons[0])
        if shots:
            self.seen("apply-post-detail")  # may redraw the page: its keyboard is asked again
        detail = screen.keypad.value
        self.ui.tap(screen.buttons["next"])
        for page in ("apply_post_recipient", "apply_post_phone"):  # prefilled: Next as they are
            self.arrive(page, page.replace("_", "-") if shots else None)
            page_screen = self.app.manager.get_screen(page)
            if page_screen.buttons["next"].disabled:
                raise AssertionError(f"{page} was not prefilled")
            self.ui.tap(page_screen.buttons["next"])
        self.ui.wait_until(lambda: self.app.manager.current in ("apply_materials", "apply_review"),
                           what="address done")
        return detail

    def capture(self, key: str, shots: bool = False) -> None:
        """Photograph one material under the document camera and use the picture."""
        self.ui.tap_button("apply_materials", f"capture:{key}")
        self.arrive("apply_capture")
        self.ui.tap(self.app.manager.get_screen("apply_capture").buttons["take"])
        self.ui.wait_until(lambda: self.state.capture is not None and self.state.capture.preview
                           and self.app._busy is None, timeout=30,
                           what="page captured")
        self.arrive("apply_capture", "apply-capture" if shots else None)
        self.ui.tap_button("apply_capture", "use")
        self.arrive("apply_materials")

    def settle_materials(self, defer: bool = True, shots: bool = False) -> None:
        """Capture each material the citizen must give (or declare 容缺 where allowed), then
        accept the commitment if anything was deferred; ends on the review."""
        first_capture = shots
        for entry in list(self.state.materials):
            if not self.flow.needs_action(entry) or entry["key"] in self.state.provided:
                continue
            if defer and entry["spec"]["necessity"] == "deferrable":
                self.ui.tap_button("apply_materials", f"defer:{entry['key']}")
                self.arrive("apply_materials")
            else:
                self.capture(entry["key"], first_capture)
                first_capture = False
        if shots:
            self.seen("apply-materials")
        self.ui.tap_button("apply_materials", "next")
        if self.flow.deferred_keys():
            self.arrive("apply_commitment", "apply-commitment" if shots else None)
            self.ui.tap_button("apply_commitment", "accept")
        self.arrive("apply_review")

    def to_consent(self, shots: bool = False) -> None:
        if shots:
            self.seen("apply-review")
        self.ui.tap_button("apply_review", "continue")
        self.arrive("apply_consent", "apply-consent" if shots else None)

    def reach_consent(self, window: str, code: str, shots: bool = False) -> int:
        """The whole application up to the consent page: the item's guide, the card, every
        form page, the materials (容缺 where allowed), the review. Returns the form's pages."""
        self.open_item(window, code, shots)
        self.identify(shots=shots)
        pages = self.fill_form(shots)
        self.arrive("apply_materials")
        self.settle_materials(defer=True, shots=shots)
        self.to_consent(shots)
        return pages

    def submit(self, expect: str = "apply_result") -> None:
        """Agree and submit; waits for the back office's answer. Asked first who is at the
        glass (the presence policy), the citizen types the code texted to their phone."""
        app = self.app
        self.ui.tap(app.manager.get_screen("apply_consent").buttons["submit"])
        self.ui.wait_until(lambda: app.manager.current != "apply_consent" and app._busy is None,
                           timeout=30, what="submission answered")
        if app.manager.current in ("face_consent", "presence_code"):
            self.confirm_by_code()
            self.ui.wait_until(lambda: app.manager.current not in ("face_consent", "presence_code", "apply_consent")
                               and app._busy is None, timeout=30, what="submission answered")
        if self.app.manager.current != expect:
            raise AssertionError(f"on {self.app.manager.current!r}, not {expect!r}: {self.state.problems}")

    def confirm_by_code(self) -> None:
        """Confirm it is them with the code texted to their phone (the face offered first is
        declined). Where the back office cannot be reached the journey goes on without it."""
        app = self.app
        self.ui.choose_code()
        self.ui.wait_until(lambda: app._busy is None and app.manager.current != "face_consent", timeout=30,
                           what="the code screen, or the journey going on without one")
        if app.manager.current == "presence_code":
            self.ui.type_code(phone=self._own_phone())

    def _own_phone(self) -> str:
        """The number the carriers' registry has in the citizen's name, for a page asking for
        one: a demo person's (assets/seed/demo.json), else the one the citizen types in forms."""
        identity = self.app.session.identity
        people = json.loads(self.app.kiosk_config.demo_people_file.read_text(encoding="utf-8"))["people"]
        return next((str(p.get("phone") or "") for p in people
                     if identity is not None and p.get("document_number") == identity.document_number),
                    ANSWERS["phone"])

    def wait_for_receipt_printed(self) -> None:
        self.ui.wait_until(lambda: self.state.printed and self.app._busy is None, timeout=30,
                           what="receipt printed")
