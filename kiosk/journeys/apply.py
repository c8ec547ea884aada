"""Self-submit (自助办): identify, the item's form page by page (prefilled from the card),
the materials checklist (document camera, e-licence, or 容缺 with the commitment), a masked
review, a separate consent, one submission with one idempotency key, the result, the
收件凭证 printed and the key facts spoken. A "一件事" bundle is one submission.

Everything the citizen enters lives in the session's ApplyState and is wiped with the
session; captured pages are session temp files, deleted at session end."""
from __future__ import annotations

import base64
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.cases import CaseDetail
from domain.county import CST
from domain.i18n import N_, in_language
from domain.ids import is_mobile_number, is_valid_credit_code, is_valid_resident_id, mask_name, mask_phone
from domain.receipts import ApplicationReceipt
from kiosk.journeys import Journey
from kiosk.journeys.apply_post import DELIVERY, PostAddress, PostStep
from kiosk.journeys.presence_policy import Way
from kiosk.ui.screen_names import Screen
from services.deliveries import APPLICATION, GRANT
from services.outbox_sender import QUEUED, REFUSED
from services.receipts import application_receipt, promised_lines, queued_application_slip

log = logging.getLogger(__name__)
PREVIEW_HEIGHT_PX = 900  # the capture page shows the captured page this tall

PHONE_FIELD = {"code": "contact_phone", "label": "联系电话", "label_en": "Contact phone",
               "datatype": "string", "format": "phone", "required": True}

MSG_SENDING = N_("Sending your application…")
MSG_CAPTURING = N_("Taking the picture…")
MSG_PRINTING = N_("Printing your receipt…")
MSG_RECEIPT_SPOKEN = N_("Application receipt. Case number {number}. {item}.")
MSG_QUEUED = N_(
    "The county service cannot be reached right now. Your application is kept safely at this kiosk "
    "and will be sent by itself. Reference {reference}. Please take your slip."
)
MSG_RECEIVED = N_("Your application has been received. Case number {number}. Please take your receipt.")
MSG_NO_PAGE = N_("The page was not found. Lay it flat in the marked area, face up, and try again.")
MSG_NO_CAMERA = N_("The document camera is not working. You can supply this material later (容缺) "
                   "if the guide allows it, or apply at the service centre.")


def field_kind(field: dict) -> str:
    """Which input a field gets: choice, choices, digits, phone, date, id, alnum, text."""
    datatype, fmt = field.get("datatype", "string"), field.get("format") or ""
    if datatype == "singlevaluelist":
        return "choice"
    if datatype == "multivaluelist":
        return "choices"
    if datatype == "number":
        return "digits"
    if datatype == "datetime":
        return "date"
    if fmt in ("phone", "id_number", "credit_code"):
        return {"phone": "phone", "id_number": "id", "credit_code": "alnum"}[fmt]
    return "text"


def valid_answer(field: dict, value) -> bool:
    if value in (None, "", []):
        return not field.get("required")
    kind = field_kind(field)
    if kind == "phone":
        return is_mobile_number(value)
    if kind == "id":
        return is_valid_resident_id(value)
    if kind == "alnum" and field.get("format") == "credit_code":
        return is_valid_credit_code(value)
    if kind == "date":
        try:
            dt.date.fromisoformat(value[:10])
            return len(value) >= 10
        except ValueError:
            return False
    if kind == "digits":
        return str(value).isdigit()
    return True


def with_pages(application: dict) -> dict:
    """The application with each captured page's JPEG read from its session file."""
    materials = []
    for material in application["materials"]:
        if "path" in material:
            material = dict(material)
            material["content_b64"] = base64.b64encode(Path(material.pop("path")).read_bytes()).decode("ascii")
        materials.append(material)
    return {**application, "materials": materials}


@dataclass
class Provided:
    """How a material is given: a captured page, an e-licence, shared by the departments,
    or 容缺 (supplied later)."""
    mode: str  # capture | e_licence | shared | deferred
    path: str = ""  # a captured page's session file
    licence_id: str = ""


