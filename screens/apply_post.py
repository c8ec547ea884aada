"""The address step of a result by post: the town, the village or community, the street and
house on the pinyin keyboard, the recipient and the phone, one a page (kiosk/journeys/
apply_post.py decides; these pages show and forward)."""
from __future__ import annotations

from kivy.factory import Factory

from domain.i18n import N_
from domain.ids import is_mobile_number
from kiosk.journeys.apply_post import (
    DETAIL_CHARS,
    RECIPIENT_CHARS,
    town_name,
    valid_detail,
    valid_recipient,
)
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage
from .keypad import Keypad
from .pinyin_keyboard import PinyinKeyboard

MSG_UNAVAILABLE = N_("Results by post cannot be arranged at this kiosk right now. "
                     "You can collect the result at the service window instead.")


class ApplyPostTownScreen(JourneyPage):
    screen_name = Screen.APPLY_POST_TOWN
    journey_name = "apply"
    idle_timeout_s = 180
    spoken_prompt = N_("Where should we post the result? Tap your town.")

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None or state.post is None:
            return
        step = self.flow.post
        self.ids.heading.text = self._(N_("Post the result to you"))
        towns = step.towns()
        if not towns:  # never copied and the county not reachable
            self.ids.hint.text = self._(N_("Free postal delivery within Chengmai County."))
            self.text(self._(MSG_UNAVAILABLE), parent=self.card(), color=theme.WARNING)
            self.button(self._(N_("Collect at the service window instead")), step.collect_instead, key="collect")
            return
        free = self._(N_("Free postal delivery within Chengmai County."))
        self.ids.hint.text = self._(self.spoken_prompt) + "\n" + free
        language = self.controller.translator.language
        for town in towns:
            chosen = town["code"] == state.post.town_code
            self.button(("● " if chosen else "") + town_name(town, language),
                        lambda code=town["code"]: step.choose_town(code), key=f"town:{town['code']}",
                        secondary=not chosen, parent=self.ids.body)

    def on_enter(self, *_args):
        if self.flow.post.towns():
            super().on_enter()
        else:
            self.controller.say(MSG_UNAVAILABLE)

    def go_back(self) -> None:
        self.flow.post.back_from_town()


class ApplyPostVillageScreen(JourneyPage):
    screen_name = Screen.APPLY_POST_VILLAGE
    journey_name = "apply"
    idle_timeout_s = 180
    spoken_prompt = N_("Tap your village or community. Scroll the list for more.")

    def refresh(self) -> None:
        state = self.fresh_state()
        step = self.flow.post
        town = step.chosen_town() if state is not None else None
        if state is None or state.post is None or town is None:
            return
        language = self.controller.translator.language
        self.ids.heading.text = self._(N_("Village or community in {town}")).format(town=town_name(town, language))
        self.ids.hint.text = self._(self.spoken_prompt)  # what is spoken is written
        for village in town["villages"]:
            chosen = village["code"] == state.post.village_code
            row = self.button(("● " if chosen else "") + village["name"],
                              lambda code=village["code"]: step.choose_village(code), key=f"village:{village['code']}",
                              secondary=not chosen, parent=self.ids.body)
            row.quoted = True  # the NBS's name, which has no English: shown as it is in both languages


class TypedAddressPage(JourneyPage):
    """A page typing one part of the address on a keyboard, prefilled with what is kept."""
    journey_name = "apply"
    idle_timeout_s = 180  # typing takes longer than reading
    part = ""  # the PostAddress member typed here
    heading = ""
    max_length = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad: Keypad | PinyinKeyboard | None = None
        self.display = None

    def make_keypad(self):
        return PinyinKeyboard(translate=self._, on_change=self._typed, max_length=self.max_length)

    def valid(self, text: str) -> bool:
        return bool(text)

    def done(self, text: str) -> None:
        """Next: the journey takes the part and moves on."""

    def hint(self) -> str:
        return self._(self.spoken_prompt)

    def refresh(self) -> None:
        state = self.fresh_state()
        self.keypad = self.display = None
        if state is None or state.post is None:
            return
        self.ids.heading.text = self._(self.heading)
        self.ids.hint.text = self.hint()
        self.display = Factory.KioskLabel(font_size=f"{self.style.title_sp}sp", halign="center", color=theme.PRIMARY)
        self.display.user_text = True  # what the citizen typed, in whatever language
        self.ids.fixed.add_widget(self.display)  # above the keyboard, never scrolled out of sight
        self.keypad = self.make_keypad()
        self.ids.fixed.add_widget(self.keypad)
        self.button(self._(N_("Next")), lambda: self.done(self.value()), key="next")
        start = getattr(state.post, self.part)
        if isinstance(self.keypad, PinyinKeyboard):
            self.keypad.set_text(start)
        else:
            self.keypad.value = start
            self._typed(start)

    def value(self) -> str:
        if isinstance(self.keypad, PinyinKeyboard):
            return self.keypad.finish()  # letters left unconverted go in as typed
        return self.keypad.value if self.keypad is not None else ""

    def _typed(self, raw: str) -> None:
        self.flow.post.keep(self.part, raw)
        if self.display is not None:
            self.display.text = raw or "_"
        if "next" in self.buttons:
            self.buttons["next"].disabled = not self.valid(raw)

    def reset(self) -> None:
        super().reset()
        self.keypad = self.display = None


class ApplyPostDetailScreen(TypedAddressPage):
    screen_name = Screen.APPLY_POST_DETAIL
    spoken_prompt = N_("Type the street, house and room number.")
    heading = N_("Street, house and room")
    part = "detail"
    max_length = DETAIL_CHARS[1]

    def make_keypad(self):
        return PinyinKeyboard(translate=self._, on_change=self._typed, max_length=self.max_length, digits=True)

    def valid(self, text: str) -> bool:
        return valid_detail(text)

    def done(self, text: str) -> None:
        self.flow.post.detail_done(text)


class ApplyPostRecipientScreen(TypedAddressPage):
    screen_name = Screen.APPLY_POST_RECIPIENT
    spoken_prompt = N_("Change the name if someone else receives it.")
    heading = N_("Recipient")
    part = "recipient"
    max_length = RECIPIENT_CHARS[1]

    def valid(self, text: str) -> bool:
        return valid_recipient(text)

    def done(self, text: str) -> None:
        self.flow.post.recipient_done(text)


class ApplyPostPhoneScreen(TypedAddressPage):
    screen_name = Screen.APPLY_POST_PHONE
    spoken_prompt = N_("The recipient's mobile number for the courier. Your contact phone is filled in.")
    heading = N_("Recipient's mobile number")
    part = "phone"
    max_length = 11

    def make_keypad(self):
        return Keypad("digits", translate=self._, on_change=self._typed, max_length=self.max_length)

    def hint(self) -> str:
        return self._(self.spoken_prompt) + "\n" + self._(N_("An 11-digit mobile number."))

    def valid(self, text: str) -> bool:
        return is_mobile_number(text)

    def done(self, text: str) -> None:
        self.flow.post.phone_done(text)
