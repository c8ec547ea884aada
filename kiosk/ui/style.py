"""The sizes every screen reads, normal or in elder mode (长辈模式), switched with one tap.

Kv rules read `app.style.<size>`, so a switch re-lays out what is on the glass at once;
pages built in code read the same values when they are rebuilt (the switch refreshes the
current page, as a language switch does).

Elder mode follows the MIIT elderly-friendly guideline (适老化, 2021): larger text
(main text well above 30 pt, body above 18 pt), touch targets above 60x60, line spacing
of at least 1.3 (1.5 here), and, with bigger rows, fewer items on each screen. Speech
slows down too (devices.speech: elder_rate_wpm)."""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty

from kiosk.ui import theme

# Applied in this order. A widget whose base rule reads body_sp (every KioskLabel) and
# whose own rule reads heading_sp ends with the size set last: body first, headings last.
NORMAL = {"body_sp": theme.BODY_SP, "button_sp": theme.BUTTON_SP, "small_sp": theme.SMALL_SP,
          "heading_sp": theme.HEADING_SP, "title_sp": theme.TITLE_SP, "target_dp": theme.TARGET_DP,
          "line_height": 1.3}
ELDER = {"body_sp": 42, "button_sp": 50, "small_sp": 36, "heading_sp": 54, "title_sp": 68,
         "target_dp": 150, "line_height": 1.5}


class Style(EventDispatcher):
    elder = BooleanProperty(False)
    title_sp = NumericProperty(NORMAL["title_sp"])
    heading_sp = NumericProperty(NORMAL["heading_sp"])
    body_sp = NumericProperty(NORMAL["body_sp"])
    small_sp = NumericProperty(NORMAL["small_sp"])
    button_sp = NumericProperty(NORMAL["button_sp"])
    target_dp = NumericProperty(NORMAL["target_dp"])
    line_height = NumericProperty(NORMAL["line_height"])

    def on_elder(self, _style, elder: bool) -> None:
        for name, value in (ELDER if elder else NORMAL).items():
            setattr(self, name, value)

    def size_sp(self, name: str) -> float:
        """"title", "heading", "body", "small" or "button" in sp."""
        return getattr(self, f"{name}_sp")
