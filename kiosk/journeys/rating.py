"""Rate the service (好差评, GB/T 39734-2020): five levels with faces and words, reasons
required for the two low levels (差评, which open a rectification at the back office),
an optional comment from preset phrases; one rating per case.

Reached after collecting a result (the case is known) or from the attract screen
(identify, then pick one of the applicant's cases)."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from domain.cases import CaseStatus, CaseSummary
from domain.i18n import N_
from kiosk.i18n import Translator
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen
from services.deliveries import GRANT, RATING
from services.outbox_sender import QUEUED, REFUSED

log = logging.getLogger(__name__)

# (level, word) from best to worst, as the national standard names them.
LEVELS = (
    (5, N_("Very satisfied")),    # 非常满意
    (4, N_("Satisfied")),         # 满意
    (3, N_("Fairly satisfied")),  # 基本满意
    (2, N_("Dissatisfied")),      # 不满意
    (1, N_("Very dissatisfied")), # 非常不满意
)
LOW_LEVELS = (1, 2)  # 差评: at least one reason is required
REASONS = (
    N_("Took too long"),
    N_("Asked for materials more than once"),
    N_("Had to come more than once"),
    N_("Staff attitude"),
    N_("Information was unclear"),
    N_("The kiosk was hard to use"),
    N_("Fees were unclear"),
)
COMMENTS = (
    N_("Please call me back"),
    N_("Thank you"),
    N_("The staff were helpful"),
    N_("Please make it faster"),
    N_("The kiosk was easy to use"),
)
# Cases a rating can be given for (the back office's rule; withdrawn and terminated cannot).
RATEABLE = {CaseStatus.COMPLETED, CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.DECIDED,
            CaseStatus.IN_REVIEW, CaseStatus.ACCEPTED, CaseStatus.RECEIVED, CaseStatus.CORRECTION_REQUIRED}

MSG_ALREADY_RATED = N_("This case has already been rated. Each case can be rated once. Thank you.")
MSG_CANNOT_RATE = N_("This case cannot be rated now. Please ask at the service centre, or call 12345.")


def level_word(level: int) -> str:
    return dict(LEVELS)[level]


@dataclass
class RatingDraft:
    """One case's rating as the citizen builds it, then what became of it."""
    number: str
    item_name: str
    item_name_en: str = ""
    level: int | None = None
    reasons: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    key: str = field(default_factory=lambda: uuid.uuid4().hex)  # the outbox's idempotency key
    stored: bool = False
    queued: bool = False  # kept at this kiosk, sent when the county answers
    rectification: bool = False  # a low rating opened a rectification


@dataclass
class RatingState:
    draft: RatingDraft | None = None


