"""On-screen keypads: digits (numbers, phone), ID digits with X, dates, Latin letters for
pinyin initials and English search, letters with digits for codes. Every key is a full
120 dp target; Delete and Clear are words, not symbols, so they are read aloud too."""
from __future__ import annotations

from kivy.app import App
from kivy.factory import Factory
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from domain.i18n import N_

DELETE, CLEAR = "\x08", "\x7f"
LAYOUTS = {
    "digits": ["123", "456", "789", [CLEAR, "0", DELETE]],
    "id": ["123", "456", "789", ["X", "0", DELETE], [CLEAR]],
    "letters": ["ABCDEFG", "HIJKLMN", "OPQRSTU", ["V", "W", "X", "Y", "Z", DELETE, CLEAR]],
    "alnum": ["1234567890", "ABCDEFG", "HIJKLMN", "OPQRSTU", ["V", "W", "X", "Y", "Z", DELETE, CLEAR]],
}
WORDS = {DELETE: N_("Delete"), CLEAR: N_("Clear")}


class Keypad(BoxLayout):
    """`value` is what was typed; `max_length` 0 means no limit; `on_change(value)` is
    called after every key."""
    value = StringProperty("")
    max_length = NumericProperty(0)

    def __init__(self, layout: str = "digits", translate=lambda s: s, on_change=None, echo: str = "private",
                 **kwargs):
        """`echo`: how a pressed key is read back (kiosk/voice.py): "private" for the
        citizen's own data (the default), "public" for search letters, "silent" for a PIN."""
        super().__init__(orientation="vertical", spacing=8, size_hint_y=None, **kwargs)
        self.layout = layout
        self.on_change = on_change
        self.keys: dict[str, object] = {}
        style = App.get_running_app().style
        rows = LAYOUTS[layout]
        key_height = style.target_dp
        self.height = len(rows) * key_height + (len(rows) - 1) * 8
        for row in rows:
            line = BoxLayout(spacing=8, size_hint_y=None, height=key_height)
            for key in row:
                word = WORDS.get(key)
                button = (Factory.SecondaryButton if word else Factory.KioskButton)(
                    text=translate(word) if word else key, height=key_height)
                button.font_size = f"{style.button_sp}sp" if not word else f"{style.small_sp + 4}sp"
                button.key = key
                button.echo = "public" if word else echo  # Delete and Clear are always read
                button.bind(on_release=lambda b: self.press(b.key))
                line.add_widget(button)
                self.keys[key] = button
            self.add_widget(line)

    def press(self, key: str) -> None:
        if key == DELETE:
            self.value = self.value[:-1]
        elif key == CLEAR:
            self.value = ""
        elif not self.max_length or len(self.value) < self.max_length:
            self.value += key
        if self.on_change is not None:
            self.on_change(self.value)

    def type(self, text: str) -> None:
        """Press each key of `text` in turn (the demo tour and tests)."""
        for ch in text:
            self.press(ch.upper() if self.layout != "digits" else ch)
