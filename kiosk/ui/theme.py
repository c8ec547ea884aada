"""Colours and sizes shared by every screen (kv rules read them as `theme.*`).

Contrast: text #1A1A1A on #F4F6F9 is 16:1; white on the primary blue #0B4F9C is 8.2:1,
both above WCAG's 4.5:1.
"""
from __future__ import annotations

BACKGROUND = (0.957, 0.965, 0.976, 1)  # #F4F6F9
SURFACE = (1, 1, 1, 1)
TEXT = (0.102, 0.102, 0.102, 1)  # #1A1A1A
TEXT_MUTED = (0.30, 0.33, 0.37, 1)  # #4D545E, 7.3:1 on the background
PRIMARY = (0.043, 0.310, 0.612, 1)  # #0B4F9C
PRIMARY_DARK = (0.027, 0.220, 0.440, 1)
ON_PRIMARY = (1, 1, 1, 1)
WARNING = (0.70, 0.33, 0.0, 1)
SUCCESS = (0.0, 0.42, 0.16, 1)  # #006B29, what is done (a material given)
DEMO_PANEL = (0.20, 0.20, 0.22, 1)

TITLE_SP = 56
HEADING_SP = 44
BODY_SP = 34
SMALL_SP = 28
BUTTON_SP = 40
TARGET_DP = 120  # minimum height of a touch target on the 1080x1920 portrait screen
PADDING_DP = 32


def register_fonts(font_path: str) -> None:
    """Make the CJK font Kivy's default, so every Label draws Chinese."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, font_path)
