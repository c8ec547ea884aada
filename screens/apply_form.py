"""One question of the item's form per page, generated from the form schema: big choice
buttons for lists, a keypad for numbers, phone numbers, ID numbers and dates, letters and
digits for codes. What the card already told us is not asked again."""
from __future__ import annotations

from kivy.factory import Factory

from domain.i18n import N_
from kiosk.journeys.apply import field_kind, valid_answer
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage
from .keypad import Keypad
from .pinyin_keyboard import PinyinKeyboard

KEYPADS = {"digits": "digits", "phone": "digits", "date": "digits", "id": "id", "alnum": "alnum"}
LIMITS = {"phone": 11, "date": 8, "id": 18, "alnum": 18, "digits": 9, "text": 30}
HINTS = {
    "phone": N_("An 11-digit mobile number."),
    "date": N_("Type the date as year, month, day: 8 digits, e.g. 20261120."),
    "id": N_("18 characters; the last may be X."),
    "digits": N_("Type a number."),
    "choice": N_("Tap one answer."),
    "choices": N_("Tap every answer that applies, then Next."),
    "alnum": N_("Type the letters and digits."),
    "text": N_("Type the pinyin and choose the words on the bar, or switch to Latin letters."),
}


def date_display(digits: str) -> str:
    text = digits[:4]
    if len(digits) > 4:
        text += "-" + digits[4:6]
    if len(digits) > 6:
        text += "-" + digits[6:8]
    return text


def date_value(digits: str) -> str:
    if len(digits) != 8:
        return ""
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}T00:00:00+08:00"


class ApplyFieldScreen(JourneyPage):
    screen_name = Screen.APPLY_FIELD
    journey_name = "apply"
    idle_timeout_s = 180  # typing takes longer than reading
    spoken_prompt = N_("Please answer the question on the screen.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad: Keypad | None = None
        self.display = None

    def refresh(self) -> None:
        state = self.fresh_state()
        self.keypad = self.display = None
        if state is None:
            return
        flow = self.flow
        field = flow.current_field()
        if field is None:
            return
        kind = field_kind(field)
        self.ids.heading.text = flow.catalogue.loc(field, "label")
        n, total = flow.page_position()
        position = self._(N_("Question {n} of {total}")).format(n=n, total=total)
        if not field.get("required"):
            position += " · " + self._(N_("optional"))
        self.ids.hint.text = position + "\n" + self._(HINTS[kind])
        saved, draft = flow.saved_answer(field["code"]), flow.draft()
        if kind == "choice":
            for value in field.get("values") or []:
                chosen = saved == value["key"]
                self.button(("● " if chosen else "") + flow.catalogue.loc(value),
                            lambda key=value["key"]: flow.answer(key), key=f"value:{value['key']}",
                            secondary=not chosen, parent=self.ids.body)
        elif kind == "choices":
            ticked = list(draft if draft is not None else (saved or []))
            for value in field.get("values") or []:
                chosen = value["key"] in ticked
                self.button(("● " if chosen else "") + flow.catalogue.loc(value),
                            lambda key=value["key"]: self.toggle(key), key=f"value:{value['key']}",
                            secondary=not chosen, parent=self.ids.body)
            self.button(self._(N_("Next")), lambda: flow.answer(list(ticked)), key="next",
                        disabled=not valid_answer(field, ticked))
        else:
            self.display = Factory.KioskLabel(font_size=f"{self.style.title_sp}sp", halign="center",
                                              color=theme.PRIMARY)
            self.display.user_text = True  # what the citizen typed, in whatever language
            self.ids.body.add_widget(self.display)
            if draft is not None:
                start = draft
            elif saved:
                shown = str(saved)[:10].replace("-", "") if kind == "date" else str(saved)
                start = shown if kind not in ("digits", "date") or shown.isdigit() else ""
            else:
                start = ""
            if kind == "text":  # names and addresses: pinyin to Chinese, or Latin letters
                self.keypad = PinyinKeyboard(translate=self._, on_change=self._typed, max_length=LIMITS[kind])
            else:
                self.keypad = Keypad(KEYPADS[kind], translate=self._, on_change=self._typed,
                                     max_length=LIMITS[kind])
            self.ids.fixed.add_widget(self.keypad)
            self.button(self._(N_("Next")), lambda: flow.answer(self.value()), key="next")
            if isinstance(self.keypad, PinyinKeyboard):
                self.keypad.set_text(start)
            else:
                self.keypad.value = start
                self._typed(start)
        if not field.get("required") and kind != "choice":
            self.button(self._(N_("Skip this question")), lambda: flow.answer(""), key="skip", secondary=True)

    def toggle(self, key: str) -> None:
        self.flow.toggle_choice(key)
        self.refresh()

    def value(self):
        field = self.flow.current_field()
        if isinstance(self.keypad, PinyinKeyboard):
            return self.keypad.finish()  # letters left unconverted go in as typed
        raw = self.keypad.value if self.keypad is not None else ""
        kind = field_kind(field) if field else ""
        if kind == "date":
            return date_value(raw)
        if kind == "digits" and raw.isdigit():
            return int(raw)
        return raw

    def _typed(self, raw: str) -> None:
        field = self.flow.current_field()
        if field is None:
            return
        self.flow.keep_draft(raw)
        kind = field_kind(field)
        if self.display is not None:
            self.display.text = (date_display(raw) if kind == "date" else raw) or "_"
        if "next" in self.buttons:
            value = self.value()
            ok = valid_answer(field, str(value) if kind == "digits" and value != "" else value)
            self.buttons["next"].disabled = not ok or value == ""

    def go_back(self) -> None:
        self.flow.previous_page()

    def reset(self) -> None:
        super().reset()
        self.keypad = self.display = None
