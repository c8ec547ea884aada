"""One module per screen, each with its .kv rules. Screens read the session and call the
controller or their journey; they never import device drivers or the HTTP client.

Every .kv file here is loaded (widgets.kv first) and every KioskScreen subclass with a
`screen_name` is built, so adding a screen adds two files and touches nothing else."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

KV_DIR = Path(__file__).resolve().parent


def kv_files() -> list[Path]:
    files = sorted(KV_DIR.glob("*.kv"))
    return sorted(files, key=lambda p: p.name != "widgets.kv")


def discover_screens() -> list[type]:
    from .base import KioskScreen

    found = []
    for info in sorted(pkgutil.iter_modules([str(KV_DIR)]), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, KioskScreen) and value.screen_name \
                    and value.__module__ == module.__name__:
                found.append(value)
    # the attract screen first: the ScreenManager shows its first screen
    return sorted(found, key=lambda cls: cls.screen_name != "attract")