@dataclass
class Capture:
    """The capture page while it is open: for which material, the page taken (not yet used)."""
    key: str
    preview: str = ""  # the captured page's session file
    preview_pixels: Any = None  # its small grey copy, shown as it is
    error: str = ""  # a message id


@dataclass
class Queued:
    """An application kept at this kiosk while the county could not be reached."""
    reference: str
    kept_at: dt.datetime


@dataclass
class ApplyState:
    bundle_code: str = ""
    item_code: str = ""
    title_zh: str = ""
    title_en: str = ""
    fields: list[dict] = field(default_factory=list)  # the form, from the guides
    materials: list[dict] = field(default_factory=list)  # {"key", "spec" (the guide's), "item"}
    pages: list[str] = field(default_factory=list)  # the fields asked, one a page (not those from the card)
    page: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    draft: Any = None  # the open page's input before Next: the typed text, or the choices ticked
    provided: dict[str, Provided] = field(default_factory=dict)  # by material key
    capture: Capture | None = None
    commitment: bool = False  # the 容缺 credit commitment accepted
    consent: bool = False
    sms_notices: bool = False  # asked on the consent page: texts about the case to the contact phone
    post: PostAddress | None = None  # the result's postal address, once post is chosen (apply_post.py)
    towns: list[dict] | None = None  # the towns the address step offers (None: none copied or reachable)
    idempotency_key: str = ""
    problems: list[dict] = field(default_factory=list)  # what the back office refused
    review_seen: bool = False  # after the review, changing an answer returns to it
    case: CaseDetail | None = None
    receipt: ApplicationReceipt | None = None
    queued: Queued | None = None
    printed: bool = False
    # The back office could not be asked who is at the glass: the application goes to the
    # outbox with the card read as its only evidence, which the clerk checks in person.
    presence_unreachable: bool = False


