"""Identify with a passport chip: the three printed details typed on a keypad (digits and
letters), then the passport placed on the reader."""
from __future__ import annotations

import string

from kivy.factory import Factory

from domain.i18n import N_
from kiosk.journeys.identify import FIELD_LABELS, FIELDS
from kiosk.ui.screen_names import Screen

from .base import KioskScreen

KEYS = tuple(string.digits + string.ascii_uppercase)


class IdentifyPassportScreen(KioskScreen):
    screen_name = Screen.IDENTIFY_PASSPORT
    spoken_prompt = N_("Type the passport number, your date of birth and the expiry date, "
                       "as printed on the photo page.")
    idle_timeout_s = 180  # typing takes longer than tapping

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._built = False

    def _build_keypad(self) -> None:
        pad = self.ids.keypad
        for key in KEYS:
            button = Factory.KeypadKey(text=key)
            button.bind(on_release=lambda b: self.press(b.text))
            pad.add_widget(button)
        erase = Factory.KeypadKey(text=self._("Delete"))
        erase.is_erase = True
        erase.echo = "public"
        self._erase = erase
        erase.bind(on_release=lambda _b: self.erase())
        pad.add_widget(erase)
        self._built = True

    def refresh(self) -> None:
        if not self._built:
            self._build_keypad()
        if not self.session.active:
            self.reset()
            return
        entry = self.journey("identify").entry
        self._erase.text = self._("Delete")
        for name in FIELDS:
            button = self.ids[f"field_{name}"]
            button.label = self._(FIELD_LABELS[name])
            button.value = getattr(entry, name)
            button.focused = entry.focus == name
        self.ids.errors.text = "\n".join(self._(entry.errors[n]) for n in FIELDS if n in entry.errors)
        digits_only = entry.focus != "number"
        for key in self.ids.keypad.children:
            if not getattr(key, "is_erase", False):
                key.disabled = digits_only and not key.text.isdigit()

    def focus(self, name: str) -> None:
        self.journey("identify").entry.focus = name
        self.refresh()

    def press(self, key: str) -> None:
        self.journey("identify").entry.type(key)
        self.refresh()

    def erase(self) -> None:
        self.journey("identify").entry.backspace()
        self.refresh()

    def confirm(self) -> None:
        if not self.journey("identify").confirm():
            self.refresh()

    def reset(self) -> None:
        for name in FIELDS:
            button = self.ids[f"field_{name}"]
            button.value = ""
            button.focused = False
        self.ids.errors.text = ""


class IdentifyPlaceScreen(KioskScreen):
    screen_name = Screen.IDENTIFY_PLACE
    spoken_prompt = N_("Now place your passport on the reader, photo page down, and keep it still.")
