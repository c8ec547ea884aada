"""The address step of a result by post (免费邮寄): once the citizen answered the form's
`delivery` question with post, the town (big buttons), the village or community (a list),
the street and house on the pinyin keyboard, the recipient (the card holder's name) and
the phone (the contact phone), each prefilled where the kiosk knows it and editable.

The towns come from the kiosk's copy of the catalogue (services/catalogue_cache.py), so an
offline kiosk that copied them once still offers post; one that never did says post cannot
be arranged now and offers collection at the window instead. The address is the citizen's
personal data: it lives only in the application's state, is shown masked, and goes with
the session."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.i18n import N_
from domain.ids import is_mobile_number, mask_address, mask_name, mask_phone
from kiosk.ui.screen_names import Screen
from services.api import BackofficeError

if TYPE_CHECKING:
    from kiosk.journeys.apply import ApplyJourney

DELIVERY, POST, WINDOW = "delivery", "post", "window"  # the catalogue's delivery question and its keys
DETAIL_CHARS = (2, 60)  # as the back office takes them (backoffice/addresses.py)
RECIPIENT_CHARS = (1, 30)
MSG_TOWNS = N_("Getting the list of towns…")

# Chengmai's towns in Hanyu Pinyin, as China's place-name rules write them in English (GB/T
# 17693.1); villages and communities have no English names and are shown as the NBS lists them.
TOWNS_EN = {
    "金江镇": "Jinjiang Town", "老城镇": "Laocheng Town", "瑞溪镇": "Ruixi Town", "永发镇": "Yongfa Town",
    "加乐镇": "Jiale Town", "文儒镇": "Wenru Town", "中兴镇": "Zhongxing Town", "仁兴镇": "Renxing Town",
    "福山镇": "Fushan Town", "桥头镇": "Qiaotou Town", "大丰镇": "Dafeng Town",
    "国营金安农场": "Jin'an State Farm",
}


@dataclass
class PostAddress:
    """Where the result is posted: the NBS codes chosen, then what the citizen typed."""
    town_code: str = ""
    village_code: str = ""
    detail: str = ""  # street, house and room: never shown or printed in clear
    recipient: str = ""
    phone: str = ""


def town_name(town: dict, language: str) -> str:
    """A town as a button names it: in English its pinyin name with the Chinese beside it."""
    english = TOWNS_EN.get(town["name"], "")
    return f"{english} {town['name']}" if language == "en" and english else town["name"]


def valid_detail(text: str) -> bool:
    return DETAIL_CHARS[0] <= len(text.strip()) <= DETAIL_CHARS[1]


def valid_recipient(text: str) -> bool:
    return RECIPIENT_CHARS[0] <= len(text.strip()) <= RECIPIENT_CHARS[1]


class PostStep:
    """The address step's decisions, for the apply journey (whose FLOW lists its moves)."""

    def __init__(self, journey: ApplyJourney):
        self.journey = journey

    @property
    def state(self):
        return self.journey.state

    # --- whether it is asked ----------------------------------------------------------
    def offered(self) -> bool:
        """The item's form has a delivery question with post among its answers."""
        question = self.journey.field(DELIVERY)
        return question is not None and any(v.get("key") == POST for v in question.get("values") or [])

    def wanted(self) -> bool:
        state = self.state
        return state is not None and self.offered() and state.answers.get(DELIVERY) == POST

    def complete(self) -> bool:
        address = self.state.post if self.state else None
        return (address is not None and bool(self.village(address.village_code)) and valid_detail(address.detail)
                and valid_recipient(address.recipient) and is_mobile_number(address.phone))

    def needed(self) -> bool:
        """Post chosen and the address not yet whole: the step comes before going on."""
        return self.wanted() and not self.complete()

    def answered(self, value) -> None:
        """The delivery question answered: anything but post drops the address."""
        state = self.state
        if state is not None and value != POST:
            state.post = None

    # --- the towns --------------------------------------------------------------------
    def towns(self) -> list[dict]:
        state = self.state
        return (state.towns or []) if state else []

    def town(self, code: str) -> dict | None:
        return next((t for t in self.towns() if t["code"] == code), None)

    def village(self, code: str) -> dict | None:
        return next((v for t in self.towns() for v in t["villages"] if v["code"] == code), None)

    def chosen_town(self) -> dict | None:
        address = self.state.post if self.state else None
        return self.town(address.town_code) if address else None

    # --- moving through it ------------------------------------------------------------
    def start(self) -> None:
        """The town page, with the towns copied (or fetched once, off the UI thread)."""
        state, journey = self.state, self.journey
        if state is None:
            return
        if state.post is None:
            identity = journey.session.identity
            state.post = PostAddress(recipient=identity.name if identity else "", phone=journey.contact_phone())
        catalogue = journey.kiosk.catalogue
        held = state.towns or (catalogue.held_towns() if catalogue is not None else None)
        if held:
            state.towns = held
            journey.go(Screen.APPLY_POST_TOWN)
            return

        def work():
            try:
                return catalogue.towns() if catalogue is not None else None
            except BackofficeError:  # never copied and not reachable: post cannot be arranged now
                return None

        journey.kiosk.in_background(work, self._towns_loaded, back_to=journey.ui.current_screen(), busy=MSG_TOWNS)

    def _towns_loaded(self, towns) -> None:
        state = self.state
        if state is not None:
            state.towns = towns or None
            self.journey.go(Screen.APPLY_POST_TOWN)

    def choose_town(self, code: str) -> None:
        state = self.state
        if state is None or state.post is None or self.town(code) is None:
            return
        if state.post.town_code != code:
            state.post.town_code, state.post.village_code = code, ""
        self.journey.go(Screen.APPLY_POST_VILLAGE)

    def choose_village(self, code: str) -> None:
        state, village = self.state, self.village(code)
        if state is None or state.post is None or village is None or not code.startswith(state.post.town_code[:9]):
            return
        state.post.village_code = code
        self.journey.go(Screen.APPLY_POST_DETAIL)

    def keep(self, part: str, text: str) -> None:
        """What is typed on a page (detail, recipient, phone), kept as it is typed."""
        address = self.state.post if self.state else None
        if address is not None:
            setattr(address, part, text)

    def detail_done(self, text: str) -> None:
        address = self.state.post if self.state else None
        if address is not None and valid_detail(text):
            address.detail = text.strip()
            self.journey.go(Screen.APPLY_POST_RECIPIENT)

    def recipient_done(self, text: str) -> None:
        address = self.state.post if self.state else None
        if address is not None and valid_recipient(text):
            address.recipient = text.strip()
            self.journey.go(Screen.APPLY_POST_PHONE)

    def phone_done(self, phone: str) -> None:
        address = self.state.post if self.state else None
        if address is None or not is_mobile_number(phone):
            return
        address.phone = phone
        if self.complete():
            self.finished()
        else:  # a part went missing on the way (a language switch mid-typing): from the town again
            self.journey.go(Screen.APPLY_POST_TOWN)

    def finished(self) -> None:
        """The address whole: on to the review once seen, else the materials."""
        state = self.state
        if state is None:
            return
        if state.review_seen:
            self.journey.go(Screen.APPLY_REVIEW)
        else:
            self.journey.go(Screen.APPLY_MATERIALS)

    def collect_instead(self) -> None:
        """Post cannot be arranged now: the result is collected at the window."""
        state = self.state
        if state is None:
            return
        state.answers[DELIVERY] = WINDOW
        state.post = None
        self.finished()

    def back_from_town(self) -> None:
        """To the review once seen, else the form's last page (where the citizen came from)."""
        state = self.state
        if state is None:
            return
        state.draft = None
        if state.review_seen:
            self.journey.go(Screen.APPLY_REVIEW)
        elif state.pages:
            state.page = len(state.pages) - 1
            self.journey.go(Screen.APPLY_FIELD)
        else:
            self.journey.go(Screen.GUIDE)

    def edit(self) -> None:
        """From the review's address line: the step again, everything entered kept."""
        if self.state is not None:
            self.start()

    # --- what is shown and sent -------------------------------------------------------
    def masked(self) -> str:
        """`金江镇建国社区居委会****  王*  139****1234`: what the review shows."""
        address = self.state.post if self.state else None
        town = self.chosen_town()
        village = self.village(address.village_code) if address else None
        if address is None or town is None or village is None:
            return ""
        return "  ".join((mask_address(town["name"], village["name"]), mask_name(address.recipient),
                          mask_phone(address.phone)))

    def delivery(self) -> dict | None:
        """The submission's `delivery` for post (None otherwise: the form's answer says it)."""
        address = self.state.post if self.state else None
        if not self.wanted() or address is None:
            return None
        return {"method": POST, "town_code": address.town_code, "village_code": address.village_code,
                "detail": address.detail, "recipient": address.recipient, "phone": address.phone}
