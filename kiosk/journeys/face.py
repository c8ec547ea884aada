"""Confirming it is them by their face (人证核验), where the presence policy asks for it and
the kiosk has a face camera: a consent page of its own, the camera with a face guide, a
head turn the back office asked for, and the back office's answer. The kiosk only films;
the back office checks that a live face turned as asked and compares it with a reference
it trusts (backoffice/presence_face.py).

The texted code and the staffed window stay one tap away on every page, and after two
checks that did not confirm it the citizen is offered them, without blame. Frames live
only in the worker thread that takes and sends them."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from domain.i18n import N_
from domain.identity import DocumentKind
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen
from services.api import BackofficeError, BackofficeRefused

log = logging.getLogger(__name__)

# The consent text's version, audited with every check: a new text gets a new version.
CONSENT_VERSION = "kiosk-face-2026.2"  # the consent page's text: a new one whenever it changes
FAILURES_BEFORE_OTHER_WAYS = 2
READY_CUES = 2  # the face in the guide for this many cues in a row (about half a second) starts the turn
# The frames spread from the moment the turn is asked (the first still facing the camera)
# over the time a citizen takes to hear it and turn; longer in elder mode.
TURN_SECONDS, ELDER_TURN_SECONDS = 3.0, 4.0
FACE_KINDS = (DocumentKind.RESIDENT_ID, DocumentKind.PASSPORT)

MSG_CONSENT_WHAT_ID = N_(
    "The camera takes a few pictures of your face while you turn your head or close your eyes as asked. "
    "The county's service system compares them with your photo on record at Hainan's real-person "
    "authentication service.")
MSG_CONSENT_WHAT_PASSPORT = N_(
    "The camera takes a few pictures of your face while you turn your head or close your eyes as asked. "
    "The county's service system compares them with the photo in your passport's chip.")
MSG_CONSENT_KEPT = N_(
    "Nothing of your face is kept: the pictures are deleted as soon as the answer is known. Only the "
    "answer, its score, the method used and that you agreed are recorded.")
MSG_CONSENT_CHOICE = N_(
    "You do not have to use your face. You can have a code texted to your phone instead, "
    "or ask at the staffed window.")
MSG_LOOK = N_("Look at the camera and keep your face inside the oval.")
MSG_TURN = {
    "turn_left": N_("Now turn your head slowly to your left, then look back at the camera."),
    "turn_right": N_("Now turn your head slowly to your right, then look back at the camera."),
    "blink": N_("Now close your eyes for a second, then open them again."),
}
FACE_ACTIONS = tuple(MSG_TURN)  # what this kiosk has the words and the voice to ask
MSG_CHECKING = N_("Checking…")
MSG_ASKING = N_("Preparing the face check…")
MSG_CONFIRMED = N_("Thank you. It is you.")
# After a check that did not confirm it: what to do differently, never whose fault it was.
MSG_AGAIN = {
    "face_none": N_("We could not see your face clearly. Let us try once more: look straight at the camera."),
    "face_many": N_("We saw more than one person. Let us try once more, with only you in front of the camera."),
}
MSG_AGAIN_OTHER = N_("We could not confirm it this time. Let us try once more: "
                     "look at the camera, and do slowly what you are asked.")
MSG_OTHER_WAYS = N_("We could not confirm it by your face this time. This can happen, for example in "
                    "poor light. Please use one of these ways instead.")
MSG_FACE_UNAVAILABLE = N_("The face check cannot be done here just now. Please use one of these ways instead.")
MSG_CAMERA_FAILED = N_("The camera is not working just now. Please use one of these ways instead.")
MSG_WINDOW = N_(
    "The staffed window of the Chengmai County Government Service Centre, Wenhua North Road, Jinjiang "
    "Town, can confirm it is you (working days 9:00-12:00 and 14:30-17:30). The 12345 hotline can help too.")


class Phase(StrEnum):
    WAITING = "waiting"  # the guide shown; the turn starts once the face sits in it
    TURNING = "turning"  # the frames are being taken
    CHECKING = "checking"  # the back office is deciding


@dataclass
class FaceState:
    asker: str
    back_to: str
    document_kind: DocumentKind
    challenge: str = ""
    action: str = ""
    frames_wanted: int = 5
    failures: int = 0
    phase: Phase = Phase.WAITING
    cue: str = ""  # the face guide's last cue (devices.face.cue.CueKind's value)
    ready_cues: int = 0
    notice: str = ""  # a message id shown above the camera (after a check that did not confirm it)
    other_ways_reason: str = MSG_OTHER_WAYS


class FaceJourney(Journey):
    name = "face"
    State = FaceState
    ENTRIES = (Screen.FACE_CONSENT,)
    FLOW = {
        Screen.FACE_CONSENT: (Screen.FACE_CAMERA, Screen.FACE_OTHER_WAYS),
        Screen.FACE_CAMERA: (Screen.FACE_CAMERA, Screen.FACE_OTHER_WAYS),
        Screen.FACE_OTHER_WAYS: (),
    }

    def __init__(self, controller):
        super().__init__(controller)
        self._listening = None  # the cue listener while the camera runs for this journey

    @property
    def camera(self):
        devices = self.kiosk.devices
        return getattr(devices, "face", None) if devices is not None else None

    def offer(self, asker: str, back_to: str, chip_read: bool = False) -> bool:
        """Opens the consent page when a face can confirm this citizen here: a face camera,
        and a card whose holder the back office can compare (a resident ID card, or a
        passport whose chip was just read: its proven DG2 face). False when not, and the
        caller goes on by code."""
        identity = self.session.identity
        if self.camera is None or identity is None or identity.kind not in FACE_KINDS:
            return False
        if identity.kind is DocumentKind.PASSPORT and not chip_read:
            return False
        if self.kiosk.api.answered_last is False:  # offline: no one could decide; the code's way knows what to do
            return False
        self.session.keep(FaceState(asker=asker, back_to=back_to, document_kind=identity.kind))
        self.go(Screen.FACE_CONSENT)
        return True

    def consent_text(self) -> list[str]:
        state = self.current_state()
        passport = state is not None and state.document_kind is DocumentKind.PASSPORT
        return [MSG_CONSENT_WHAT_PASSPORT if passport else MSG_CONSENT_WHAT_ID, MSG_CONSENT_KEPT, MSG_CONSENT_CHOICE]

    # --- the check -------------------------------------------------------------------------
    def agree(self) -> None:
        """The citizen agreed on the consent page: the back office names the head turn."""
        state, identity = self.current_state(), self.session.identity
        if state is None or identity is None:
            return
        api, ref, kind = self.kiosk.api, self.session.ref, state.document_kind.value
        number, name = identity.document_number, identity.name

        def work():
            try:
                return api.face_challenge(ref, kind, number, name, CONSENT_VERSION, actions=FACE_ACTIONS)
            except BackofficeError as exc:
                return exc

        self.kiosk.in_background(work, self._issued, back_to=state.back_to, busy=MSG_ASKING)

    def _issued(self, answer) -> None:
        state = self.current_state()
        if state is None:
            return
        if isinstance(answer, BackofficeRefused):  # no reference for them, the service down, too many checks
            log.info("no face check", extra={"status": answer.status, "code": answer.code})
            self._other_ways(state, MSG_FACE_UNAVAILABLE)
            return
        if isinstance(answer, BackofficeError):
            self._unreachable(answer)
            return
        state.challenge, state.action = str(answer["challenge"]), str(answer["actions"][0])
        state.frames_wanted = int(answer.get("frames_wanted", 5))
        self._watch()

    def _watch(self) -> None:
        """The camera page, waiting for the face to sit in the guide."""
        state = self.current_state()
        state.phase, state.ready_cues, state.cue = Phase.WAITING, 0, ""
        camera = self.camera
        if self._listening is None:
            self._listening = self.kiosk.for_this_session(self.cue_seen)
            camera.subscribe(self._listening)
        camera.open()
        self.kiosk.say(state.notice or MSG_LOOK)
        self.go(Screen.FACE_CAMERA)

    def cue_seen(self, cue) -> None:
        """Where the face is now (on the main thread): a face held in the guide starts the turn."""
        state = self.current_state()
        if state is None or state.phase is not Phase.WAITING or self.ui.current_screen() != Screen.FACE_CAMERA:
            return
        state.cue = cue.kind.value
        state.ready_cues = state.ready_cues + 1 if cue.ready else 0
        if state.ready_cues >= READY_CUES:
            self._turn(state)

    def _turn(self, state: FaceState) -> None:
        state.phase = Phase.TURNING
        camera, api, ref, challenge = self.camera, self.kiosk.api, self.session.ref, state.challenge
        frames, seconds = state.frames_wanted, ELDER_TURN_SECONDS if self.kiosk.elder_mode else TURN_SECONDS
        sending = self.kiosk.for_this_session(self._sending)
        self.kiosk.say(MSG_TURN.get(state.action, MSG_LOOK), priority=1)
        camera.instructed(state.action)

        def work():
            burst = camera.capture_burst(frames, seconds)
            camera.instructed("")
            if not burst.ok:
                return burst
            sending()
            try:
                return api.face_grant(ref, challenge, burst.jpegs, burst.infrared)
            except BackofficeError as exc:
                return exc

        self.kiosk.in_background(work, self._checked, back_to=state.back_to)

    def _sending(self) -> None:
        state = self.current_state()
        if state is not None and state.phase is Phase.TURNING:
            state.phase = Phase.CHECKING
            self.ui.show_busy(self._(MSG_CHECKING))

    def _checked(self, answer) -> None:
        state = self.current_state()
        self.ui.show_busy(None)
        if state is None:
            return
        if isinstance(answer, dict):
            self._stop_camera()
            self.kiosk.say(MSG_CONFIRMED)
            self.session.discard(FaceState)
            self.kiosk.journey("presence").granted(str(answer["grant"]))
            return
        if isinstance(answer, BackofficeRefused):
            self._refused(state, answer)
        elif isinstance(answer, BackofficeError):
            self._unreachable(answer)
        else:  # the camera gave no frames: not the citizen's doing
            log.warning("face burst failed", extra={"reason": answer.reason})
            self._other_ways(state, MSG_CAMERA_FAILED)

    def _refused(self, state: FaceState, refusal: BackofficeRefused) -> None:
        # The reason's code and the score, never a frame or the citizen's number.
        log.info("face not confirmed", extra={"status": refusal.status, "code": refusal.code,
                                              "score": refusal.extra.get("score")})
        if refusal.status == 403 and refusal.code in ("face_none", "face_many", "face_not_live", "face_no_match",
                                                        "frames_replayed"):
            state.failures += 1
            if state.failures >= FAILURES_BEFORE_OTHER_WAYS or int(refusal.extra.get("tries_left", 0)) <= 0:
                self._other_ways(state, MSG_OTHER_WAYS)
                return
            state.notice = MSG_AGAIN.get(refusal.code, MSG_AGAIN_OTHER)
            self._watch()
        else:  # spent, expired, the service down, a frame it could not read
            self._other_ways(state, MSG_FACE_UNAVAILABLE)

    def _unreachable(self, error: BackofficeError) -> None:
        self._stop_camera()
        self.session.discard(FaceState)
        self.kiosk.journey("presence").unreachable(error)

    def _other_ways(self, state: FaceState, reason: str) -> None:
        self._stop_camera()
        state.challenge, state.other_ways_reason = "", reason
        self.kiosk.say(reason)
        self.go(Screen.FACE_OTHER_WAYS)

    # --- the other ways --------------------------------------------------------------------
    def use_code(self) -> None:
        """A code texted to the citizen's phone instead (the presence journey's way)."""
        self._stop_camera()
        self.session.discard(FaceState)
        self.kiosk.journey("presence").send_code()

    def ask_at_the_window(self) -> None:
        state = self.current_state()
        back_to = state.back_to if state is not None else Screen.HOME
        self._stop_camera()
        self.session.discard(FaceState)
        self.ui.show_message(N_("Confirm it at the staffed window"), MSG_WINDOW, back_to=back_to)

    def back(self) -> None:
        state = self.current_state()
        self._stop_camera()
        self.session.discard(FaceState)
        self.ui.navigate(state.back_to if state is not None else Screen.HOME)

    def _stop_camera(self) -> None:
        camera = self.camera
        if camera is None:
            return
        if self._listening is not None:
            camera.unsubscribe(self._listening)
            self._listening = None
        camera.close()

    def reset(self) -> None:
        """The session ended (or the kiosk crashed out of it): the camera stops filming."""
        self._stop_camera()
