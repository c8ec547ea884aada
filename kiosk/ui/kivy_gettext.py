"""Kivy binding for translations: `text: app.tr._("My cases")` in a .kv rule is
re-evaluated whenever the language switches, so a switch never loses the journey."""
from __future__ import annotations

from kivy.event import Observable

from kiosk.i18n import Translator


class KivyTranslations(Observable):
    """Kv rules bind to the `_` attribute; a language switch calls them all again."""

    def __init__(self, translator: Translator):
        super().__init__()
        self._observers: dict[int, tuple] = {}
        self._next_uid = 1
        self.translator = translator
        translator.on_switch(self._language_switched)

    def _(self, message: str) -> str:
        return self.translator.gettext(message)

    def fbind(self, name, func, *args, **kwargs):
        if name != "_":
            return super().fbind(name, func, *args, **kwargs)
        uid = self._next_uid
        self._next_uid += 1
        self._observers[uid] = (func, args)
        return uid

    def unbind_uid(self, name, uid):
        if name != "_":
            return super().unbind_uid(name, uid)
        self._observers.pop(uid, None)

    def funbind(self, name, func, *args, **kwargs):
        if name != "_":
            return super().funbind(name, func, *args, **kwargs)
        for uid, (f, a) in list(self._observers.items()):
            if f == func and a == args:
                del self._observers[uid]

    def _language_switched(self, _language: str) -> None:
        for func, args in list(self._observers.values()):
            func(*args, None, None)