class RatingJourney(Journey):
    name = "rating"
    State = RatingState
    BACK = {Screen.RATING_CASES: Screen.HOME, Screen.RATING_REASONS: Screen.RATING_LEVELS}
    ENTRIES = (Screen.RATING_START, Screen.RATING_CASES, Screen.RATING_LEVELS)  # levels: right after collecting
    FLOW = {
        Screen.RATING_START: (Screen.RATING_CASES,),
        Screen.RATING_CASES: (Screen.RATING_LEVELS,),
        Screen.RATING_LEVELS: (Screen.RATING_REASONS, Screen.RATING_COMMENT, Screen.RATING_CASES, Screen.ATTRACT),
        Screen.RATING_REASONS: (Screen.RATING_COMMENT,),
        Screen.RATING_COMMENT: (Screen.RATING_REASONS, Screen.RATING_LEVELS, Screen.RATING_DONE),
    }
    attract_action = (6, N_("Rate our service"), Screen.RATING_START)
    CARD_PROMPT = Screen.RATING_START

    # --- starting ----------------------------------------------------------------------
    def confirmed(self) -> None:
        self.load_cases(self._cases_loaded, busy=N_("Fetching your cases…"))

    def _cases_loaded(self, cases) -> None:
        self.session.cases = list(cases)
        self.go(Screen.RATING_CASES)

    def rateable_cases(self) -> list:
        return [c for c in self.session.cases if c.status in RATEABLE]

    def rate_case(self, case: CaseSummary) -> None:
        """Open the five levels for one case (from the case list, or after collecting it)."""
        self.session.state(RatingState).draft = RatingDraft(case.number, case.item_name, case.item_name_en)
        self.go(Screen.RATING_LEVELS)

    # --- the citizen's answers -------------------------------------------------------------
    @property
    def draft(self) -> RatingDraft | None:
        state = self.session.peek(RatingState)
        return state.draft if state else None

    def choose_level(self, level: int) -> None:
        draft = self.draft
        if draft is None or level not in dict(LEVELS):
            return
        if draft.level != level:
            draft.reasons = []
            draft.key = uuid.uuid4().hex  # a different rating: a different request
        draft.level = level
        self.go(Screen.RATING_REASONS if level in LOW_LEVELS else Screen.RATING_COMMENT)

    def toggle_reason(self, reason: str) -> None:
        draft = self.draft
        if draft is None or reason not in REASONS:
            return
        draft.reasons = [r for r in draft.reasons if r != reason] if reason in draft.reasons \
            else draft.reasons + [reason]

    def reasons_done(self) -> bool:
        """Next from the reasons page; False (stay) while no reason is chosen."""
        draft = self.draft
        if draft is None or not draft.reasons:
            return False
        self.go(Screen.RATING_COMMENT)
        return True

    def toggle_comment(self, phrase: str) -> None:
        draft = self.draft
        if draft is None or phrase not in COMMENTS:
            return
        draft.comments = [c for c in draft.comments if c != phrase] if phrase in draft.comments \
            else draft.comments + [phrase]

    def back_from_comment(self) -> None:
        draft = self.draft
        low = draft is not None and draft.level in LOW_LEVELS
        self.go(Screen.RATING_REASONS if low else Screen.RATING_LEVELS)

    def back_from_levels(self) -> None:
        """Back to the case list, or (after collecting) to the collection's last screen."""
        self.go(self._way_back())

    # --- sending -----------------------------------------------------------------------------
    def submit(self) -> None:
        draft = self.draft
        if draft is None or draft.level is None:
            return
        if draft.level in LOW_LEVELS and not draft.reasons:
            self.go(Screen.RATING_REASONS)
            return
        # Reasons and comments are stored in Chinese, the county's working language.
        to_zh = Translator("zh_CN").gettext
        reasons = [to_zh(r) for r in draft.reasons]
        comment = "；".join(to_zh(c) for c in draft.comments)
        rating = {"number": draft.number, "level": draft.level, "reasons": reasons, "comment": comment,
                  GRANT: self.session.grant}  # delivered under this session's grant, even later
        key, outbox, sender = draft.key, self.kiosk.outbox, self.kiosk.outbox_sender

        def work():  # kept in the outbox first: a rating given offline is sent later
            return sender.deliver_now(outbox.put(RATING, rating, key))

        self.kiosk.in_background(work, self._sent, back_to=Screen.RATING_COMMENT, busy=N_("Sending your rating…"))

    def _sent(self, delivery) -> None:
        draft = self.draft
        if delivery.status == REFUSED:
            log.info("rating refused", extra={"status": delivery.error.status})
            self.ui.show_message(N_("Cannot rate this case"), MSG_CANNOT_RATE, back_to=self._way_back())
            return
        result, body = delivery.value if delivery.status != QUEUED else ("queued", None)
        if result == "already":
            self.ui.show_message(N_("Already rated"), MSG_ALREADY_RATED, back_to=self._way_back())
            return
        if draft is not None:
            draft.stored = True
            draft.queued = result == "queued"
            draft.rectification = bool(body and body.get("rectification"))
        self.go(Screen.RATING_DONE)
        self.kiosk.say(N_("Thank you for your rating."))

    def _way_back(self) -> str:
        return Screen.RATING_CASES if self.session.cases else Screen.ATTRACT

    def reset(self) -> None:
        """Everything lives in the session, which is wiped; nothing kept here."""
