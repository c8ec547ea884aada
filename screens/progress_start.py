"""Check progress without a session identity yet: place a card, or scan a receipt's code."""
from __future__ import annotations

from .base import KioskScreen


class ProgressStartScreen(KioskScreen):
    screen_name = "progress_start"
    spoken_prompt = "Place your ID card on the reader to see all your cases."
