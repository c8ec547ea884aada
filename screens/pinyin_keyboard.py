"""The on-screen keyboard for the few free-text fields (company name, address detail) and
for catalogue search: letters typed in pinyin become Chinese through a candidate bar
(kiosk/ime: ranked by frequency), or, switched to 英 (Latin), go in as typed.

`value` is the committed text; `shown` adds what is still being composed (食品jingying),
which the screen displays. Candidates are chosen part by part: 食品 from
"shipinjingying" leaves "jingying" to continue with. `finish()` commits any letters left
unconverted, as a citizen who taps Next or Search expects."""
from __future__ import annotations

import logging
import re

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from domain.i18n import N_
from kiosk.ime.pinyin import Composition, DictionaryMissing
from kiosk.ui import theme

log = logging.getLogger(__name__)

DELETE, SPACE, MODE = "\x08", " ", "\x0e"
ROWS = ["ABCDEFG", "HIJKLMN", "OPQRSTU", ["V", "W", "X", "Y", "Z", DELETE], [MODE, SPACE]]
DIGITS = "1234567890"  # a row above the letters where numbers belong in the text (a house number)
WORDS = {DELETE: N_("Delete"), SPACE: N_("Space")}
PENDING = re.compile(r"[a-z']+$")  # composed letters are lower case; Latin ones are typed in capitals
CANDIDATES_SHOWN = 5  # the bar's buttons; ‹ › page through the rest


