"""Check progress without a session identity yet: place a card, or scan a receipt's code."""
from __future__ import annotations

from kiosk.ui.screen_names import Screen

from .base import KioskScreen


class ProgressStartScreen(KioskScreen):
    screen_name = Screen.PROGRESS_START
    spoken_prompt = "Place your ID card on the reader to see all your cases."
