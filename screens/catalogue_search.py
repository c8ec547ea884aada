"""Search the catalogue on the pinyin keyboard: Chinese chosen from the candidate bar, or
the letters themselves (pinyin initials "spjy" for 食品经营, full pinyin, English)."""
from __future__ import annotations

from kivy.factory import Factory

from domain.i18n import N_
from kiosk.ui import theme
from kiosk.ui.screen_names import Screen

from .catalogue_page import JourneyPage
from .pinyin_keyboard import PinyinKeyboard


class CatalogueSearchScreen(JourneyPage):
    screen_name = Screen.CATALOGUE_SEARCH
    journey_name = "catalogue"
    spoken_prompt = N_("Type the pinyin, then choose the words, or tap Search.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad: PinyinKeyboard | None = None
        self.display = None
        # One keyboard per language and mode, kept: building its thirty keys was most of
        # the tap that opens this page (kiosk/benchmarks: catalogue -> catalogue_search).
        self._keyboards: dict[tuple[str, bool], PinyinKeyboard] = {}

    def refresh(self) -> None:
        state = self.fresh_state()
        if state is None:
            return
        self.ids.heading.text = self._(N_("Search"))
        self.ids.hint.text = self._(N_("Type the pinyin and choose the words on the bar, or tap Search with "
                                       "the letters: SPJY finds 食品经营 (food business)."))
        self.display = Factory.KioskLabel(font_size=f"{self.style.title_sp}sp", halign="center", color=theme.PRIMARY)
        self.display.user_text = True  # what the citizen typed, in whatever language
        self.ids.body.add_widget(self.display)
        draft = state.draft_query  # kept across a language switch
        self.keypad = self._keyboard()
        self.ids.fixed.add_widget(self.keypad)
        self.button(self._(N_("Search")), self.search, key="search")
        self.keypad.restart(draft)

    def _keyboard(self) -> PinyinKeyboard:
        mode = (self.controller.translator.language, bool(self.style.elder))
        if mode not in self._keyboards:
            self._keyboards[mode] = PinyinKeyboard(translate=self._, on_change=self._typed, max_length=20,
                                                   echo="public")
        return self._keyboards[mode]

    def _typed(self, value: str) -> None:
        if self.flow.current_state() is not None:
            self.flow.type_query(value)
        if self.display is not None:
            self.display.text = value or "_"
        if "search" in self.buttons:
            self.buttons["search"].disabled = not value

    def search(self) -> None:
        if self.keypad is not None and self.keypad.finish():
            self.flow.search(self.keypad.value)


    def reset(self) -> None:
        super().reset()
        self.keypad = None
        self.display = None
        for keyboard in self._keyboards.values():  # nothing typed is kept for the next citizen
            keyboard.restart("")
