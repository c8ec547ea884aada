"""Kivy (and glibc's malloc, for its arenas) read their settings at start: everything here
must run first."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.runtime.malloc_arenas import cap_arenas


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare(var_dir: Path, window_size: tuple[int, int], headless: bool) -> None:
    cap_arenas()  # before the kiosk's threads start
    if "kivy" in sys.modules:
        # Kivy already read its environment; only the window settings can still change.
        _configure_window(window_size)
        return
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    kivy_home = var_dir / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(kivy_home))
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    _configure_window(window_size)


def _configure_window(window_size: tuple[int, int]) -> None:
    from kivy.config import Config

    Config.set("graphics", "width", str(window_size[0]))
    Config.set("graphics", "height", str(window_size[1]))
    Config.set("graphics", "resizable", "0")
    Config.set("kivy", "exit_on_escape", "0")  # Escape must never close the kiosk
    Config.set("input", "mouse", "mouse,disable_multitouch")
