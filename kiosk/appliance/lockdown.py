"""Kiosk lockdown (`[kiosk] lockdown = true`): the window fills the glass without
decorations or a cursor, the screensaver stays off, and no key or close request takes the
citizen out of the kiosk.

The keys reach Kivy only if the X session lets them through: Ctrl+Alt+Backspace and
Ctrl+Alt+Fn are stopped by the X server (deploy/xorg/50-chengmai-kiosk.conf: DontZap,
DontVTSwitch), and the session runs no window manager, so nothing but this module sees
Alt+F4. Maintenance mode's restart and exit stop the app directly (App.stop), not through
a close request, so they still work.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ESCAPE = 27
F1, F15 = 282, 296  # SDL key codes of the function keys as Kivy reports them
LOCKED_MODIFIERS = {"alt", "ctrl", "meta"}  # Alt+F4, Ctrl+Alt+Backspace, Ctrl+W, Super+...


def is_escape_key(key: int, modifiers) -> bool:
    """Keys that close, switch or reconfigure something: swallowed in lockdown. Plain
    letters and digits pass (nothing in the kiosk listens to them)."""
    return key == ESCAPE or F1 <= key <= F15 or bool(LOCKED_MODIFIERS & set(modifiers or ()))


@dataclass
class Lockdown:
    """Installed on the Kivy Window once the app's own key handlers are bound: handlers
    bound later run first, so a swallowed key never reaches them."""

    window: Any
    _saved: dict[str, Any] = field(default_factory=dict)
    installed: bool = False

    def install(self) -> None:
        if self.installed:
            return
        from kivy.config import Config

        window = self.window
        self._saved = {"borderless": window.borderless, "fullscreen": window.fullscreen,
                       "show_cursor": window.show_cursor, "allow_screensaver": window.allow_screensaver,
                       "exit_on_escape": Config.get("kivy", "exit_on_escape")}
        Config.set("kivy", "exit_on_escape", "0")
        window.borderless = True
        window.fullscreen = "auto"  # the display's own resolution: the profile's size is the glass
        window.show_cursor = False
        window.allow_screensaver = False
        window.bind(on_key_down=self._swallow, on_keyboard=self._swallow,
                    on_request_close=self._refuse_close)
        self.installed = True

    def uninstall(self) -> None:
        """Back to the window as it was (tests share one window)."""
        if not self.installed:
            return
        from kivy.config import Config

        window = self.window
        window.unbind(on_key_down=self._swallow, on_keyboard=self._swallow,
                      on_request_close=self._refuse_close)
        window.fullscreen = self._saved["fullscreen"]
        window.borderless = self._saved["borderless"]
        window.show_cursor = self._saved["show_cursor"]
        window.allow_screensaver = self._saved["allow_screensaver"]
        Config.set("kivy", "exit_on_escape", self._saved["exit_on_escape"])
        self.installed = False

    def _swallow(self, _window, key, _scancode=None, _codepoint=None, modifiers=None, *_args) -> bool:
        return is_escape_key(key, modifiers)

    def _refuse_close(self, *_args, **_kwargs) -> bool:
        return True  # the window manager's close, SDL's quit on Alt+F4: the kiosk stays