class ApplyJourney(Journey):
    name = "apply"
    attract_action = (1, N_("Apply"), Screen.CATALOGUE)
    State = ApplyState
    BACK = {Screen.APPLY_COMMITMENT: Screen.APPLY_MATERIALS, Screen.APPLY_REVIEW: Screen.APPLY_MATERIALS,
            Screen.APPLY_CONSENT: Screen.APPLY_REVIEW,
            Screen.APPLY_POST_VILLAGE: Screen.APPLY_POST_TOWN, Screen.APPLY_POST_DETAIL: Screen.APPLY_POST_VILLAGE,
            Screen.APPLY_POST_RECIPIENT: Screen.APPLY_POST_DETAIL, Screen.APPLY_POST_PHONE: Screen.APPLY_POST_RECIPIENT}
    FLOW = {
        Screen.GUIDE: (Screen.APPLY_IDENTIFY, Screen.APPLY_FIELD, Screen.APPLY_MATERIALS),
        Screen.APPLY_IDENTIFY: (Screen.GUIDE, Screen.APPLY_FIELD, Screen.APPLY_MATERIALS),
        Screen.IDENTIFY_PLACE: (Screen.APPLY_FIELD, Screen.APPLY_MATERIALS),  # a passport read for the application
        Screen.APPLY_FIELD: (Screen.APPLY_FIELD, Screen.APPLY_MATERIALS, Screen.APPLY_REVIEW, Screen.GUIDE,
                             Screen.APPLY_POST_TOWN),
        Screen.APPLY_POST_TOWN: (Screen.APPLY_POST_VILLAGE, Screen.APPLY_FIELD, Screen.APPLY_REVIEW,
                                 Screen.APPLY_MATERIALS, Screen.GUIDE),
        Screen.APPLY_POST_VILLAGE: (Screen.APPLY_POST_DETAIL,),
        Screen.APPLY_POST_DETAIL: (Screen.APPLY_POST_RECIPIENT,),
        Screen.APPLY_POST_RECIPIENT: (Screen.APPLY_POST_PHONE,),
        Screen.APPLY_POST_PHONE: (Screen.APPLY_MATERIALS, Screen.APPLY_REVIEW, Screen.APPLY_POST_TOWN),
        Screen.APPLY_MATERIALS: (Screen.APPLY_CAPTURE, Screen.APPLY_MATERIALS, Screen.APPLY_COMMITMENT,
                                 Screen.APPLY_REVIEW, Screen.APPLY_FIELD, Screen.GUIDE, Screen.APPLY_POST_PHONE),
        Screen.APPLY_CAPTURE: (Screen.APPLY_CAPTURE, Screen.APPLY_MATERIALS),
        Screen.APPLY_COMMITMENT: (Screen.APPLY_REVIEW,),
        Screen.APPLY_REVIEW: (Screen.APPLY_CONSENT, Screen.APPLY_FIELD, Screen.APPLY_MATERIALS,
                              Screen.APPLY_POST_TOWN),
        Screen.APPLY_CONSENT: (Screen.APPLY_RESULT, Screen.APPLY_PROBLEMS),
        Screen.APPLY_PROBLEMS: (Screen.APPLY_REVIEW, Screen.APPLY_FIELD, Screen.APPLY_POST_TOWN),
        # Confirmed who is at the glass (or the back office found unreachable meanwhile): the answer.
        **{asked: (Screen.APPLY_RESULT, Screen.APPLY_PROBLEMS) for asked in (
            Screen.PRESENCE_CODE, Screen.FACE_CONSENT, Screen.FACE_CAMERA, Screen.FACE_OTHER_WAYS)},
    }

    def __init__(self, controller):
        super().__init__(controller)
        self.last_receipt = None
        self.last_receipt_preview: Path | None = None
        self._camera_open = False
        self.post = PostStep(self)  # the address step of a result by post

    @property
    def state(self) -> ApplyState | None:
        return self.session.peek(ApplyState)

    @property
    def catalogue(self):
        return self.kiosk.journey("catalogue")

    def start(self) -> None:
        """办事: choose the service first (the guide has the Apply button)."""
        self.catalogue.start()

    # --- beginning --------------------------------------------------------------------
    def begin(self) -> None:
        """From a guide: start an application for the item (or bundle) on show."""
        guides = self.catalogue.current_guides()
        if not guides or not self.catalogue.can_apply_here():
            return
        on_show = self.catalogue.state.bundle
        bundle = on_show.bundle if on_show else None
        fields, seen = [], set()
        for guide in guides:
            for question in guide.get("form") or []:
                if question["code"] not in seen:
                    seen.add(question["code"])
                    fields.append(question)
        if not any(f.get("format") == "phone" and f["code"] == "contact_phone" for f in fields):
            fields.append(dict(PHONE_FIELD))
        materials = []
        for guide in guides:
            for spec in guide.get("materials") or []:
                key = f"{guide['code']}/{spec['code']}" if bundle else spec["code"]
                materials.append({"key": key, "spec": spec, "item": guide["code"]})
        self.session.keep(ApplyState(
            bundle_code=bundle["code"] if bundle else "", item_code="" if bundle else guides[0]["code"],
            title_zh=(bundle or guides[0])["name"], title_en=(bundle or guides[0]).get("name_en", ""),
            fields=fields, materials=materials))
        if self.session.identity is None:
            self.wait_for_identity()
            self.go(Screen.APPLY_IDENTIFY)
        else:
            self.identified()

    def title(self) -> str:
        """The item's (or bundle's) name in the current language: the citizen may switch mid-way."""
        state = self.state
        if state is None:
            return ""
        return in_language(state.title_zh, state.title_en, self.kiosk.translator.language)

    def cancel_identify(self) -> None:
        """Back from the card prompt to the guide: no longer waiting for a card."""
        self.session.resume_after_identify = ""
        self.go(Screen.GUIDE)

    def identified(self) -> None:
        state, identity = self.state, self.session.identity
        if state is None or identity is None:
            return
        state.pages = []
        for question in state.fields:
            if question.get("format") == "id_number" and question["code"] == "id_number":
                state.answers[question["code"]] = identity.document_number  # from the card
            else:
                state.pages.append(question["code"])
        for entry in state.materials:  # what needs nothing from the citizen is settled now
            spec = entry["spec"]
            library = self.kiosk.licence_library  # None: no e-licence library reachable from this kiosk
            if spec.get("source") == "e_licence" and spec.get("licence_type_code") and library is not None:
                licence = library.licence_for(identity.document_number, spec["licence_type_code"])
                if licence:
                    state.provided[entry["key"]] = Provided("e_licence", licence_id=licence)
            elif spec.get("source") == "data_sharing":
                state.provided[entry["key"]] = Provided("shared")
        state.page = 0
        self.go(Screen.APPLY_FIELD if state.pages else Screen.APPLY_MATERIALS)

    # --- form pages -------------------------------------------------------------------
    def field(self, code: str) -> dict | None:
        state = self.state
        return next((f for f in state.fields if f["code"] == code), None) if state else None

    def current_field(self) -> dict | None:
        state = self.state
        if not state or not state.pages:
            return None
        return self.field(state.pages[min(state.page, len(state.pages) - 1)])

    def page_position(self) -> tuple[int, int]:
        """(this page's number from 1, how many pages)."""
        state = self.state
        return (state.page + 1, len(state.pages)) if state else (0, 0)

    def saved_answer(self, code: str) -> Any:
        state = self.state
        return state.answers.get(code) if state else None

    def draft(self) -> Any:
        """The open page's input before Next, or None before anything was typed or ticked."""
        state = self.state
        return state.draft if state else None

    def keep_draft(self, value: Any) -> None:
        """What is typed or ticked on the open page, kept across a language switch."""
        if self.state is not None:
            self.state.draft = value

    def toggle_choice(self, key: str) -> None:
        """A page of several choices: tick or untick one."""
        state, question = self.state, self.current_field()
        if state is None or question is None:
            return
        chosen = list(state.draft if state.draft is not None else (state.answers.get(question["code"]) or []))
        state.draft = [k for k in chosen if k != key] if key in chosen else chosen + [key]

    def answer(self, value) -> None:
        """The current page's answer; on to the next page (or back to the review)."""
        state, field = self.state, self.current_field()
        if field is None or not valid_answer(field, value):
            return
        state.answers[field["code"]] = value
        state.draft = None
        if field["code"] == DELIVERY:
            self.post.answered(value)
        if state.page + 1 < len(state.pages) and not state.review_seen:
            state.page += 1
            self.go(Screen.APPLY_FIELD)
        elif self.post.needed():  # after the form's last page, so the contact phone is known to prefill
            self.post.start()
        elif state.review_seen:
            self.go(Screen.APPLY_REVIEW)
        else:
            self.go(Screen.APPLY_MATERIALS)

    def previous_page(self) -> None:
        state = self.state
        if state is None:
            return
        state.draft = None
        if state.review_seen:
            self.go(Screen.APPLY_REVIEW)
        elif state.page > 0:
            state.page -= 1
            self.go(Screen.APPLY_FIELD)
        else:
            self.go(Screen.GUIDE)

    def edit_field(self, code: str) -> None:
        state = self.state
        if state and code in state.pages:
            state.page = state.pages.index(code)
            state.draft = None
            self.go(Screen.APPLY_FIELD)

    def contact_phone(self) -> str:
        state = self.state
        if state is None:
            return ""
        phone = state.answers.get("contact_phone", "")
        if not phone:
            phone = next((state.answers.get(f["code"], "") for f in state.fields
                          if f.get("format") == "phone"), "")
        return phone

    # --- materials --------------------------------------------------------------------
    def material(self, key: str) -> dict | None:
        state = self.state
        return next((m for m in state.materials if m["key"] == key), None) if state else None

    def provided(self, key: str) -> Provided | None:
        state = self.state
        return state.provided.get(key) if state else None

    def needs_action(self, entry: dict) -> bool:
        spec = entry["spec"]
        return spec.get("source") == "applicant" and spec.get("necessity") in ("required", "deferrable")

    def materials_complete(self) -> bool:
        state = self.state
        return state is not None and all(m["key"] in state.provided for m in state.materials
                                         if self.needs_action(m))

    def to_materials(self) -> None:
        """The materials page, to change one (from the review or a refused application)."""
        self.go(Screen.APPLY_MATERIALS)

    def back_from_materials(self) -> None:
        """To the address's last page for a result by post, else the form's last page (or
        the review, once seen); with no form, to the guide."""
        state = self.state
        if state and not state.review_seen and self.post.wanted() and state.post is not None:
            self.go(Screen.APPLY_POST_PHONE)
        elif state and state.pages:
            state.page = len(state.pages) - 1
            self.go(Screen.APPLY_REVIEW if state.review_seen else Screen.APPLY_FIELD)
        else:
            self.go(Screen.GUIDE)

    def open_capture(self, key: str) -> None:
        state = self.state
        if state is None or self.material(key) is None:
            return
        state.capture = Capture(key)
        doccam = getattr(self.kiosk.devices, "doccam", None)
        if doccam is not None and not self._camera_open:
            doccam.open()
            self._camera_open = True
        self.go(Screen.APPLY_CAPTURE)

    def capture(self) -> None:
        state = self.state
        doccam = getattr(self.kiosk.devices, "doccam", None)
        if state is None or state.capture is None:
            return
        if doccam is None:
            state.capture.error = MSG_NO_CAMERA
            self.go(Screen.APPLY_CAPTURE)
            return
        self._drop_preview()

        def work():
            from devices.doccam.page import preview as page_preview  # OpenCV: with the first capture

            result = doccam.capture()
            return result, (page_preview(result.page, PREVIEW_HEIGHT_PX) if result.ok else None)

        self.kiosk.in_background(work, lambda done: self._captured(*done), back_to=Screen.APPLY_CAPTURE,
                                 busy=MSG_CAPTURING)

    def _captured(self, result, preview) -> None:
        state = self.state
        if state is None or state.capture is None:
            return
        if not result.ok:
            log.info("page not captured", extra={"reason": result.reason})
            state.capture.error = MSG_NO_PAGE
        else:
            path = self.session.files.new("page-", ".jpg")  # gone with the session
            path.write_bytes(result.jpeg)
            state.capture.preview = str(path)
            state.capture.preview_pixels = preview  # shown as it is: no decoding on the UI thread
            state.capture.error = ""
        self.go(Screen.APPLY_CAPTURE)

    def retake(self) -> None:
        self._drop_preview()
        self.capture()

    def _drop_preview(self) -> None:
        capture = self.state.capture if self.state else None
        if capture is not None and capture.preview:
            Path(capture.preview).unlink(missing_ok=True)
        if capture is not None:
            capture.preview, capture.preview_pixels = "", None

    def use_capture(self) -> None:
        state = self.state
        capture = state.capture if state else None
        if state is None or capture is None or not capture.preview:
            return
        old = state.provided.get(capture.key)
        if old is not None and old.path and old.path != capture.preview:
            Path(old.path).unlink(missing_ok=True)
        state.provided[capture.key] = Provided("capture", path=capture.preview)
        state.capture = None
        self.close_camera()
        self.go(Screen.APPLY_MATERIALS)

    def leave_capture(self) -> None:
        state = self.state
        if state is not None:
            self._drop_preview()
            state.capture = None
        self.close_camera()
        self.go(Screen.APPLY_MATERIALS)

    def close_camera(self) -> None:
        doccam = getattr(self.kiosk.devices, "doccam", None)
        if doccam is not None and self._camera_open:
            doccam.close()
        self._camera_open = False

    def defer(self, key: str) -> None:
        """容缺: supply this material later (only where the guide allows it)."""
        state, entry = self.state, self.material(key)
        if state is None or entry is None or entry["spec"].get("necessity") != "deferrable":
            return
        old = state.provided.get(key)
        if old is not None and old.path:
            Path(old.path).unlink(missing_ok=True)
        state.provided[key] = Provided("deferred")
        state.commitment = False  # a new promise needs a new acceptance
        self.go(Screen.APPLY_MATERIALS)

    def materials_done(self) -> None:
        state = self.state
        if state is None or not self.materials_complete():
            return
        if self.deferred_keys() and not state.commitment:
            self.go(Screen.APPLY_COMMITMENT)
        else:
            self.to_review()

    def deferred_keys(self) -> list[str]:
        state = self.state
        return [k for k, v in state.provided.items() if v.mode == "deferred"] if state else []

    def accept_commitment(self) -> None:
        state = self.state
        if state is not None:
            state.commitment = True
            self.to_review()

    def to_review(self) -> None:
        state = self.state
        if state is not None:
            state.review_seen = True
            self.go(Screen.APPLY_REVIEW)

    def to_consent(self) -> None:
        if self.state is None:
            return
        if self.post.needed():  # post chosen on the review, its address left unfinished
            self.post.start()
        else:
            self.go(Screen.APPLY_CONSENT)

    def toggle_sms_notices(self) -> None:
        """Texts about the case, opted into (never the default) on the consent page."""
        if self.state is not None:
            self.state.sms_notices = not self.state.sms_notices

    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone())

    # --- submitting -------------------------------------------------------------------
    def application(self) -> dict:
        """The submission as the back office takes it, except that captured pages are still
        named by their file (`with_pages` reads them, off the UI thread)."""
        state, identity = self.state, self.session.identity
        assert state is not None and identity is not None  # the consent page is reached only so
        materials: list[dict[str, Any]] = []
        for entry in state.materials:
            given = state.provided.get(entry["key"])
            if not given or given.mode in ("shared", "deferred"):
                continue
            spec = entry["spec"]
            if given.mode == "e_licence":
                materials.append({"code": entry["key"], "form": "electronic", "licence_id": given.licence_id})
            elif given.mode == "capture":
                form = "electronic" if "electronic" in (spec.get("forms") or []) else "copy"
                materials.append({"code": entry["key"], "form": form, "copies": int(spec.get("copies", 1)),
                                  "content_type": "image/jpeg", "path": given.path})
        payload = {
            "applicant": {"kind": "person", "document_kind": identity.kind.value,
                          "document_number": identity.document_number, "name": identity.name},
            "contact_phone": self.contact_phone(),
            "answers": {k: v for k, v in state.answers.items() if k != "contact_phone"
                        or any(f["code"] == "contact_phone" for f in self._schema_fields())},
            "materials": materials,
            "deferred": self.deferred_keys(),
            "commitment_signed": bool(state.commitment and self.deferred_keys()),
            "sms_notices": state.sms_notices,
            "notice_language": "en" if self.kiosk.translator.language == "en" else "zh_CN",
        }
        delivery = self.post.delivery()
        if delivery is not None:
            payload["delivery"] = delivery
        if state.bundle_code:
            payload["bundle_code"] = state.bundle_code
        else:
            payload["item_code"] = state.item_code
        return payload

    def _schema_fields(self) -> list[dict]:
        return [f for g in self.catalogue.current_guides() for f in g.get("form") or []]

    def submit(self) -> None:
        """Agree and submit. The application is kept in the outbox (encrypted, on the disk)
        before it is sent; one idempotency key per application, so a retry after a lost
        answer replays the first answer instead of creating a second case."""
        state, identity = self.state, self.session.identity
        if state is None or identity is None or state.case is not None or state.queued:
            return
        state.consent = True
        if self._presence_needed(state):
            self.need_presence(Screen.APPLY_CONSENT)  # back here in confirmed() or unconfirmed()
            return
        payload = self.application()
        if self.session.grant:  # confirmed earlier in this session: the case says so
            payload[GRANT] = self.session.grant
        if not state.idempotency_key:
            state.idempotency_key = uuid.uuid4().hex
        key, outbox, sender = state.idempotency_key, self.kiosk.outbox, self.kiosk.outbox_sender
        document = identity.document_number

        def work():
            item = outbox.put(APPLICATION, with_pages(payload), key, applicant=document)
            return sender.deliver_now(item)

        self.kiosk.in_background(work, self._submitted, back_to=Screen.APPLY_CONSENT, busy=MSG_SENDING)

    def _presence_needed(self, state: ApplyState) -> bool:
        """Submitting in one's own name asks first who is at the glass, as the presence
        policy says (a face, or the code texted to the phone on file)."""
        return not self.session.grant and not state.presence_unreachable \
            and self.kiosk.presence_policy.way(self.name) is not Way.NONE

    def confirmed(self) -> None:
        self.submit()

    def unconfirmed(self, error: Exception, back_to: str) -> None:
        """The back office did not answer: the application is kept in the outbox all the same."""
        state = self.state
        if state is None:
            return
        log.info("presence not confirmed: back office unreachable", extra={"error": type(error).__name__})
        state.presence_unreachable = True
        self.ui.navigate(Screen.APPLY_CONSENT)
        self.submit()

    def _submitted(self, delivery) -> None:
        state = self.state
        if state is None:
            return
        if delivery.status == REFUSED:
            refused = delivery.error
            log.info("application refused", extra={"status": refused.status, "problems": len(refused.problems)})
            state.problems = list(refused.problems) or [{"problem": "refused"}]
            state.idempotency_key = ""  # nothing was created; the corrected application is a new request
            self.go(Screen.APPLY_PROBLEMS)
            return
        if delivery.status == QUEUED:
            item = delivery.item
            log.info("application kept for later", extra={"item": item.id})
            state.queued = Queued(item.reference, dt.datetime.fromtimestamp(item.created_at, CST))
            state.problems = []
            self.go(Screen.APPLY_RESULT)
            self.kiosk.say(MSG_QUEUED, reference=" ".join(item.reference))
            self.print_receipt()
            return
        case, receipt = delivery.value
        state.case, state.receipt, state.problems = case, receipt, []
        self.go(Screen.APPLY_RESULT)
        self.kiosk.say(MSG_RECEIVED, number=" ".join(case.number))
        self.print_receipt()

    def queued_slip(self):
        """The slip of an application kept for later (services/receipts.py)."""
        state, identity = self.state, self.session.identity
        assert state is not None and state.queued is not None
        item_name = in_language(state.title_zh, state.title_en, self.kiosk.translator.language)
        materials = sum(1 for given in state.provided.values() if given.mode == "capture")
        return queued_application_slip(state.queued.reference, item_name,
                                       mask_name(identity.name) if identity else "", materials,
                                       state.queued.kept_at, self.kiosk.terminal_id, dt.datetime.now(CST), self._)

    def print_receipt(self) -> None:
        state = self.state
        if state is None or (state.receipt is None and not state.queued):
            return
        if state.queued:
            slip = self.queued_slip()
        else:
            assert state.receipt is not None
            slip = application_receipt(state.receipt, dt.datetime.now(CST), self._, self.kiosk.translator.language)
        self.print_slip(slip, back_to=Screen.APPLY_RESULT, busy=MSG_PRINTING, preview_name="receipt",
                        then=lambda preview: self._printed(slip, preview))

    def _printed(self, slip, preview: Path | None) -> None:
        state = self.state
        if state is not None:
            state.printed = True
        self.last_receipt, self.last_receipt_preview = slip, preview  # a session file: gone with it
        self.ui.show_toast(self._(N_("Please take your receipt")))

    def read_receipt_aloud(self) -> None:
        """The 收件凭证's content on request: the case and its dates for anyone, the
        applicant's (masked) name only through a handset (kiosk/voice.py)."""
        state = self.state
        receipt = state.receipt if state else None
        if receipt is None:
            return
        language = self.kiosk.translator.language
        parts = [self._(MSG_RECEIPT_SPOKEN).format(number=" ".join(receipt.case_number),
                                                   item=receipt.item_name_in(language))]
        parts += promised_lines(receipt, self._, language)
        parts.append(self._(N_("Keep the receipt: its QR code shows the progress. Hotline {hotline}.")).format(
            hotline=receipt.hotline))
        private = self._(N_("Applicant: {name}.")).format(name=receipt.applicant_masked)
        self.kiosk.voice.read_aloud(" ".join(parts), private)

    def fix_problems(self) -> None:
        """From the problems page: back to the review, everything entered kept."""
        if self.state is not None:
            self.to_review()

    def reset(self) -> None:
        self.close_camera()
        self.last_receipt = None
        self.last_receipt_preview = None
