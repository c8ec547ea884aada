"""Translations (gettext). Message ids are English; zh_CN is the default language.

This module is plain Python so services (slip rendering) can translate without Kivy;
the Kivy binding that re-renders widgets on a language switch lives in kiosk.ui.tr.
"""
from __future__ import annotations

import gettext
from typing import Callable

from kiosk.paths import LOCALE_DIR

DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")


class Translator:
    def __init__(self, language: str = "zh_CN"):
        self._listeners: list[Callable[[str], None]] = []
        self._catalogues: dict[str, gettext.NullTranslations] = {}
        self.language = ""
        self.default_language = language  # the kiosk's own; every visit starts in it
        self.switch(language)

    def switch(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        if language not in self._catalogues:
            self._catalogues[language] = gettext.translation(
                DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
            )
        changed = language != self.language
        self.language = language
        if changed:
            for listener in list(self._listeners):
                listener(language)

    def toggle(self) -> str:
        self.switch("en" if self.language == "zh_CN" else "zh_CN")
        return self.language

    def gettext(self, message: str) -> str:
        return self._catalogues[self.language].gettext(message)

    def on_switch(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)