class PinyinKeyboard(BoxLayout):
    value = StringProperty("")
    shown = StringProperty("")
    chinese = BooleanProperty(True)  # pinyin to Chinese; False: Latin letters as typed
    max_length = NumericProperty(0)

    def __init__(self, translate=lambda s: s, on_change=None, max_length: int = 0, echo: str = "private",
                 digits: bool = False, **kwargs):
        super().__init__(orientation="vertical", spacing=8, size_hint_y=None, **kwargs)
        self._ = translate
        self._echo = echo  # letters of a name or address are the citizen's: "private"
        self.on_change = on_change
        self.max_length = max_length
        self.composition = Composition()
        self.keys: dict[str, object] = {}
        self.candidate_buttons: list = []
        self._offered = []
        self._page = 0
        style = App.get_running_app().style
        # Six rows: at elder-mode target height they would push the page off the glass;
        # 120 dp is still twice the elder minimum (60 dp).
        self._height = min(style.target_dp, theme.TARGET_DP)
        rows = [DIGITS, *ROWS] if digits else ROWS
        if digits:  # the digits' row shares the others' height: the keyboard is no taller with it
            self._height = (self._height * (len(ROWS) + 1) - 8) / (len(rows) + 1)
        self.bar = BoxLayout(spacing=8, size_hint_y=None, height=self._height)
        self.add_widget(self.bar)
        for row in rows:
            self.add_widget(self._row(row, style))
        self.height = (len(rows) + 1) * self._height + len(rows) * 8
        # on_change is first called by set_text(): the screen may still be reading its draft

    # --- keys --------------------------------------------------------------------------
    def press(self, key: str) -> None:
        if key == DELETE:
            self._delete()
        elif key == MODE:
            self.finish()
            self.chinese = not self.chinese
            self.keys[MODE].text = self._mode_label()
        elif key == SPACE or key.isdigit():
            self.finish()
            self._append(key)
        elif self.chinese:
            self.composition.type(key.lower())
        else:
            self._append(key)
        self._page = 0
        self._refresh()

    def set_text(self, text: str) -> None:
        """Start from `text` (a draft kept in the session, as `shown` left it): pinyin
        letters at its end are composed again, so the candidates come back."""
        text = text[:self.max_length] if self.max_length else text
        pending = PENDING.search(text) if self.chinese else None
        self.composition.clear()
        self.value = text[:pending.start()] if pending else text
        if pending:
            self.composition.type(pending.group())
        self._refresh()

    def restart(self, text: str = "") -> None:
        """As a new keyboard would start, in pinyin, from `text`: a page keeps its keyboard
        rather than build thirty keys again each time it opens."""
        self.chinese = True
        self.keys[MODE].text = self._mode_label()
        self._page = 0
        self.set_text(text)

    def type(self, text: str) -> None:
        """Press each key of `text` in turn (the demo tour and tests)."""
        for ch in text:
            self.press(ch.upper())

    def choose(self, index: int) -> None:
        """The candidate shown at `index` on the bar."""
        position = self._page * CANDIDATES_SHOWN + index
        if position < len(self._offered):
            self._append(self.composition.choose(self._offered[position]))
            self._page = 0
            self._refresh()

    def finish(self) -> str:
        """Commit what is still being composed, unconverted letters as they are."""
        if self.composition.composing:
            self._append(self.composition.commit())
            self._refresh()
        return self.value

    # --- internals -----------------------------------------------------------------------
    def _row(self, keys, style) -> BoxLayout:
        line = BoxLayout(spacing=8, size_hint_y=None, height=self._height)
        for key in keys:
            word = WORDS.get(key)
            label = self._mode_label() if key == MODE else (self._(word) if word else key)
            button = (Factory.SecondaryButton if word or key == MODE else Factory.KioskButton)(
                text=label, size_hint_y=1)  # the row's height, not the mode's target height
            button.font_size = f"{style.small_sp + 4}sp" if word or key == MODE else f"{style.button_sp}sp"
            button.key = key
            button.echo = "public" if word or key == MODE else self._echo  # kiosk/voice.py
            button.bind(on_release=lambda b: self.press(b.key))
            line.add_widget(button)
            self.keys[key] = button
        return line

    def _mode_label(self) -> str:
        if self.chinese:
            return self._(N_("Chinese (pinyin) · tap for Latin letters"))
        return self._(N_("Latin letters · tap for Chinese"))

    def _delete(self) -> None:
        if not self.composition.backspace():
            self.value = self.value[:-1]

    def _append(self, text: str) -> None:
        room = self.max_length - len(self.value) if self.max_length else len(text)
        self.value += text[:max(0, room)]

    def _refresh(self) -> None:
        self._offered = self._candidates()
        self.shown = self.value + self.composition.preedit
        self._fill_bar()
        if self.on_change is not None:
            self.on_change(self.shown)

    def _candidates(self) -> list:
        if not (self.chinese and self.composition.keys):
            return []
        try:
            return self.composition.candidates(limit=CANDIDATES_SHOWN * 4)
        except DictionaryMissing:  # a kiosk installed without its dictionary still takes letters
            log.warning("pinyin dictionary missing: letters only")
            return []

    def _fill_bar(self) -> None:
        self.bar.clear_widgets()
        self.candidate_buttons = []
        start = self._page * CANDIDATES_SHOWN
        page = self._offered[start:start + CANDIDATES_SHOWN]
        if self._page > 0:
            self.bar.add_widget(self._pager("‹", -1))
        style = App.get_running_app().style
        for index, candidate in enumerate(page):
            # wider for longer words, so 食品经营 stays on one line
            button = Factory.SecondaryButton(text=candidate.text, size_hint_y=1,
                                             size_hint_x=len(candidate.text) + 1, font_size=f"{style.body_sp}sp")
            button.user_text = True  # what the citizen is writing, in whatever language
            button.echo = self._echo
            button.bind(on_release=lambda _b, i=index: self.choose(i))
            self.bar.add_widget(button)
            self.candidate_buttons.append(button)
        if start + CANDIDATES_SHOWN < len(self._offered):
            self.bar.add_widget(self._pager("›", +1))

    def _pager(self, arrow: str, step: int):
        button = Factory.SecondaryButton(text=arrow, size_hint_y=1, size_hint_x=None, width=self._height)
        button.bind(on_release=lambda _b: self._turn(step))
        return button

    def _turn(self, step: int) -> None:
        self._page = max(0, self._page + step)
        self._fill_bar()
