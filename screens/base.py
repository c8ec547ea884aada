"""What every kiosk screen shares: access to the controller and session, and the hooks
the App relies on (`refresh` on entry and on a language switch, `reset` at the end of a
session, a spoken prompt when the screen opens, an idle timeout of its own)."""
from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    screen_name = ""  # the ScreenManager name; the App builds every subclass that sets one
    spoken_prompt = ""  # English message id read aloud when the screen opens
    idle_timeout_s: float | None = None  # None: the kiosk's configured timeout

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.screen_name:
            self.name = self.screen_name

    @property
    def controller(self):
        return App.get_running_app().controller

    @property
    def style(self):
        """Sizes for the current mode (normal or elder): kiosk/ui/style.py."""
        return App.get_running_app().style

    @property
    def session(self):
        return self.controller.session

    def journey(self, name: str):
        return self.controller.journey(name)

    def _(self, message: str) -> str:
        return self.controller.translator.gettext(message)

    def on_pre_enter(self, *_args):
        self.refresh()

    def on_enter(self, *_args):
        if self.spoken_prompt:
            self.controller.say(self.spoken_prompt)

    def go_back(self) -> None:
        """The Back button: where the screen's journey says (its BACK table)."""
        self.controller.back_from(self.screen_name)

    def refresh(self) -> None:
        """Fill the screen from the session, in the current language."""

    def reset(self) -> None:
        """Forget everything shown from the previous session."""
