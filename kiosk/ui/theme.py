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
SCRIM = (0, 0, 0, 0.6)  # behind a popup
TRANSPARENT = (0, 0, 0, 0)
# Controls: a row pressed, a choice chosen, the outline of one not chosen, a key disabled.
PRESSED = (0.90, 0.93, 0.97, 1)
CHOSEN = (0.86, 0.91, 0.98, 1)
OUTLINE = (0.55, 0.58, 0.62, 1)
OUTLINE_STRONG = (0.40, 0.43, 0.47, 1)
SECONDARY = (0.91, 0.93, 0.96, 1)  # a secondary button
SECONDARY_PRESSED = (0.85, 0.88, 0.92, 1)
DISABLED = (0.80, 0.82, 0.85, 1)
DISABLED_TEXT = (0.45, 0.47, 0.50, 1)
TIMELINE_PAST = (0.70, 0.74, 0.80, 1)  # a timeline's earlier steps (the current one is PRIMARY)
# Badges: text on a light fill, by tone.
BADGE_TEXT = {"ok": (0.0, 0.36, 0.13, 1), "warn": (0.50, 0.24, 0.0, 1), "info": PRIMARY_DARK}
BADGE_FILL = {"info": (0.89, 0.93, 0.98, 1), "ok": (0.88, 0.95, 0.89, 1), "warn": (1.0, 0.93, 0.84, 1),
              "alert": (1.0, 0.88, 0.88, 1)}  # alert: a red tint, so NOT READY stands out from DEGRADED
# The rating faces, warm to cool behind a dark outline, so they read without colour too.
FACE_FILL = {5: (0.80, 0.93, 0.80, 1), 4: (0.87, 0.95, 0.82, 1), 3: (0.97, 0.95, 0.80, 1),
             2: (0.99, 0.88, 0.78, 1), 1: (0.98, 0.80, 0.78, 1)}

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
