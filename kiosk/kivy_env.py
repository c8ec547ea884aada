"""Kivy (and python-escpos) read their environment at import time: everything here must
run first."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare(var_dir: Path, window_size: tuple[int, int], headless: bool) -> None:
    _keep_escpos_capabilities(var_dir)
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


def _keep_escpos_capabilities(var_dir: Path) -> None:
    """python-escpos parses its printer database (YAML) at import and pickles it into a new
    temporary directory unless told where: every start would parse it again (a fifth of a
    second) and leave one more directory in /tmp. Kept in this kiosk's cache, it is read once.
    python-escpos opens that file before it parses and writes after: a start killed in
    between leaves it cut short, and every later import would fail on it, so such a file is
    removed here and made again."""
    if "escpos.capabilities" in sys.modules:
        return
    cache = var_dir / "cache" / "escpos"
    cache.mkdir(parents=True, exist_ok=True)
    for pickled in cache.glob("*.capabilities.pickle"):
        if not _whole_pickle(pickled):
            pickled.unlink(missing_ok=True)
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)  # this kiosk's, not an inherited one


def _whole_pickle(path: Path) -> bool:
    """A pickle ends with its STOP opcode; one cut short does not."""
    try:
        with path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"."
    except OSError:  # empty (seek before the start) or unreadable
        return False
