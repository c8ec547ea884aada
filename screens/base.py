"""What every kiosk screen shares: access to the controller and session, and the two
hooks the App relies on (`refresh` on entry and on a language switch, `reset` at the end
of a session)."""
from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    @property
    def controller(self):
        return App.get_running_app().controller

    @property
    def session(self):
        return self.controller.session

    def _(self, message: str) -> str:
        return self.controller.translator.gettext(message)

    def on_pre_enter(self, *_args):
        self.refresh()

    def refresh(self) -> None:
        """Fill the screen from the session, in the current language."""

    def reset(self) -> None:
        """Forget everything shown from the previous session."""
